import XCTest
@testable import SACCore

/// Compares an analytic gradient with central finite differences of `loss`, parameter by parameter.
/// Float32 central differences with h = 1e-3 carry about 1e-4 of rounding error for losses of
/// order one, hence the absolute floor; a wrong factor or sign is far outside either bound.
func assertMatchesFiniteDifferences(
    _ parameters: UnsafeMutablePointer<Float>, count: Int, analytic: [Float], h: Float = 1e-3,
    relativeTolerance: Float = 1e-2, absoluteTolerance: Float = 5e-4, _ what: String,
    loss: () -> Float, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(analytic.count, count, file: file, line: line)
    var checked = 0
    var largest: Float = 0
    for i in 0..<count {
        let saved = parameters[i]
        parameters[i] = saved + h
        let up = loss()
        parameters[i] = saved - h
        let down = loss()
        parameters[i] = saved
        let numeric = (up - down) / (2 * h)
        let bound = absoluteTolerance + relativeTolerance * max(abs(numeric), abs(analytic[i]))
        if abs(numeric - analytic[i]) > bound {
            XCTFail("\(what)[\(i)]: analytic \(analytic[i]) vs finite difference \(numeric)", file: file, line: line)
            return
        }
        largest = max(largest, abs(analytic[i]))
        checked += 1
    }
    XCTAssertEqual(checked, count, file: file, line: line)
    // A gradient that is zero everywhere would pass trivially; the checks are only meaningful if not.
    XCTAssertGreaterThan(largest, 1e-3, "\(what): gradient is all zeros", file: file, line: line)
}

/// Forward pass of an MLP with ReLU hidden layers in Double, from its flat parameters (W [in×out],
/// then b): the reference the library's Float forward pass is compared with.
func referenceForward(_ net: MLP, _ input: [Double]) -> [Double] {
    var x = input
    var offset = 0
    for l in 0..<(net.sizes.count - 1) {
        let (n, m) = (net.sizes[l], net.sizes[l + 1])
        x = (0..<m).map { j in
            let s = Double(net.parameters[offset + n * m + j])
                + (0..<n).reduce(0.0) { $0 + x[$1] * Double(net.parameters[offset + $1 * m + j]) }
            return l + 2 < net.sizes.count ? max(s, 0) : s
        }
        offset += n * m + m
    }
    return x
}

/// The config of a small continuous agent whose every buffer is tiny, so tests run in milliseconds.
func smallConfig(obsDim: Int = 3, actionDim: Int = 2, hidden: [Int] = [8, 8], batch: Int = 6,
                 seed: UInt64 = 7, configure: (inout AgentConfig) -> Void = { _ in }) -> AgentConfig {
    var config = AgentConfig(obsDim: obsDim, actionDim: actionDim)
    config.hiddenSizes = hidden
    config.batchSize = batch
    config.replayCapacity = 64
    config.learningStarts = 0
    config.seed = seed
    configure(&config)
    return config
}

/// A small SAC-v2 agent (see `smallConfig`).
func smallAgent(obsDim: Int = 3, actionDim: Int = 2, hidden: [Int] = [8, 8], batch: Int = 6,
                seed: UInt64 = 7, configure: (inout AgentConfig) -> Void = { _ in }) throws -> SACAgent {
    try SACAgent.make(config: smallConfig(obsDim: obsDim, actionDim: actionDim, hidden: hidden, batch: batch,
                                          seed: seed, configure: configure))
}

/// The learner of an agent of a known algorithm, for tests of its losses and parts.
extension SACAgent {
    var sac: ContinuousSAC { learner as! ContinuousSAC }
    var sacV1: ContinuousSACv1 { learner as! ContinuousSACv1 }
    var discreteSAC: DiscreteSAC { learner as! DiscreteSAC }
    var softQ: SoftQLearning { learner as! SoftQLearning }

