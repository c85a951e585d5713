/// Discrete-action Soft Actor-Critic (Christodoulou 2019, arXiv 1910.07207): a softmax policy over
/// `actionCount` actions and twin critics that output one Q value per action. Expectations over
/// actions are exact sums, so nothing is reparameterised:
///
///     V(s')      = Σ_a π(a|s') [min Q'(s', a) − α log π(a|s')]
///     y          = r + γ (1 − terminated) V(s')
///     critics    ½ mean (Q_i(s, a) − y)²  for the stored action a;  then θ'_i ← τ θ_i + (1 − τ) θ'_i
///     actor      mean_s Σ_a π(a|s) [α log π(a|s) − min Q(s, a)]     (Q detached)
///     α          J = −log α · (−H(π(·|s)) + H̄),  H̄ = target_entropy_scale · log(actionCount) by default
final class DiscreteSAC: Learner {
    let actor: SoftmaxPolicy
    let actorOptimizer: Adam
    let critics: TwinCritics
    let temperature: Temperature
    let actionCount: Int
    let gamma: Float
    let tau: Float
    /// The critics' targets y [batch] and dL/d logits [batch × actionCount].
    let y: FloatBuffer
    let logitGradient: FloatBuffer

    /// Draws the actor's weights, then the critics'.
    init(config: AgentConfig, runner: NetworkRunner, versioned: Bool, compute: Compute,
         random: inout RandomSource) throws(SACError) {
        let (n, count) = (config.batchSize, config.actionCount)
        actor = try SoftmaxPolicy(obsDim: config.obsDim, hidden: config.hiddenSizes, actionCount: count, maxBatch: n,
                                  versioned: versioned, compute: compute)
        actorOptimizer = try Adam(count: actor.network.parameterCount, learningRate: config.actorLearningRate,
                                  versioned: versioned, vectors: compute.adamVectors)
        critics = try TwinCritics(obsDim: config.obsDim, actionWidth: 0, hidden: config.hiddenSizes, outputs: count,
                                  maxBatch: n, learningRate: config.criticLearningRate, hasTargets: true, runner: runner,
                                  versioned: versioned, compute: compute)
        temperature = try Temperature(config: config, versioned: versioned, compute: compute)
        (actionCount, gamma, tau) = (count, config.gamma, config.tau)
        y = try FloatBuffer(count: n)
        logitGradient = try FloatBuffer(count: n * count)
        actor.network.runner = runner  // the actor is no twin: its products are what more threads can split
        actor.network.initialize(&random)
        critics.initialize(&random)
    }

    var policy: ActingPolicy { .categorical(actor) }
    var alpha: Float { temperature.alpha }
    var policyParts: [AgentPart] { [.softmaxActor(actor.network)] }
    var trainingParts: [AgentPart] {
        critics.parts + [.logAlpha(temperature.logAlphaVersions),
                         .optimizers([("actor", actorOptimizer), ("critic1", critics.optimizer1),
                                      ("critic2", critics.optimizer2), ("log_alpha", temperature.optimizer)])]
    }

    func gradientStep(on batch: TransitionBatch, blendingTargets: Bool, random: inout RandomSource) throws(SACError)
        -> UpdateStats
    {
        var stats = UpdateStats()
        let alpha = self.alpha
        stats.alpha = alpha
        let y = criticTargets(batch, alpha: alpha)
        (stats.criticLoss, stats.meanQ) = critics.lossAndGradients(batch, y: y)
        try Divergence.check(stats.criticLoss, "critic_loss")
        try critics.step(tau: blendingTargets ? tau : nil)
        let entropy: Float
        (stats.actorLoss, entropy) = actorLossAndGradients(batch, alpha: alpha)
        try Divergence.check(stats.actorLoss, "actor_loss")
        actorOptimizer.step(actor.network.parameterVersions, actor.network.gradients)
        try Divergence.check(actorOptimizer, "the actor's Adam step")
        stats.entropy = entropy
        stats.alphaLoss = try temperature.step(meanLogProb: -entropy)
        return stats
    }

    /// y = r + γ(1 − terminated) Σ_a π(a|s') [min Q'(s', a) − α log π(a|s')].
    func criticTargets(_ batch: TransitionBatch, alpha: Float) -> UnsafePointer<Float> {
        let n = batch.size
        let (p, logP) = actor.distribution(batch.nextObservations.base, rows: n)
        let q = critics.minimum(batch.nextObservations.base, rows: n, targets: true)
        for r in 0..<n {
            var softValue: Float = 0
            for a in 0..<actionCount {
                let k = r * actionCount + a
                softValue += p[k] * (q[k] - alpha * logP[k])
            }
            y[r] = batch.rewards[r] + gamma * (1 - batch.terminals[r]) * softValue
        }
        return UnsafePointer(y.base)
    }

    /// mean_s Σ_a π(a|s)[α log π(a|s) − min Q(s, a)], with the critics detached. With
    /// f_a = α log π_a − q_a and L_s = Σ_a π_a f_a, dL_s/dz_j = π_j (f_j − L_s) for the logits z (the
    /// α·d log π term sums to zero). Leaves dL/dθ in the actor; returns the loss and the mean entropy.
    func actorLossAndGradients(_ batch: TransitionBatch, alpha: Float) -> (loss: Float, entropy: Float) {
        let n = batch.size
        let q = critics.minimum(batch.observations.base, rows: n, targets: false)
        let (p, logP) = actor.distribution(batch.observations.base, rows: n)
        var loss: Float = 0
        var entropy: Float = 0
        let scale = 1 / Float(n)
        for r in 0..<n {
            var rowLoss: Float = 0
            for a in 0..<actionCount {
                let k = r * actionCount + a
                let f = alpha * logP[k] - q[k]
                logitGradient[k] = f
                rowLoss += p[k] * f
                entropy -= p[k] * logP[k]
            }
            for a in 0..<actionCount {
                let k = r * actionCount + a
                logitGradient[k] = p[k] * (logitGradient[k] - rowLoss) * scale
            }
            loss += rowLoss
        }
        actor.network.backward(logitGradient.base, parameterGradients: true)
        return (loss * scale, entropy * scale)
    }
}
