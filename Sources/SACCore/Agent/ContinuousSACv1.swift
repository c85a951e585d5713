/// The original Soft Actor-Critic (SAC-v1, arXiv 1801.01290): the twin critics learn from a
/// state-value network V through its Polyak-averaged target V', not from target critics:
///
///     critics   y = r + γ (1 − terminated) V'(s')
///     value     ½ mean (V(s) − v̂)²,  v̂ = min(Q₁, Q₂)(s, ã) − α log π(ã|s),  ã ~ π(·|s)  (detached)
///     actor     mean (α log π(ã|s) − min(Q₁, Q₂)(s, ã)),  ã reparameterised
///
/// The value target reuses the actor loss's sample ã and critic evaluation, so a step draws noise
/// once. α is fixed by default, as in the paper (`AgentConfig.autoAlpha` may turn learning on).
public final class ContinuousSACv1: ContinuousActorCritic {
    public let value: MLP
    public let targetValue: MLP
    public let valueOptimizer: Adam
    let valueGradient: FloatBuffer

    public init(config: AgentConfig, trainable: Bool = true) throws(SACError) {
        var config = config
        config.algorithm = .continuousV1
        try config.validate()
        let valueSizes = [config.obsDim] + config.hiddenSizes + [1]
        value = try MLP(sizes: valueSizes, maxBatch: config.batchSize, versioned: trainable)
        targetValue = try MLP(sizes: valueSizes, maxBatch: config.batchSize, versioned: trainable)
        valueOptimizer = try Adam(count: value.parameterCount, learningRate: config.criticLearningRate, versioned: trainable)
        valueGradient = try FloatBuffer(count: config.batchSize)
        try super.init(validated: config, trainable: trainable)
        value.runner = twins
        targetValue.runner = twins
        value.initialize(&random)
        targetValue.parameters.copy(from: value.parameters)
    }

    override func gradientStep(on batch: TransitionBatch) throws(SACError) -> UpdateStats {
        var stats = UpdateStats()
        let alpha = self.alpha
        stats.alpha = alpha
        computeCriticTargets(batch)
        (stats.criticLoss, stats.meanQ) = criticLossAndGradients(batch)
        try Divergence.check(stats.criticLoss, "critic_loss")
        try stepCritics()
        let meanLogProb: Float
        (stats.actorLoss, meanLogProb) = actorLossAndGradients(batch, alpha: alpha)
        stats.valueLoss = valueLossAndGradients(batch, alpha: alpha)
        try Divergence.check(stats.valueLoss, "value_loss")
        valueOptimizer.step(value.parameterVersions, value.gradients)
        try Divergence.check(valueOptimizer, "the value network's Adam step")
        try stepActorAndTemperature(meanLogProb: meanLogProb, into: &stats)
        targetValue.blend(toward: value, tau: config.tau)
        try Divergence.check(blendOf: targetValue, "the target value network")
        return stats
    }

    /// y = r + γ(1 − terminated) V'(s').
    func computeCriticTargets(_ batch: TransitionBatch) {
        let next = targetValue.forward(batch.nextObservations.base, batch: batch.size)
        for r in 0..<batch.size {
            targets[r] = batch.rewards[r] + config.gamma * (1 - batch.terminals[r]) * next[r]
        }
    }

    /// ½·mean(V(s) − v̂)² with v̂ = min Q(s, ã) − α log π(ã|s) from the last `actorLossAndGradients`
    /// (`policyQ`, `actor.logProbs`); leaves dL/dθ in the value network's gradients and returns the loss.
    func valueLossAndGradients(_ batch: TransitionBatch, alpha: Float) -> Float {
        let n = batch.size
        let v = value.forward(batch.observations.base, batch: n)
        var loss: Float = 0
        let scale = 1 / Float(n)
        for r in 0..<n {
            let error = v[r] - (policyQ[r] - alpha * actor.logProbs[r])
            loss += 0.5 * error * error
            valueGradient[r] = error * scale
        }
        value.backward(valueGradient.base, parameterGradients: true)
        return loss * scale
    }
}