    /// `rows` actions of either kind, indices as floats, for tests that compare them.
    func actions(_ observations: [Float], rows: Int, deterministic: Bool) throws -> [Float] {
        if actionSpace.isDiscrete {
            var indices = [Int32](repeating: 0, count: rows)
            try actIndices(observations, rows: rows, deterministic: deterministic, into: &indices)
            return indices.map(Float.init)
        }
        var actions = [Float](repeating: 0, count: rows * config.actionDim)
        try act(observations, rows: rows, deterministic: deterministic, into: &actions)
        return actions
    }
}

/// The config of a small discrete agent (4 observations, `actions` actions) for loss tests.
func smallDiscreteConfig(actions: Int, algorithm: Algorithm = .discrete, seed: UInt64 = 7,
                         configure: (inout AgentConfig) -> Void = { _ in }) -> AgentConfig {
    var config = AgentConfig(obsDim: 4, actionCount: actions, algorithm: algorithm)
    config.hiddenSizes = [8, 8]
    config.batchSize = 6
    config.replayCapacity = 64
    config.learningStarts = 0
    config.seed = seed
    configure(&config)
    return config
}

/// Fills an agent's replay buffer with `count` reproducible random transitions (random indices for
/// discrete agents).
func fillReplay(_ agent: SACAgent, count: Int, seed: UInt64 = 11) throws {
    var random = RandomSource(seed: seed)
    let config = agent.config
    let (o, a) = (config.obsDim, config.storedActionWidth)
    var obs = [Float](repeating: 0, count: o)
    var next = obs
    var action = [Float](repeating: 0, count: a)
    for step in 0..<count {
        for i in 0..<o { obs[i] = random.uniform(-1, 1); next[i] = random.uniform(-1, 1) }
        if config.algorithm.isDiscrete {
            let index = Int32(random.index(below: config.actionCount))
            try agent.observe(observation: obs, actionIndex: index, reward: random.uniform(-2, 1),
                              nextObservation: next, terminated: step % 5 == 4)
        } else {
            for i in 0..<a { action[i] = random.uniform(config.low(i), config.high(i)) }
            try agent.observe(observation: obs, action: action, reward: random.uniform(-2, 1),
                              nextObservation: next, terminated: step % 5 == 4)
        }
    }
}

/// Both heads' gradients of the discrete critic loss (targets already computed) against finite differences.
func assertTwinCriticGradientsMatchFiniteDifferences(
    _ critics: TwinCritics, _ batch: TransitionBatch, y: UnsafePointer<Float>, _ what: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    _ = critics.lossAndGradients(batch, y: y)
    for (name, critic) in [("Q1", critics.critic1), ("Q2", critics.critic2)] {
        assertMatchesFiniteDifferences(critic.parameters.base, count: critic.parameterCount,
                                       analytic: critic.gradients.array, "\(what) d/d\(name)",
                                       loss: { critics.lossAndGradients(batch, y: y).loss }, file: file, line: line)
    }
}

/// A batch of random discrete transitions (obs in ±1, action indices below `actions`, rewards in
/// ±1, row `terminalRow` terminal), for the discrete agents' loss tests.
func randomDiscreteBatch(size: Int, obsDim: Int, actions: Int, terminalRow: Int,
                         random: inout RandomSource) throws -> TransitionBatch {
    let batch = try TransitionBatch(size: size, obsDim: obsDim, actionDim: 1)
    for r in 0..<size {
        for i in 0..<obsDim {
            batch.observations[r * obsDim + i] = random.uniform(-1, 1)
            batch.nextObservations[r * obsDim + i] = random.uniform(-1, 1)
        }
        batch.actions[r] = Float(random.index(below: actions))
        batch.rewards[r] = random.uniform(-1, 1)
        batch.terminals[r] = r == terminalRow ? 1 : 0
    }
    return batch
}

extension FloatBuffer {
    convenience init(_ values: [Float]) throws {
        try self.init(count: values.count)
        assign(values)
    }
}
