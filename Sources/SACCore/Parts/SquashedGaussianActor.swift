/// The continuous actor that SAC and SAC-v1 share: a squashed-Gaussian policy, its optimizer, and
/// its loss through the twin critics,
///
///     mean(α log π(ã|s) − min(Q₁, Q₂)(s, ã)),  ã = tanh(μ + σε) reparameterised, the critics detached.
final class SquashedGaussianActor {
    let policy: SquashedGaussianPolicy
    let optimizer: Adam
    /// Workspaces [batch × …]: d(loss)/dQ for each critic, dL/da, min(Q₁, Q₂) at ã.
    let qGradient1: FloatBuffer
    let qGradient2: FloatBuffer
    let actionGradient: FloatBuffer
    let smallerQ: FloatBuffer

    /// What the loss computed, for the temperature's loss and SAC-v1's value target.
    struct Loss {
        var loss: Float
        var meanLogProb: Float
        /// min(Q₁, Q₂)(s, ã) and log π(ã|s) per row, valid until the next call.
        var smallerQ: UnsafePointer<Float>
        var logProbs: UnsafePointer<Float>
    }

    init(config: AgentConfig, runner: NetworkRunner, versioned: Bool, compute: Compute) throws(SACError) {
        let (n, actionDim) = (config.batchSize, config.actionDim)
        policy = try SquashedGaussianPolicy(obsDim: config.obsDim, actionDim: actionDim, hidden: config.hiddenSizes,
                                            maxBatch: n, versioned: versioned, compute: compute)
        optimizer = try Adam(count: policy.network.parameterCount, learningRate: config.actorLearningRate,
                             versioned: versioned, vectors: compute.adamVectors)
        qGradient1 = try FloatBuffer(count: n)
        qGradient2 = try FloatBuffer(count: n)
        actionGradient = try FloatBuffer(count: n * actionDim)
        smallerQ = try FloatBuffer(count: n)
        policy.network.runner = runner  // the actor is no twin: its products are what more threads can split
    }

    /// The loss on `batch`, drawing ε from `random`; leaves dL/dθ in the actor's gradients.
    func lossAndGradients(_ batch: TransitionBatch, critics: TwinCritics, alpha: Float,
                          random: inout RandomSource) -> Loss {
        let n = batch.size
        policy.sample(batch.observations.base, batch: n, random: &random)
        let (q1, q2) = critics.evaluate(critics.online, batch.observations.base, actions: policy.actions.base, rows: n)
        var loss: Float = 0
        var sumLogProb: Float = 0
        let scale = 1 / Float(n)
        for r in 0..<n {
            let logProb = policy.logProbs[r]
            let firstIsSmaller = q1[r] <= q2[r]
            smallerQ[r] = firstIsSmaller ? q1[r] : q2[r]
            loss += alpha * logProb - smallerQ[r]
            sumLogProb += logProb
            // d(−min)/dQ: the gradient flows into whichever critic gave the minimum.
            qGradient1[r] = firstIsSmaller ? -scale : 0
            qGradient2[r] = firstIsSmaller ? 0 : -scale
        }
        critics.actionGradient(outputGradients: (qGradient1.base, qGradient2.base), rows: n, into: actionGradient.base)
        policy.backward(actionGradient: actionGradient.base, logProbGradient: alpha * scale)
        return Loss(loss: loss * scale, meanLogProb: sumLogProb * scale, smallerQ: UnsafePointer(smallerQ.base),
                    logProbs: UnsafePointer(policy.logProbs.base))
    }

    /// The actor's Adam step on the gradients of the last loss.
    func step(loss: Loss) throws(SACError) {
        try Divergence.check(loss.loss, "actor_loss")
        optimizer.step(policy.network.parameterVersions, policy.network.gradients)
        try Divergence.check(optimizer, "the actor's Adam step")
    }
}
