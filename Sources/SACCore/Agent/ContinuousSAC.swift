/// Continuous Soft Actor-Critic (SAC-v2, arXiv 1812.05905): squashed-Gaussian actor, twin Q critics
/// with Polyak-averaged targets, temperature learned on log α.
///
/// `gradientStep` reads top to bottom like the algorithm (see shared/design/SAC.md): critic targets,
/// critic loss, actor loss, temperature loss, target networks. Every buffer is allocated in `init`;
/// acting, observing and updating allocate nothing.
public final class ContinuousSAC: ContinuousActorCritic {
    public let targetCritic1: MLP
    public let targetCritic2: MLP

    public init(config: AgentConfig, trainable: Bool = true) throws(SACError) {
        var config = config
        config.algorithm = .continuous
        try config.validate()
        let criticSizes = [config.obsDim + config.actionDim] + config.hiddenSizes + [1]
        targetCritic1 = try MLP(sizes: criticSizes, maxBatch: config.batchSize, versioned: trainable)
        targetCritic2 = try MLP(sizes: criticSizes, maxBatch: config.batchSize, versioned: trainable)
        try super.init(validated: config, trainable: trainable)
        targetCritic1.parameters.copy(from: critic1.parameters)
        targetCritic2.parameters.copy(from: critic2.parameters)
    }

    override func gradientStep(on batch: TransitionBatch) throws(SACError) -> UpdateStats {
        var stats = UpdateStats()
        let alpha = self.alpha
        stats.alpha = alpha
        computeCriticTargets(batch, alpha: alpha)
        (stats.criticLoss, stats.meanQ) = criticLossAndGradients(batch)
        try Divergence.check(stats.criticLoss, "critic_loss")
        try stepCritics()
        let meanLogProb: Float
        (stats.actorLoss, meanLogProb) = actorLossAndGradients(batch, alpha: alpha)
        try stepActorAndTemperature(meanLogProb: meanLogProb, into: &stats)
        twins.run(.blend(targets: (targetCritic1, targetCritic2), toward: (critic1, critic2), tau: config.tau))
        try Divergence.check(blendOf: targetCritic1, "the first target critic")
        try Divergence.check(blendOf: targetCritic2, "the second target critic")
        return stats
    }

    /// y = r + γ(1 − terminated)(min Q'(s', a') − α log π(a'|s')), a' ~ π(·|s').
    func computeCriticTargets(_ batch: TransitionBatch, alpha: Float) {
        let n = batch.size
        actor.sample(batch.nextObservations.base, batch: n, random: &random)
        let (q1, q2) = evaluateCritics(targetCritic1, targetCritic2, batch.nextObservations.base, actor.actions.base, rows: n)
        for r in 0..<n {
            let softValue = min(q1[r], q2[r]) - alpha * actor.logProbs[r]
            targets[r] = batch.rewards[r] + config.gamma * (1 - batch.terminals[r]) * softValue
        }
    }
}
