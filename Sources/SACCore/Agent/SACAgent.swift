/// An agent of the SAC family: what every member shares (the config, the action space, the replay
/// buffer, the random state, the counters and the minibatch workspace) around one `Learner`, the
/// algorithm's networks and gradient step. The C handle points at one of these, whatever the
/// algorithm. Everything is allocated in `make`; acting, observing and updating allocate nothing.
public final class SACAgent {
    public let config: AgentConfig
    public let actionSpace: ActionSpace
    /// False for an agent made from a policy file: it acts, but has no replay buffer to learn from.
    public let isTrainable: Bool
    public let replay: ReplayBuffer
    public var random: RandomSource
    public internal(set) var environmentSteps = 0
    public internal(set) var gradientSteps = 0
    /// The largest count a checkpoint may hold, for these counters and the optimizers' steps: 2^53,
    /// exact in any JSON reader, far beyond any real run, and so far below Int.max that counting on
    /// from it can never overflow (an increment past Int.max would trap and kill the host process).
    public static let maxCount = 1 << 53
    /// The minibatch `update()` samples into; also the staging area for a caller's batch.
    public let batch: TransitionBatch
    /// One action as the replay stores it (in [-1, 1], or an index), for `observe`.
    let storedAction: FloatBuffer
    /// With `normalizeObservations`: the observations' statistics, and room for one chunk of
    /// observations (batch_size rows) normalised for acting.
    public let normalizer: ObservationNormalizer?
    let normalizedObservations: FloatBuffer
    /// Runs the gradient steps' work on one thread or several (`setThreads`).
    let runner: NetworkRunner
    let learner: any Learner
    /// Everything a checkpoint saves besides the counters and the random state: the versioned
    /// weights and the optimizers, which a failed update rolls back.
    let trainedState: TrainedState

    /// A new agent of `config.algorithm`, its weights drawn from `config.seed`. A policy-only agent
    /// (`trainable: false`) gets no replay buffer, the only allocation that grows with training.
    /// `compute` picks the kernels and how the work splits between threads (the fastest by default).
    public static func make(config: AgentConfig, trainable: Bool = true, compute: Compute = Compute()) throws(SACError)
        -> SACAgent
    {
        try SACAgent(config: config, trainable: trainable, compute: compute)
    }

    private init(config given: AgentConfig, trainable: Bool, compute: Compute) throws(SACError) {
        try given.validate()
        let config = given.resolved
        self.config = config
        actionSpace = ActionSpace(config)
        isTrainable = trainable
        let width = config.storedActionWidth
        replay = try ReplayBuffer(capacity: trainable ? config.replayCapacity : 0, obsDim: config.obsDim,
                                  actionDim: width)
        batch = try TransitionBatch(size: config.batchSize, obsDim: config.obsDim, actionDim: width)
        storedAction = try FloatBuffer(count: width)
        if config.normalizeObservations {
            normalizer = try ObservationNormalizer(dimension: config.obsDim, clip: config.observationClip,
                                                   epsilon: config.observationEpsilon)
            normalizedObservations = try FloatBuffer(count: config.batchSize * config.obsDim)
        } else {
            normalizer = nil
            normalizedObservations = try FloatBuffer(count: 0)
        }
        let runner = try NetworkRunner()
        self.runner = runner
        var random = RandomSource(seed: config.seed)
        let learner: any Learner = switch config.algorithm {
        case .continuous:
            try ContinuousSAC(config: config, runner: runner, versioned: trainable, compute: compute, random: &random)
        case .continuousV1:
            try ContinuousSACv1(config: config, runner: runner, versioned: trainable, compute: compute, random: &random)
        case .discrete:
            try DiscreteSAC(config: config, runner: runner, versioned: trainable, compute: compute, random: &random)
        case .softQ:
            try SoftQLearning(config: config, runner: runner, versioned: trainable, compute: compute, random: &random)
        }
        self.learner = learner
        self.random = random
        trainedState = TrainedState(learner.policyParts + learner.trainingParts)
    }

    /// 1 (the default) to 64 threads for this agent's gradient steps, the caller's and helper threads
    /// owned by the agent. With 2, the second runs the second critic of each twin pair and half of
    /// the actor's products; with more, large products are cut between all of them. Results are
    /// bit-identical for every count.
    public func setThreads(_ threads: Int) throws(SACError) {
        try runner.setThreads(threads)
    }

    /// The temperature α in use.
    public var alpha: Float { learner.alpha }

    // MARK: - Observing

    /// Stores a transition of a continuous agent: `action` in environment units (clipped to the bounds).
    public func observe(observation: UnsafePointer<Float>, action: UnsafePointer<Float>, reward: Float,
                        nextObservation: UnsafePointer<Float>, terminated: Bool) throws(SACError) {
        let box = try requireBox()
        try requireTrainable()
        box.writePolicyRange(action, into: storedAction.base, rows: 1)
        store(observation, storedAction.base, reward, nextObservation, terminated)
    }

    /// Stores a transition of a discrete agent: `actionIndex` in 0..<actionCount.
    public func observe(observation: UnsafePointer<Float>, actionIndex: Int32, reward: Float,
                        nextObservation: UnsafePointer<Float>, terminated: Bool) throws(SACError) {
        let stored = try actionSpace.stored(index: actionIndex, "action")
        try requireTrainable()
        storedAction[0] = stored
        store(observation, storedAction.base, reward, nextObservation, terminated)
    }

