/// Discrete soft Q-learning (Haarnoja et al. 2017, arXiv 1702.08165, in its discrete form): no actor
/// network; the policy is the Boltzmann distribution of the critics,
///
///     π(a|s) = exp(Q(s, a)/α) / Σ_b exp(Q(s, b)/α),   Q = min(Q₁, Q₂)
///     V(s)   = α log Σ_b exp(Q(s, b)/α)   (computed as m + α log Σ exp((Q − m)/α), m = max Q)
///     y      = r + γ (1 − terminated) V'(s')   with Q' = min of the twin target heads
///     loss   ½ mean (Q_i(s, a) − y)²  for each head
///
/// α is fixed: `config.initialAlpha`.
public final class SoftQLearning: DiscreteAgent {
    public init(config: AgentConfig, trainable: Bool = true) throws(SACError) {
        var config = config
        config.algorithm = .softQ
        try config.validate()
        try super.init(validated: config, trainable: trainable)
        critics.initialize(&random)
    }

    public var alpha: Float { config.resolvedInitialAlpha }

    /// The Boltzmann policy of min(Q₁, Q₂).
    public override func policy(_ observations: UnsafePointer<Float>, rows: Int) {
        let q = critics.minimum(observations, rows: rows, useTargets: false)
        Softmax.rows(q, rows: rows, columns: actionCount, temperature: alpha,
                     probabilities: probabilities.base, logProbabilities: logProbabilities.base)
    }

    /// Both heads, not only their minimum: min(NaN, q) can be q, hiding a broken head.
    override func checkPolicyOutput(rows: Int, firstRow: Int) throws(SACError) {
        try Divergence.checkOutput(critics.critic1.output, rows: rows, columns: actionCount, firstRow: firstRow,
                                   "the first critic's Q-values")
        try Divergence.checkOutput(critics.critic2.output, rows: rows, columns: actionCount, firstRow: firstRow,
                                   "the second critic's Q-values")
    }

    override func gradientStep(on batch: TransitionBatch) throws(SACError) -> UpdateStats {
        var stats = UpdateStats()
        stats.alpha = alpha
        computeTargets(batch)
        (stats.criticLoss, stats.meanQ) = critics.lossAndGradients(batch)
        try Divergence.check(stats.criticLoss, "critic_loss")
        try critics.step(tau: config.tau)
        return stats
    }

    /// y = r + γ(1 − terminated) · α log Σ_b exp(min Q'(s', b)/α).
    func computeTargets(_ batch: TransitionBatch) {
        let n = batch.size
        let q = critics.minimum(batch.nextObservations.base, rows: n, useTargets: true)
        for r in 0..<n {
            let value = Softmax.softMaximum(q + r * actionCount, count: actionCount, temperature: alpha)
            critics.targets[r] = batch.rewards[r] + config.gamma * (1 - batch.terminals[r]) * value
        }
    }
}
