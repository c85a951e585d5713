/// Continuous Soft Actor-Critic (SAC-v2, arXiv 1812.05905): squashed-Gaussian actor, twin Q critics
/// with Polyak-averaged targets, temperature learned on log α (see shared/design/SAC.md):
///
///     critics   y = r + γ (1 − terminated) (min Q'(s', a') − α log π(a'|s')),  a' ~ π(·|s')
///               ½ mean (Q_i(s, a) − y)²  for each critic
///     actor     mean (α log π(ã|s) − min(Q₁, Q₂)(s, ã)),  ã reparameterised
///     α         J = −log α · (mean log π(ã|s) + H̄)
///     targets   θ'_i ← τ θ_i + (1 − τ) θ'_i
///
/// Every buffer is allocated in `init`; a gradient step allocates nothing.
final class ContinuousSAC: Learner {
    let actor: SquashedGaussianActor
    let critics: TwinCritics
    let temperature: Temperature
    let gamma: Float
    let tau: Float
    /// The critics' targets y, [batch].
    let y: FloatBuffer

    /// Draws the actor's weights, then the critics'.
    init(config: AgentConfig, runner: NetworkRunner, versioned: Bool, compute: Compute,
         random: inout RandomSource) throws(SACError) {
        actor = try SquashedGaussianActor(config: config, runner: runner, versioned: versioned, compute: compute)
        critics = try TwinCritics(obsDim: config.obsDim, actionWidth: config.actionDim, hidden: config.hiddenSizes,
                                  outputs: 1, maxBatch: config.batchSize, learningRate: config.criticLearningRate,
                                  hasTargets: true, runner: runner, versioned: versioned, compute: compute)
        temperature = try Temperature(config: config, versioned: versioned, compute: compute)
        (gamma, tau) = (config.gamma, config.tau)
        y = try FloatBuffer(count: config.batchSize)
        actor.policy.network.initialize(&random)
        critics.initialize(&random)
    }

    var policy: ActingPolicy { .squashedGaussian(actor.policy) }
    var alpha: Float { temperature.alpha }
    var policyParts: [AgentPart] { [.squashedActor(actor.policy)] }
    var trainingParts: [AgentPart] {
        critics.parts + [.logAlpha(temperature.logAlphaVersions),
                         .optimizers([("actor", actor.optimizer), ("critic1", critics.optimizer1),
                                      ("critic2", critics.optimizer2), ("log_alpha", temperature.optimizer)])]
    }

    func gradientStep(on batch: TransitionBatch, blendingTargets: Bool, random: inout RandomSource) throws(SACError)
        -> UpdateStats
    {
        var stats = UpdateStats()
        let alpha = self.alpha
        stats.alpha = alpha
        let y = criticTargets(batch, alpha: alpha, random: &random)
        (stats.criticLoss, stats.meanQ) = critics.lossAndGradients(batch, y: y)
        try Divergence.check(stats.criticLoss, "critic_loss")
        try critics.step(tau: blendingTargets ? tau : nil)
        let actorLoss = actor.lossAndGradients(batch, critics: critics, alpha: alpha, random: &random)
        stats.actorLoss = actorLoss.loss
        try actor.step(loss: actorLoss)
        stats.entropy = -actorLoss.meanLogProb
        stats.alphaLoss = try temperature.step(meanLogProb: actorLoss.meanLogProb)
        return stats
    }

    /// y = r + γ(1 − terminated)(min Q'(s', a') − α log π(a'|s')), a' ~ π(·|s').
    func criticTargets(_ batch: TransitionBatch, alpha: Float, random: inout RandomSource) -> UnsafePointer<Float> {
        let n = batch.size
        let policy = actor.policy
        policy.sample(batch.nextObservations.base, batch: n, random: &random)
        let (q1, q2) = critics.evaluate(critics.targets, batch.nextObservations.base, actions: policy.actions.base, rows: n)
        for r in 0..<n {
            let softValue = min(q1[r], q2[r]) - alpha * policy.logProbs[r]
            y[r] = batch.rewards[r] + gamma * (1 - batch.terminals[r]) * softValue
        }
        return UnsafePointer(y.base)
    }
}
