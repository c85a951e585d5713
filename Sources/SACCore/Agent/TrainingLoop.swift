/// The standard off-policy loop (act, step, observe, update), shared by tests, the benchmark and
/// anyone embedding the core in Swift. Its buffers are allocated once.
public struct TrainingLoop<Env: Environment> {
    public var environment: Env
    public private(set) var agent: SACAgent
    /// Gradient steps after each environment step, once a batch is available.
    public var updatesPerStep = 1
    public private(set) var episodeReturns: [Float] = []
    public private(set) var lastStats = UpdateStats()
    private var environmentRandom: RandomSource
    private var observation: FloatBuffer
    private var nextObservation: FloatBuffer
    private let action: FloatBuffer
    private var actionIndex: Int32 = 0
    private var episodeReturn: Float = 0
    private var needsReset = true

    public init(environment: Env, agent: SACAgent, environmentSeed: UInt64) throws(SACError) {
        self.environment = environment
        self.agent = agent
        environmentRandom = RandomSource(seed: environmentSeed)
        observation = try FloatBuffer(count: environment.observationSize)
        nextObservation = try FloatBuffer(count: environment.observationSize)
        action = try FloatBuffer(count: environment.actionSize)
    }

    /// This loop's environment, episode and random state, driving `agent` from now on (e.g. an agent
    /// restored from a checkpoint of this loop's agent).
    public func continuing(with agent: SACAgent) -> TrainingLoop {
        var copy = self
        copy.agent = agent
        return copy
    }

    /// Runs `steps` environment steps of training.
    public mutating func train(steps: Int) throws(SACError) {
        for _ in 0..<steps { try trainStep() }
    }

    public mutating func trainStep() throws(SACError) {
        if needsReset {
            environment.reset(random: &environmentRandom, observation: observation.base)
            episodeReturn = 0
            needsReset = false
        }
        try act(agent, observation.base, deterministic: false, into: action.base, index: &actionIndex)
        let outcome = environment.step(action.base, observation: nextObservation.base)
        if agent.actionSpace.isDiscrete {
            try agent.observe(observation: observation.base, actionIndex: actionIndex, reward: outcome.reward,
                              nextObservation: nextObservation.base, terminated: outcome.terminated)
        } else {
            try agent.observe(observation: observation.base, action: action.base, reward: outcome.reward,
                              nextObservation: nextObservation.base, terminated: outcome.terminated)
        }
        episodeReturn += outcome.reward
        swap(&observation, &nextObservation)
        if outcome.terminated || outcome.truncated {
            episodeReturns.append(episodeReturn)
            needsReset = true
        }
        if agent.canUpdate && updatesPerStep > 0 {
            lastStats = try agent.update(steps: updatesPerStep)
        }
    }

    /// Mean undiscounted return of the deterministic policy over `episodes` fresh episodes, on a
    /// copy of the environment with its own random stream (the training state is untouched).
    public func evaluate(episodes: Int, seed: UInt64) throws(SACError) -> Float {
        var env = environment
        var random = RandomSource(seed: seed)
        let obs = try FloatBuffer(count: env.observationSize)
        let act = try FloatBuffer(count: env.actionSize)
        var total: Float = 0
        var index: Int32 = 0
        for _ in 0..<episodes {
            env.reset(random: &random, observation: obs.base)
            while true {
                try self.act(agent, obs.base, deterministic: true, into: act.base, index: &index)
                let outcome = env.step(act.base, observation: obs.base)
                total += outcome.reward
                if outcome.terminated || outcome.truncated { break }
            }
        }
        return total / Float(episodes)
    }

    /// One action for the environment, which takes an index as a float; `index` keeps it as the
    /// agent's observe takes it.
    private func act(_ agent: SACAgent, _ observation: UnsafePointer<Float>, deterministic: Bool,
                     into action: UnsafeMutablePointer<Float>, index: inout Int32) throws(SACError) {
        if agent.actionSpace.isDiscrete {
            try agent.actIndices(observation, rows: 1, deterministic: deterministic, into: &index)
            action[0] = Float(index)
        } else {
            try agent.act(observation, rows: 1, deterministic: deterministic, into: action)
        }
    }
}
