#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What both continuous SACs (v1 and v2) share: the squashed-Gaussian actor, twin Q critics on
/// [s, a], the temperature, acting in environment units, and the critic, actor and temperature
/// losses. Where they differ, the critics' target y, lives in the subclasses.
public class ContinuousActorCritic: SACAgent {
    public let actor: SquashedGaussianPolicy
    public let critic1: MLP
    public let critic2: MLP
    public let actorOptimizer: Adam
    public let critic1Optimizer: Adam
    public let critic2Optimizer: Adam
    public let temperature: Temperature

    /// Workspaces, [batch × …]: critic targets y, dL/dQ for each critic, dL/d(critic input),
    /// dL/da for the actor, and min(Q₁, Q₂) at the actor's sampled actions.
    let targets: FloatBuffer
    let qGradient1: FloatBuffer
    let qGradient2: FloatBuffer
    let criticInputGradient1: FloatBuffer
    let criticInputGradient2: FloatBuffer
    let actionGradient: FloatBuffer
    let policyQ: FloatBuffer

    /// Allocates the shared networks; subclasses initialise them (`initializeSharedNetworks`) once
    /// their own are allocated, so the random stream is consumed in one documented order.
    init(validated config: AgentConfig, trainable: Bool) throws(SACError) {
        let (obs, act, hidden, n) = (config.obsDim, config.actionDim, config.hiddenSizes, config.batchSize)
        let criticSizes = [obs + act] + hidden + [1]
        let learns = trainable  // only what trains keeps versions to roll back to
        actor = try SquashedGaussianPolicy(obsDim: obs, actionDim: act, hidden: hidden, maxBatch: n, versioned: learns)
        critic1 = try MLP(sizes: criticSizes, maxBatch: n, versioned: learns)
        critic2 = try MLP(sizes: criticSizes, maxBatch: n, versioned: learns)
        actorOptimizer = try Adam(count: actor.network.parameterCount, learningRate: config.actorLearningRate, versioned: learns)
        critic1Optimizer = try Adam(count: critic1.parameterCount, learningRate: config.criticLearningRate, versioned: learns)
        critic2Optimizer = try Adam(count: critic2.parameterCount, learningRate: config.criticLearningRate, versioned: learns)
        temperature = try Temperature(config: config.resolved, versioned: learns)
        targets = try FloatBuffer(count: n)
        qGradient1 = try FloatBuffer(count: n)
        qGradient2 = try FloatBuffer(count: n)
        criticInputGradient1 = try FloatBuffer(count: n * (obs + act))
        criticInputGradient2 = try FloatBuffer(count: n * (obs + act))
        actionGradient = try FloatBuffer(count: n * act)
        policyQ = try FloatBuffer(count: n)
        try super.init(validated: config, trainable: trainable)
        actor.network.runner = twins  // the actor is no twin: its products are what a second thread can split
        actor.network.initialize(&random)
        critic1.initialize(&random)
        critic2.initialize(&random)
    }

    public var alpha: Float { temperature.alpha }

    // MARK: - Acting and observing

    public override func act(_ observations: UnsafePointer<Float>, rows: Int, deterministic: Bool,
                             into output: UnsafeMutablePointer<Float>) throws(SACError) {
        let (obsDim, actionDim) = (config.obsDim, config.actionDim)
        try inChunks(rows: rows) { (first, count, write) throws(SACError) in
            let out = output + first * actionDim
            if !deterministic && isWarmingUp {
                for k in 0..<(count * actionDim) {
                    let action = toEnvironment(random.uniform(-1, 1), k % actionDim)
                    if write { out[k] = action }
                }
                return
            }
            let obs = observations + first * obsDim
            if deterministic {
                actor.meanActions(obs, batch: count)
            } else {
                actor.sample(obs, batch: count, random: &random)
            }
            try Divergence.checkOutput(actor.network.output, rows: count, columns: 2 * actionDim, firstRow: first,
                                       "the actor's output (means and log standard deviations)")
            if write {
                for k in 0..<(count * actionDim) { out[k] = toEnvironment(actor.actions[k], k % actionDim) }
            }
        }
    }

    @inline(__always)
    func toEnvironment(_ normalized: Float, _ i: Int) -> Float {
        let (lo, hi) = (config.low(i), config.high(i))
        return min(max(lo + (normalized + 1) * 0.5 * (hi - lo), lo), hi)
    }

    @inline(__always)
    func toPolicyRange(_ action: Float, _ i: Int) -> Float {
        let (lo, hi) = (config.low(i), config.high(i))
        return min(max(2 * (action - lo) / (hi - lo) - 1, -1), 1)
    }

    /// Environment units to the policy's [-1, 1], clipped as environments clip.
    override func storeAction(_ action: UnsafePointer<Float>) throws(SACError) {
        writePolicyRange(action, into: storedAction.base, rows: 1)
    }

