#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Discrete-action Soft Actor-Critic (Christodoulou 2019, arXiv 1910.07207): a softmax policy over
/// `actionCount` actions and twin critics that output one Q value per action. Expectations over
/// actions are exact sums, so nothing is reparameterised:
///
///     V(s')      = Σ_a π(a|s') [min Q'(s', a) − α log π(a|s')]
///     y          = r + γ (1 − terminated) V(s')
///     critics    ½ mean (Q_i(s, a) − y)²  for the stored action a
///     actor      mean_s Σ_a π(a|s) [α log π(a|s) − min Q(s, a)]     (Q detached)
///     α          J = −log α · (−H(π(·|s)) + H̄),  H̄ = target_entropy_scale · log(actionCount) by default
public final class DiscreteSAC: DiscreteAgent {
    /// Outputs the policy's logits, one per action.
    public let actor: MLP
    public let actorOptimizer: Adam
    public let temperature: Temperature
    /// dL/d logits, [batch × actionCount].
    let logitGradient: FloatBuffer

    public init(config: AgentConfig, trainable: Bool = true) throws(SACError) {
        var config = config
        config.algorithm = .discrete
        try config.validate()
        actor = try MLP(sizes: [config.obsDim] + config.hiddenSizes + [config.actionCount], maxBatch: config.batchSize,
                        versioned: trainable)
        actorOptimizer = try Adam(count: actor.parameterCount, learningRate: config.actorLearningRate, versioned: trainable)
        temperature = try Temperature(config: config.resolved, versioned: trainable)
        logitGradient = try FloatBuffer(count: config.batchSize * config.actionCount)
        try super.init(validated: config, trainable: trainable)
        actor.runner = twins  // the actor is no twin: its products are what a second thread can split
        actor.initialize(&random)
        critics.initialize(&random)
    }

    public var alpha: Float { temperature.alpha }

    override func gradientStep(on batch: TransitionBatch) throws(SACError) -> UpdateStats {
        var stats = UpdateStats()
        let alpha = self.alpha
        stats.alpha = alpha
        computeCriticTargets(batch, alpha: alpha)
        (stats.criticLoss, stats.meanQ) = critics.lossAndGradients(batch)
        try Divergence.check(stats.criticLoss, "critic_loss")
        try critics.step(tau: config.tau)
        let entropy: Float
        (stats.actorLoss, entropy) = actorLossAndGradients(batch, alpha: alpha)
        try Divergence.check(stats.actorLoss, "actor_loss")
        actorOptimizer.step(actor.parameterVersions, actor.gradients)
        try Divergence.check(actorOptimizer, "the actor's Adam step")
        stats.entropy = entropy
        stats.alphaLoss = try temperature.step(meanLogProb: -entropy)
        return stats
    }

    /// Softmax of the actor's logits (log-sum-exp with the maximum subtracted, finite for any logits).
    public override func policy(_ observations: UnsafePointer<Float>, rows: Int) {
        let logits = actor.forward(observations, batch: rows)
        Softmax.rows(logits, rows: rows, columns: actionCount, temperature: 1,
                     probabilities: probabilities.base, logProbabilities: logProbabilities.base)
    }

    override func checkPolicyOutput(rows: Int, firstRow: Int) throws(SACError) {
        try Divergence.checkOutput(actor.output, rows: rows, columns: actionCount, firstRow: firstRow, "the actor's logits")
    }

    /// y = r + γ(1 − terminated) Σ_a π(a|s') [min Q'(s', a) − α log π(a|s')].
    func computeCriticTargets(_ batch: TransitionBatch, alpha: Float) {
        let n = batch.size
        policy(batch.nextObservations.base, rows: n)
        let q = critics.minimum(batch.nextObservations.base, rows: n, useTargets: true)
        for r in 0..<n {
            var softValue: Float = 0
            for a in 0..<actionCount {
                let k = r * actionCount + a
                softValue += probabilities[k] * (q[k] - alpha * logProbabilities[k])
            }
            critics.targets[r] = batch.rewards[r] + config.gamma * (1 - batch.terminals[r]) * softValue
        }
    }

    /// mean_s Σ_a π(a|s)[α log π(a|s) − min Q(s, a)], with the critics detached. With
    /// f_a = α log π_a − q_a and L_s = Σ_a π_a f_a, dL_s/dz_j = π_j (f_j − L_s) for the logits z (the
    /// α·d log π term sums to zero). Returns the loss and the mean policy entropy.
    func actorLossAndGradients(_ batch: TransitionBatch, alpha: Float) -> (loss: Float, entropy: Float) {
        let n = batch.size
        let q = critics.minimum(batch.observations.base, rows: n, useTargets: false)
        policy(batch.observations.base, rows: n)
        var loss: Float = 0
        var entropy: Float = 0
        let scale = 1 / Float(n)
        for r in 0..<n {
            var rowLoss: Float = 0
            for a in 0..<actionCount {
                let k = r * actionCount + a
                let f = alpha * logProbabilities[k] - q[k]
                logitGradient[k] = f
                rowLoss += probabilities[k] * f
                entropy -= probabilities[k] * logProbabilities[k]
            }
            for a in 0..<actionCount {
                let k = r * actionCount + a
                logitGradient[k] = probabilities[k] * (logitGradient[k] - rowLoss) * scale
            }
            loss += rowLoss
        }
        actor.backward(logitGradient.base, parameterGradients: true)
        return (loss * scale, entropy * scale)
    }
}
