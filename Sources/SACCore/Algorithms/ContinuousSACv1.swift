/// The original Soft Actor-Critic (SAC-v1, arXiv 1801.01290): the twin critics learn from a
/// state-value network V through its Polyak-averaged target V', not from target critics:
///
///     critics   y = r + γ (1 − terminated) V'(s')
///     actor     mean (α log π(ã|s) − min(Q₁, Q₂)(s, ã)),  ã reparameterised
///     value     ½ mean (V(s) − v̂)²,  v̂ = min(Q₁, Q₂)(s, ã) − α log π(ã|s)  (detached)
///     target    θ_V' ← τ θ_V + (1 − τ) θ_V'
///
/// The value target reuses the actor loss's sample ã and critic evaluation, so a step draws noise
/// once. α is fixed by default, as in the paper (`AgentConfig.autoAlpha` may turn learning on).
final class ContinuousSACv1: Learner {
    let actor: SquashedGaussianActor
    let critics: TwinCritics
    let temperature: Temperature
    let value: MLP
    let targetValue: MLP
    let valueOptimizer: Adam
    let gamma: Float
    let tau: Float
    /// The critics' targets y and dL/dV, [batch].
    let y: FloatBuffer
    let valueGradient: FloatBuffer

    /// Draws the actor's weights, the critics', then the value network's.
    init(config: AgentConfig, runner: NetworkRunner, versioned: Bool, compute: Compute,
         random: inout RandomSource) throws(SACError) {
        actor = try SquashedGaussianActor(config: config, runner: runner, versioned: versioned, compute: compute)
        critics = try TwinCritics(obsDim: config.obsDim, actionWidth: config.actionDim, hidden: config.hiddenSizes,
                                  outputs: 1, maxBatch: config.batchSize, learningRate: config.criticLearningRate,
                                  hasTargets: false, runner: runner, versioned: versioned, compute: compute)
        temperature = try Temperature(config: config, versioned: versioned, compute: compute)
        let valueSizes = [config.obsDim] + config.hiddenSizes + [1]
        value = try MLP(sizes: valueSizes, maxBatch: config.batchSize, versioned: versioned, compute: compute)
        targetValue = try MLP(sizes: valueSizes, maxBatch: config.batchSize, versioned: versioned, compute: compute)
        valueOptimizer = try Adam(count: value.parameterCount, learningRate: config.criticLearningRate, versioned: versioned,
                                  vectors: compute.adamVectors)
        (gamma, tau) = (config.gamma, config.tau)
        y = try FloatBuffer(count: config.batchSize)
        valueGradient = try FloatBuffer(count: config.batchSize)
        value.runner = runner
        targetValue.runner = runner
        actor.policy.network.initialize(&random)
        critics.initialize(&random)
        value.initialize(&random)
        targetValue.parameters.copy(from: value.parameters)
    }

    var policy: ActingPolicy { .squashedGaussian(actor.policy) }
    var alpha: Float { temperature.alpha }
    var policyParts: [AgentPart] { [.squashedActor(actor.policy)] }
    var trainingParts: [AgentPart] {
        critics.parts + [.network("value", value), .network("target_value", targetValue),
                         .logAlpha(temperature.logAlphaVersions),
                         .optimizers([("actor", actor.optimizer), ("critic1", critics.optimizer1),
                                      ("critic2", critics.optimizer2), ("value", valueOptimizer),
                                      ("log_alpha", temperature.optimizer)])]
    }

    func gradientStep(on batch: TransitionBatch, blendingTargets: Bool, random: inout RandomSource) throws(SACError)
        -> UpdateStats
    {
        var stats = UpdateStats()
        let alpha = self.alpha
        stats.alpha = alpha
        let y = criticTargets(batch)
        (stats.criticLoss, stats.meanQ) = critics.lossAndGradients(batch, y: y)
        try Divergence.check(stats.criticLoss, "critic_loss")
        try critics.step(tau: blendingTargets ? tau : nil)
        let actorLoss = actor.lossAndGradients(batch, critics: critics, alpha: alpha, random: &random)
        stats.actorLoss = actorLoss.loss
        stats.valueLoss = valueLossAndGradients(batch, smallerQ: actorLoss.smallerQ, logProbs: actorLoss.logProbs,
                                                alpha: alpha)
        try Divergence.check(stats.valueLoss, "value_loss")
        valueOptimizer.step(value.parameterVersions, value.gradients)
        try Divergence.check(valueOptimizer, "the value network's Adam step")
        try actor.step(loss: actorLoss)
        stats.entropy = -actorLoss.meanLogProb
        stats.alphaLoss = try temperature.step(meanLogProb: actorLoss.meanLogProb)
        if blendingTargets {
            targetValue.blend(toward: value, tau: tau)
            try Divergence.check(blendOf: targetValue, "the target value network")
        }
        return stats
    }

    /// y = r + γ(1 − terminated) V'(s').
    func criticTargets(_ batch: TransitionBatch) -> UnsafePointer<Float> {
        let next = targetValue.forward(batch.nextObservations.base, batch: batch.size)
        for r in 0..<batch.size {
            y[r] = batch.rewards[r] + gamma * (1 - batch.terminals[r]) * next[r]
        }
        return UnsafePointer(y.base)
    }

    /// ½·mean(V(s) − v̂)² with v̂ = min Q(s, ã) − α log π(ã|s) from the actor's loss; leaves dL/dθ in
    /// the value network's gradients and returns the loss.
    func valueLossAndGradients(_ batch: TransitionBatch, smallerQ: UnsafePointer<Float>, logProbs: UnsafePointer<Float>,
                               alpha: Float) -> Float {
        let n = batch.size
        let v = value.forward(batch.observations.base, batch: n)
        var loss: Float = 0
        let scale = 1 / Float(n)
        for r in 0..<n {
            let error = v[r] - (smallerQ[r] - alpha * logProbs[r])
            loss += 0.5 * error * error
            valueGradient[r] = error * scale
        }
        value.backward(valueGradient.base, parameterGradients: true)
        return loss * scale
    }
}