    /// `rows` actions in environment units to the policy's [-1, 1] (clipped), as the replay stores them.
    public func writePolicyRange(_ actions: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, rows: Int) {
        let width = config.actionDim
        for k in 0..<(rows * width) { output[k] = toPolicyRange(actions[k], k % width) }
    }

    // MARK: - Losses

    /// Loss ½·mean(Q₁ − y)² + ½·mean(Q₂ − y)² against `targets`; leaves dL/dθ in each critic's
    /// gradients. Returns the loss and mean min(Q₁, Q₂) on the stored actions.
    func criticLossAndGradients(_ batch: TransitionBatch) -> (loss: Float, meanQ: Float) {
        let n = batch.size
        let (q1, q2) = evaluateCritics(critic1, critic2, batch.observations.base, batch.actions.base, rows: n)
        let result = twinCriticSquaredError(q1, q2, targets: targets.base, rows: n, width: 1, column: { _ in 0 },
                                            gradient1: qGradient1.base, gradient2: qGradient2.base)
        twins.run(.backward(critic1, critic2, outputGradients: (qGradient1.base, qGradient2.base), parameterGradients: true,
                            inputGradients: nil))
        return result
    }

    /// Loss mean(α log π(a|s) − min(Q₁, Q₂)(s, a)) with a reparameterised; the critics only pass
    /// gradients through. Leaves dL/dθ in the actor's gradients, min(Q₁, Q₂)(s, a) in `policyQ` and
    /// log π(a|s) in `actor.logProbs`. Returns the loss and mean log π.
    func actorLossAndGradients(_ batch: TransitionBatch, alpha: Float) -> (loss: Float, meanLogProb: Float) {
        let n = batch.size
        let (obsDim, actionDim) = (config.obsDim, config.actionDim)
        actor.sample(batch.observations.base, batch: n, random: &random)
        let (q1, q2) = evaluateCritics(critic1, critic2, batch.observations.base, actor.actions.base, rows: n)
        var loss: Float = 0
        var sumLogProb: Float = 0
        let scale = 1 / Float(n)
        for r in 0..<n {
            let logProb = actor.logProbs[r]
            let firstIsSmaller = q1[r] <= q2[r]
            policyQ[r] = firstIsSmaller ? q1[r] : q2[r]
            loss += alpha * logProb - policyQ[r]
            sumLogProb += logProb
            // d(−min)/dQ: the gradient flows into whichever critic gave the minimum.
            qGradient1[r] = firstIsSmaller ? -scale : 0
            qGradient2[r] = firstIsSmaller ? 0 : -scale
        }
        twins.run(.backward(critic1, critic2, outputGradients: (qGradient1.base, qGradient2.base), parameterGradients: false,
                            inputGradients: (criticInputGradient1.base, criticInputGradient2.base)))
        let width = obsDim + actionDim
        for r in 0..<n {
            for i in 0..<actionDim {
                let k = r * width + obsDim + i
                actionGradient[r * actionDim + i] = criticInputGradient1[k] + criticInputGradient2[k]
            }
        }
        actor.backward(actionGradient: actionGradient.base, logProbGradient: alpha * scale)
        return (loss * scale, sumLogProb * scale)
    }

    /// One Adam step on each critic.
    func stepCritics() throws(SACError) {
        twins.run(.adamStep((critic1Optimizer, critic1), (critic2Optimizer, critic2)))
        try Divergence.check(critic1Optimizer, "the first critic's Adam step")
        try Divergence.check(critic2Optimizer, "the second critic's Adam step")
    }

    /// The actor's Adam step and, when α is learned, the temperature's; fills the stats they own.
    func stepActorAndTemperature(meanLogProb: Float, into stats: inout UpdateStats) throws(SACError) {
        try Divergence.check(stats.actorLoss, "actor_loss")
        actorOptimizer.step(actor.network.parameterVersions, actor.network.gradients)
        try Divergence.check(actorOptimizer, "the actor's Adam step")
        stats.entropy = -meanLogProb
        stats.alphaLoss = try temperature.step(meanLogProb: meanLogProb)
    }

    /// Both critics of a pair (online or target) on the rows [s, a]; returns their outputs [rows].
    func evaluateCritics(_ first: MLP, _ second: MLP, _ observations: UnsafePointer<Float>,
                         _ actions: UnsafePointer<Float>, rows: Int)
        -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
    {
        writeCriticInput(observations, actions, into: first.input, rows: rows)
        twins.run(.forward(first, second, rows: rows, input: nil))
        return (first.output, second.output)
    }

    /// Rows [s, a] of a critic input.
    func writeCriticInput(_ observations: UnsafePointer<Float>, _ actions: UnsafePointer<Float>,
                          into input: UnsafeMutablePointer<Float>, rows: Int) {
        let (obsDim, actionDim) = (config.obsDim, config.actionDim)
        let width = obsDim + actionDim
        for r in 0..<rows {
            (input + r * width).update(from: observations + r * obsDim, count: obsDim)
            (input + r * width + obsDim).update(from: actions + r * actionDim, count: actionDim)
        }
    }
}
