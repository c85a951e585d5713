/// What every member of the SAC family shares: the config, the replay buffer, the random state,
/// the counters and the minibatch workspace; and the protocol of acting, observing and updating.
///
/// Subclasses hold the networks and implement `gradientStep(on:)`, `act` and `storeAction`. The C
/// handle points at one of these, whatever the algorithm. Everything is allocated in `init`.
public class SACAgent {
    public let config: AgentConfig
    /// False for an agent made from a policy file: it acts, but has no replay buffer to learn from.
    public let isTrainable: Bool
    public let replay: ReplayBuffer
    public var random: RandomSource
    public internal(set) var environmentSteps = 0
    public internal(set) var gradientSteps = 0
    /// The minibatch `update()` samples into; also the staging area for a caller's batch.
    public let batch: TransitionBatch
    /// One action as the replay stores it (in [-1, 1], or an index), for `observe`.
    let storedAction: FloatBuffer
    /// Runs the two critics of each pair one after the other, or on two threads (`setThreads`).
    public let twins: TwinRunner

    /// `config` must already be validated (subclasses validate before allocating their networks).
    /// A policy-only agent (`trainable: false`) gets no replay buffer, the only allocation that
    /// grows with training.
    init(validated config: AgentConfig, trainable: Bool, twins: TwinRunner = TwinRunner()) throws(SACError) {
        self.twins = twins
        self.config = config.resolved
        isTrainable = trainable
        let width = config.storedActionWidth
        replay = try ReplayBuffer(capacity: trainable ? config.replayCapacity : 0, obsDim: config.obsDim,
                                  actionDim: width)
        batch = try TransitionBatch(size: config.batchSize, obsDim: config.obsDim, actionDim: width)
        storedAction = try FloatBuffer(count: width)
        random = RandomSource(seed: config.seed)
    }

    /// A new agent of `config.algorithm`.
    public static func make(config: AgentConfig, trainable: Bool = true) throws(SACError) -> SACAgent {
        switch config.algorithm {
        case .continuous: try ContinuousSAC(config: config, trainable: trainable)
        case .continuousV1: try ContinuousSACv1(config: config, trainable: trainable)
        case .discrete: try DiscreteSAC(config: config, trainable: trainable)
        case .softQ: try SoftQLearning(config: config, trainable: trainable)
        }
    }

    /// 1 (the default) or 2 threads for this agent's gradient steps: with 2, a helper thread owned by
    /// the agent runs the second critic of each twin pair. Results are bit-identical either way.
    public func setThreads(_ threads: Int) throws(SACError) {
        try twins.setThreads(threads)
    }

    // MARK: - Acting and observing

    /// Writes `rows` actions to `output`: [rows × actionDim] in environment units for continuous
    /// agents, [rows] action indices (as floats) for discrete ones. Stochastic actions are uniform
    /// random while fewer than `learningStarts` transitions were seen.
    public func act(_ observations: UnsafePointer<Float>, rows: Int, deterministic: Bool,
                    into output: UnsafeMutablePointer<Float>) {
        fatalError("\(Self.self) must override act")
    }

    /// Stores a transition. `action` is what `act` returned: environment units (clipped to the
    /// bounds) for continuous agents, an index for discrete ones.
    public func observe(observation: UnsafePointer<Float>, action: UnsafePointer<Float>, reward: Float,
                        nextObservation: UnsafePointer<Float>, terminated: Bool) throws(SACError) {
        try requireTrainable()
        try storeAction(action)
        replay.add(observation: observation, action: storedAction.base, reward: reward,
                   nextObservation: nextObservation, terminated: terminated)
        environmentSteps += 1
    }

    /// Stochastic actions are uniform random until `learningStarts` transitions were observed. A
    /// policy-only agent observes nothing, so it never warms up: it samples its policy from the start.
    var isWarmingUp: Bool { isTrainable && environmentSteps < config.learningStarts }

    /// Converts one action as `act` returns it into `storedAction`, or throws if it is not valid.
    func storeAction(_ action: UnsafePointer<Float>) throws(SACError) {
        fatalError("\(Self.self) must override storeAction")
    }

    // MARK: - Learning

    public var canUpdate: Bool { isTrainable && replay.count >= config.batchSize }

    public func requireTrainable() throws(SACError) {
        guard isTrainable else {
            throw SACError(.policyOnly, "this agent was loaded from a policy file: it can act but not learn "
                + "(load a checkpoint to continue training)")
        }
    }

    /// One gradient step on a batch sampled from the replay buffer. Requires `canUpdate`.
    @discardableResult
    public func update() -> UpdateStats {
        batch.size = batch.capacity
        replay.sample(into: batch, random: &random)
        return update(on: batch)
    }

    /// One gradient step on `batch` (at most `config.batchSize` rows, actions as the replay stores them).
    @discardableResult
    public func update(on batch: TransitionBatch) -> UpdateStats {
        let stats = gradientStep(on: batch)
        gradientSteps += 1
        return stats
    }

    func gradientStep(on batch: TransitionBatch) -> UpdateStats {
        fatalError("\(Self.self) must override gradientStep")
    }
}

/// What one gradient step measured.
public struct UpdateStats: Equatable, Sendable {
    public var criticLoss: Float = 0
    public var actorLoss: Float = 0
    public var alpha: Float = 0
    public var alphaLoss: Float = 0
    public var entropy: Float = 0
    public var meanQ: Float = 0
    /// SAC-v1's value loss ½·mean(V(s) − v̂)²; 0 for the other algorithms.
    public var valueLoss: Float = 0
    public init() {}
}
