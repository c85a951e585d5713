/// Acting: continuous agents write action vectors in environment units, discrete agents action
/// indices. Stochastic actions are uniform random while the agent warms up (`isWarmingUp`). A network
/// output that is not finite throws `.diverged`; nothing is written and the random state is
/// unchanged.
extension SACAgent {
    /// Writes `rows` actions [rows × actionDim] in environment units. Throws `.wrongAlgorithm` for a
    /// discrete agent.
    public func act(_ observations: UnsafePointer<Float>, rows: Int, deterministic: Bool,
                    into output: UnsafeMutablePointer<Float>) throws(SACError) {
        guard case .box(let box) = actionSpace, case .squashedGaussian(let policy) = learner.policy else {
            throw wrongActionKind
        }
        let (obsDim, actionDim) = (config.obsDim, box.dimension)
        try inChunks(rows: rows) { (first, count, write) throws(SACError) in
            let out = output + first * actionDim
            if !deterministic && isWarmingUp {
                for k in 0..<(count * actionDim) {
                    let action = box.toEnvironment(random.uniform(-1, 1), k % actionDim)
                    if write { out[k] = action }
                }
                return
            }
            let obs = observationChunk(observations + first * obsDim, rows: count)
            if deterministic {
                policy.meanActions(obs, batch: count)
            } else {
                policy.sample(obs, batch: count, random: &random)
            }
            try Divergence.checkOutput(policy.network.output, rows: count, columns: 2 * actionDim, firstRow: first,
                                       "the actor's output (means and log standard deviations)")
            if write {
                for k in 0..<(count * actionDim) { out[k] = box.toEnvironment(policy.actions[k], k % actionDim) }
            }
        }
    }

    /// Writes `rows` action indices: the most probable action when `deterministic` (the first on
    /// ties), else a draw from π(·|s). Throws `.wrongAlgorithm` for a continuous agent.
    public func actIndices(_ observations: UnsafePointer<Float>, rows: Int, deterministic: Bool,
                           into output: UnsafeMutablePointer<Int32>) throws(SACError) {
        guard case .discrete(let actionCount) = actionSpace, case .categorical(let policy) = learner.policy else {
            throw wrongActionKind
        }
        try inChunks(rows: rows) { (first, count, write) throws(SACError) in
            if !deterministic && isWarmingUp {
                for r in 0..<count {
                    let action = random.index(below: actionCount)
                    if write { output[first + r] = Int32(action) }
                }
                return
            }
            let (p, _) = policy.distribution(observationChunk(observations + first * config.obsDim, rows: count),
                                             rows: count)
            try policy.checkOutput(rows: count, firstRow: first)
            try Divergence.checkOutput(p, rows: count, columns: actionCount, firstRow: first, "the policy's probabilities")
            for r in 0..<count {
                let row = p + r * actionCount
                let action = deterministic ? Self.mostProbable(row, count: actionCount)
                                           : Self.draw(row, count: actionCount, random: &random)
                if write { output[first + r] = Int32(action) }
            }
        }
    }

    /// Runs `chunk(first, count, write)` over `rows` in chunks of at most `batchSize` rows, such that
    /// nothing is written and the random state is unchanged if any chunk throws: a single chunk checks
    /// its rows before it writes them; several chunks are all computed and checked first (without
    /// writing, the random state then reset), and computed again to be written.
    func inChunks(rows: Int, _ chunk: (_ first: Int, _ count: Int, _ write: Bool) throws(SACError) -> Void)
        throws(SACError)
    {
        let start = random
        do {
            if rows > config.batchSize {
                for first in stride(from: 0, to: rows, by: config.batchSize) {
                    try chunk(first, min(config.batchSize, rows - first), false)
                }
                random = start
            }
            for first in stride(from: 0, to: rows, by: config.batchSize) {
                try chunk(first, min(config.batchSize, rows - first), true)
            }
        } catch {
            random = start
            throw error
        }
    }

    /// A chunk of observations as the networks take them: normalised into the agent's workspace when
    /// the agent normalises observations, else the caller's rows themselves.
    func observationChunk(_ rows: UnsafePointer<Float>, rows count: Int) -> UnsafePointer<Float> {
        guard let normalizer else { return rows }
        normalizer.normalize(rows, rows: count, into: normalizedObservations.base)
        return UnsafePointer(normalizedObservations.base)
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
}