    func store(_ observation: UnsafePointer<Float>, _ action: UnsafePointer<Float>, _ reward: Float,
               _ nextObservation: UnsafePointer<Float>, _ terminated: Bool) {
        replay.add(observation: observation, action: action, reward: reward, nextObservation: nextObservation,
                   terminated: terminated)
        normalizer?.add(observation)
        environmentSteps += 1
    }

    /// The bounds of a continuous agent's actions; throws `.wrongAlgorithm` for a discrete agent.
    func requireBox() throws(SACError) -> ActionBox {
        guard case .box(let box) = actionSpace else {
            throw wrongActionKind
        }
        return box
    }

    /// The error of a call made for the other kind of actions than this agent's.
    var wrongActionKind: SACError {
        SACError(.wrongAlgorithm, "the agent is \(config.algorithm.name), which acts with \(actionSpace.form)")
    }

    /// Stochastic actions are uniform random until `learningStarts` transitions were observed. A
    /// policy-only agent observes nothing, so it never warms up: it samples its policy from the start.
    var isWarmingUp: Bool { isTrainable && environmentSteps < config.learningStarts }

    // MARK: - Learning

    /// Gradient steps wait for `learningStarts` observed transitions, as in Stable-Baselines3 and
    /// CleanRL, and for one full batch in the replay buffer.
    public var canUpdate: Bool {
        isTrainable && environmentSteps >= config.learningStarts && replay.count >= config.batchSize
    }

    /// Throws `.notReady`, saying what is missing, unless `canUpdate`.
    public func requireReadyToUpdate() throws(SACError) {
        try requireTrainable()
        if environmentSteps < config.learningStarts {
            throw SACError(.notReady, "\(environmentSteps) transitions were observed; gradient steps start "
                + "after learning_starts = \(config.learningStarts)")
        }
        if replay.count < config.batchSize {
            throw SACError(.notReady, "the replay buffer holds \(replay.count) transitions; "
                + "a gradient step needs batch_size = \(config.batchSize)")
        }
    }

    public func requireTrainable() throws(SACError) {
        guard isTrainable else {
            throw SACError(.policyOnly, "this agent was loaded from a policy file: it can act but not learn "
                + "(load a checkpoint to continue training)")
        }
    }

    /// Whether updates keep the previous version of the trained state to roll back to (the default).
    /// Off, steps write in place and a diverging update leaves the agent diverged: only for
    /// measuring what the guard costs (sac-bench).
    public var guardsDivergence: Bool {
        get { trainedState.isVersioned }
        set { trainedState.isVersioned = newValue }
    }

    /// `steps` gradient steps on batches sampled from the replay buffer (`.notReady` unless
    /// `canUpdate`), as one transaction: if a loss or a new weight is not finite, the agent is
    /// restored exactly as it was before the call (weights, optimizer moments and steps, counters,
    /// random state) and `.diverged` is thrown. Returns the last step's statistics.
    @discardableResult
    public func update(steps: Int = 1) throws(SACError) -> UpdateStats {
        try requireReadyToUpdate()
        return try transaction(steps: steps) { () throws(SACError) in
            batch.size = batch.capacity
            replay.sample(into: batch, random: &random)
            return try gradientStep(on: batch)
        }
    }

    /// One gradient step on `batch` (at most `config.batchSize` rows, raw observations, actions as
    /// the replay stores them), guarded as `update`. With `normalizeObservations` the batch's
    /// observations are normalised in place.
    @discardableResult
    public func update(on batch: TransitionBatch) throws(SACError) -> UpdateStats {
        try requireTrainable()
        return try transaction(steps: 1) { () throws(SACError) in try gradientStep(on: batch) }
    }

    /// The learner's step on `batch`, its observations normalised with the current statistics (the
    /// replay keeps them raw, as Stable-Baselines3 does); the targets blend on every
    /// `targetUpdateInterval`-th step of the agent's life, so a resumed checkpoint keeps the rhythm.
    private func gradientStep(on batch: TransitionBatch) throws(SACError) -> UpdateStats {
        if let normalizer {
            normalizer.normalize(batch.observations.base, rows: batch.size, into: batch.observations.base)
            normalizer.normalize(batch.nextObservations.base, rows: batch.size, into: batch.nextObservations.base)
        }
        let blendsTargets = (gradientSteps + 1) % config.targetUpdateInterval == 0
        return try learner.gradientStep(on: batch, blendingTargets: blendsTargets, random: &random)
    }

    private func transaction(steps: Int, _ step: () throws(SACError) -> UpdateStats) throws(SACError) -> UpdateStats {
        trainedState.commit()
        let (savedRandom, savedGradientSteps) = (random, gradientSteps)
        var stats = UpdateStats()
        for k in 0..<steps {
            do {
                stats = try step()
                try stats.checkFinite()
                gradientSteps += 1
            } catch {
                trainedState.rollback()
                (random, gradientSteps) = (savedRandom, savedGradientSteps)
                let which = steps == 1 ? "the gradient step" : "gradient step \(k + 1) of \(steps)"
                throw SACError(error.kind, "\(which) diverged: \(error.message). Nothing was applied: the agent "
                    + "is exactly as before the call. Inputs of extreme magnitude (rewards, observations) or "
                    + "learning rates that are too large cause this")
            }
        }
        return stats
    }
}
