/// Discrete soft Q-learning (Haarnoja et al. 2017, arXiv 1702.08165, in its discrete form): no actor
/// network; the policy is the Boltzmann distribution of the critics,
///
///     π(a|s) = exp(Q(s, a)/α) / Σ_b exp(Q(s, b)/α),   Q = min(Q₁, Q₂)
///     V(s)   = α log Σ_b exp(Q(s, b)/α)   (computed as m + α log Σ exp((Q − m)/α), m = max Q)
///     y      = r + γ (1 − terminated) V'(s')   with Q' = min of the twin target heads
///     loss   ½ mean (Q_i(s, a) − y)²  for each head;  then θ'_i ← τ θ_i + (1 − τ) θ'_i
///
/// α is fixed: `config.initialAlpha`.
final class SoftQLearning: Learner {
    let critics: TwinCritics
    let boltzmann: BoltzmannPolicy
    let actionCount: Int
    let gamma: Float
    let tau: Float
    /// The critics' targets y, [batch].
    let y: FloatBuffer

    init(config: AgentConfig, runner: NetworkRunner, versioned: Bool, compute: Compute,
         random: inout RandomSource) throws(SACError) {
        critics = try TwinCritics(obsDim: config.obsDim, actionWidth: 0, hidden: config.hiddenSizes,
                                  outputs: config.actionCount, maxBatch: config.batchSize,
                                  learningRate: config.criticLearningRate, hasTargets: true, runner: runner,
                                  versioned: versioned, compute: compute)
        boltzmann = try BoltzmannPolicy(critics: critics, alpha: config.resolvedInitialAlpha, maxBatch: config.batchSize)
        (actionCount, gamma, tau) = (config.actionCount, config.gamma, config.tau)
        y = try FloatBuffer(count: config.batchSize)
        critics.initialize(&random)
    }

    var policy: ActingPolicy { .categorical(boltzmann) }
    var alpha: Float { boltzmann.alpha }
    var policyParts: [AgentPart] { [.networks("critics", [critics.critic1, critics.critic2])] }
    var trainingParts: [AgentPart] {
        [.networks("target_critics", [critics.targets.0, critics.targets.1]),
         .optimizers([("critic1", critics.optimizer1), ("critic2", critics.optimizer2)])]
    }

    func gradientStep(on batch: TransitionBatch, blendingTargets: Bool, random: inout RandomSource) throws(SACError)
        -> UpdateStats
    {
        var stats = UpdateStats()
        stats.alpha = alpha
        let y = criticTargets(batch)
        (stats.criticLoss, stats.meanQ) = critics.lossAndGradients(batch, y: y)
        try Divergence.check(stats.criticLoss, "critic_loss")
        try critics.step(tau: blendingTargets ? tau : nil)
        return stats
    }

    /// y = r + γ(1 − terminated) · α log Σ_b exp(min Q'(s', b)/α).
    func criticTargets(_ batch: TransitionBatch) -> UnsafePointer<Float> {
        let n = batch.size
        let q = critics.minimum(batch.nextObservations.base, rows: n, targets: true)
        for r in 0..<n {
            let value = Softmax.softMaximum(q + r * actionCount, count: actionCount, temperature: alpha)
            y[r] = batch.rewards[r] + gamma * (1 - batch.terminals[r]) * value
        }
        return UnsafePointer(y.base)
    }
}
