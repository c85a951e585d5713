#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Discrete soft Q-learning (Haarnoja et al. 2017, arXiv 1702.08165, in its discrete form): no actor
/// network; the policy is the Boltzmann distribution of the critics,
///
///     π(a|s) = exp(Q(s, a)/α) / Σ_b exp(Q(s, b)/α),   Q = min(Q₁, Q₂)
///     V(s)   = α log Σ_b exp(Q(s, b)/α)   (computed as m + α log Σ exp((Q − m)/α), m = max Q)
///     y      = r + γ (1 − terminated) V'(s')   with Q' = min of the twin target heads
///     loss   ½ mean (Q_i(s, a) − y)²  for each head
///
/// α is fixed. Not yet reachable through the C ABI (issue 8 wires it up).
public final class SoftQLearning {
    public let obsDim: Int
    public let actionCount: Int
    public let batchSize: Int
    public let gamma: Float
    public let tau: Float
    public let alpha: Float
    public let critics: DiscreteTwinCritics
    public var random: RandomSource

    /// Boltzmann probabilities and their logs for `act` ([batch × actionCount]).
    public let probabilities: FloatBuffer
    let logProbabilities: FloatBuffer

    public init(obsDim: Int, actionCount: Int, hidden: [Int], batchSize: Int, learningRate: Float = 3e-4,
                gamma: Float = 0.99, tau: Float = 0.005, alpha: Float = 0.1, seed: UInt64 = 0) throws(SACError) {
        try DiscreteTwinCritics.checkActionCount(actionCount)
        guard alpha.isFinite, alpha > 0 else {
            throw SACError(.invalidConfig, "sac_config.initial_alpha is \(alpha); it must be a positive finite number")
        }
        self.obsDim = obsDim
        self.actionCount = actionCount
        self.batchSize = batchSize
        self.gamma = gamma
        self.tau = tau
        self.alpha = alpha
        random = RandomSource(seed: seed)
        critics = try DiscreteTwinCritics(sizes: [obsDim] + hidden + [actionCount], maxBatch: batchSize,
                                          learningRate: learningRate, random: &random)
        probabilities = try FloatBuffer(count: batchSize * actionCount)
        logProbabilities = try FloatBuffer(count: batchSize * actionCount)
    }

    /// The Boltzmann policy of min(Q₁, Q₂) for `rows` observations, into `probabilities`.
    public func boltzmann(_ observations: UnsafePointer<Float>, rows: Int) {
        let q = critics.minimum(observations, rows: rows, useTargets: false)
        Softmax.rows(q, rows: rows, columns: actionCount, temperature: alpha,
                     probabilities: probabilities.base, logProbabilities: logProbabilities.base)
    }

    @discardableResult
    public func update(on batch: TransitionBatch) -> UpdateStats {
        var stats = UpdateStats()
        stats.alpha = alpha
        computeTargets(batch)
        (stats.criticLoss, stats.meanQ) = critics.lossAndGradients(batch)
        critics.step(tau: tau)
        return stats
    }

    /// y = r + γ(1 − terminated) · α log Σ_b exp(min Q'(s', b)/α).
    func computeTargets(_ batch: TransitionBatch) {
        let n = batch.size
        let q = critics.minimum(batch.nextObservations.base, rows: n, useTargets: true)
        for r in 0..<n {
            let value = Softmax.softMaximum(q + r * actionCount, count: actionCount, temperature: alpha)
            critics.targets[r] = batch.rewards[r] + gamma * (1 - batch.terminals[r]) * value
        }
    }
}
