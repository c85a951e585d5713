/// What discrete SAC and soft Q-learning share: twin per-action Q heads, a policy given as
/// probabilities over `actionCount` actions, and acting by index.
public class DiscreteAgent: SACAgent {
    public let actionCount: Int
    public let critics: DiscreteTwinCritics
    /// π(·|s) and log π(·|s) from the last `policy` call, [batch × actionCount].
    public let probabilities: FloatBuffer
    let logProbabilities: FloatBuffer

    /// `config` must already be validated. Allocates the critics; subclasses initialise networks.
    init(validated config: AgentConfig, trainable: Bool) throws(SACError) {
        actionCount = config.actionCount
        let n = config.batchSize
        let twins = TwinRunner()
        critics = try DiscreteTwinCritics(sizes: [config.obsDim] + config.hiddenSizes + [config.actionCount],
                                          maxBatch: n, learningRate: config.criticLearningRate, twins: twins,
                                          versioned: trainable)
        probabilities = try FloatBuffer(count: n * config.actionCount)
        logProbabilities = try FloatBuffer(count: n * config.actionCount)
        try super.init(validated: config, trainable: trainable, twins: twins)
    }

    /// Fills `probabilities` and `logProbabilities` with π(·|s) for `rows` (≤ batch_size) observations.
    public func policy(_ observations: UnsafePointer<Float>, rows: Int) {
        fatalError("\(Self.self) must override policy")
    }

    /// Throws `.diverged` if a network output behind the last `policy` call (logits, or both heads'
    /// Q-values) is not finite, for its `rows` observations starting at `firstRow`.
    func checkPolicyOutput(rows: Int, firstRow: Int) throws(SACError) {
        fatalError("\(Self.self) must override checkPolicyOutput")
    }

    /// Writes `rows` action indices: the most probable action when `deterministic` (the first on
    /// ties), else a draw from π(·|s); uniform before `learningStarts` transitions were seen.
    public func actIndices(_ observations: UnsafePointer<Float>, rows: Int, deterministic: Bool,
                           into output: UnsafeMutablePointer<Int32>) throws(SACError) {
        try chooseActions(observations, rows: rows, deterministic: deterministic) { output[$0] = Int32($1) }
    }

    /// `actIndices` with the indices written as floats, the form `SACAgent.act` shares with continuous agents.
    public override func act(_ observations: UnsafePointer<Float>, rows: Int, deterministic: Bool,
                             into output: UnsafeMutablePointer<Float>) throws(SACError) {
        try chooseActions(observations, rows: rows, deterministic: deterministic) { output[$0] = Float($1) }
    }

    @inline(__always)
    func chooseActions(_ observations: UnsafePointer<Float>, rows: Int, deterministic: Bool,
                       _ write: (_ row: Int, _ action: Int) -> Void) throws(SACError) {
        try inChunks(rows: rows) { (first, count, writes) throws(SACError) in
            if !deterministic && isWarmingUp {
                for r in 0..<count {
                    let action = random.index(below: actionCount)
                    if writes { write(first + r, action) }
                }
                return
            }
            policy(observations + first * config.obsDim, rows: count)
            try checkPolicyOutput(rows: count, firstRow: first)
            try Divergence.checkOutput(probabilities.base, rows: count, columns: actionCount, firstRow: first,
                                       "the policy's probabilities")
            for r in 0..<count {
                let p = probabilities.base + r * actionCount
                let action = deterministic ? Self.mostProbable(p, count: actionCount)
                                           : Self.draw(p, count: actionCount, random: &random)
                if writes { write(first + r, action) }
            }
        }
    }

    static func mostProbable(_ p: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for a in 1..<count where p[a] > p[best] { best = a }
        return best
    }

    /// Inverse-CDF sampling; rounding can leave the total a little under 1, so the last action
    /// with nonzero probability catches a uniform draw beyond it.
    static func draw(_ p: UnsafePointer<Float>, count: Int, random: inout RandomSource) -> Int {
        let u = random.uniform()
        var cumulative: Float = 0
        var last = 0
        for a in 0..<count where p[a] > 0 {
            cumulative += p[a]
            last = a
            if u < cumulative { return a }
        }
        return last
    }

    /// The index must be a whole number in 0..<actionCount.
    override func storeAction(_ action: UnsafePointer<Float>) throws(SACError) {
        let index = action[0]
        guard index >= 0, index < Float(actionCount), index.rounded(.towardZero) == index else {
            throw SACError(.invalidArgument, "action is \(index); it must be an action index in 0...\(actionCount - 1)")
        }
        storedAction[0] = index
    }
}
