#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What one gradient step measured.
public struct UpdateStats: Equatable, Sendable {
    public var criticLoss: Float = 0
    public var actorLoss: Float = 0
    public var alpha: Float = 0
    public var alphaLoss: Float = 0
    public var entropy: Float = 0
    public var meanQ: Float = 0
    public init() {}
}

/// Continuous Soft Actor-Critic (SAC-v2, arXiv 1812.05905): squashed-Gaussian actor, twin Q critics
/// with Polyak-averaged targets, temperature learned on log α.
///
/// `update` reads top to bottom like the algorithm (see shared/design/SAC.md): sample a batch,
/// critic targets, critic loss, actor loss, temperature loss, target networks. Every buffer is
/// allocated in `init`; acting, observing and updating allocate nothing.
public final class ContinuousSAC {
    public let config: AgentConfig
    public let actor: SquashedGaussianPolicy
    public let critic1: MLP
    public let critic2: MLP
    public let targetCritic1: MLP
    public let targetCritic2: MLP
    public let actorOptimizer: Adam
    public let critic1Optimizer: Adam
    public let critic2Optimizer: Adam
    public let alphaOptimizer: Adam
    /// log α (one element, a buffer so that Adam can step it like any parameter).
    public let logAlpha: FloatBuffer
    let logAlphaGradient: FloatBuffer
    public let replay: ReplayBuffer
    public var random: RandomSource
    public internal(set) var environmentSteps = 0
    public internal(set) var gradientSteps = 0
    /// False for an agent made from a policy file: it acts, but has no replay buffer to learn from.
    public let isTrainable: Bool

    let batch: TransitionBatch
    /// Workspaces, [batch × …]: critic targets y, dL/dQ for each critic, dL/d(critic input),
    /// dL/da for the actor, and one normalised action for `observe`.
    let targets: FloatBuffer
    let qGradient1: FloatBuffer
    let qGradient2: FloatBuffer
    let criticInputGradient1: FloatBuffer
    let criticInputGradient2: FloatBuffer
    let actionGradient: FloatBuffer
    let normalizedAction: FloatBuffer

    /// Validates `config` and allocates everything. A policy-only agent (`trainable: false`) gets no
    /// replay buffer, the only allocation that grows with training.
    public init(config: AgentConfig, trainable: Bool = true) throws(SACError) {
        try config.validate()
        self.config = config
        isTrainable = trainable
        let (obs, act, hidden, n) = (config.obsDim, config.actionDim, config.hiddenSizes, config.batchSize)
        let criticSizes = [obs + act] + hidden + [1]
        actor = try SquashedGaussianPolicy(obsDim: obs, actionDim: act, hidden: hidden, maxBatch: n)
        critic1 = try MLP(sizes: criticSizes, maxBatch: n)
        critic2 = try MLP(sizes: criticSizes, maxBatch: n)
        targetCritic1 = try MLP(sizes: criticSizes, maxBatch: n)
        targetCritic2 = try MLP(sizes: criticSizes, maxBatch: n)
        actorOptimizer = try Adam(count: actor.network.parameterCount, learningRate: config.actorLearningRate)
        critic1Optimizer = try Adam(count: critic1.parameterCount, learningRate: config.criticLearningRate)
        critic2Optimizer = try Adam(count: critic2.parameterCount, learningRate: config.criticLearningRate)
        alphaOptimizer = try Adam(count: 1, learningRate: config.alphaLearningRate)
        logAlpha = try FloatBuffer(count: 1)
        logAlphaGradient = try FloatBuffer(count: 1)
        replay = try ReplayBuffer(capacity: trainable ? config.replayCapacity : 0, obsDim: obs, actionDim: act)
        batch = try TransitionBatch(size: n, obsDim: obs, actionDim: act)
        targets = try FloatBuffer(count: n)
        qGradient1 = try FloatBuffer(count: n)
        qGradient2 = try FloatBuffer(count: n)
        criticInputGradient1 = try FloatBuffer(count: n * (obs + act))
        criticInputGradient2 = try FloatBuffer(count: n * (obs + act))
        actionGradient = try FloatBuffer(count: n * act)
        normalizedAction = try FloatBuffer(count: act)

        random = RandomSource(seed: config.seed)
        actor.network.initialize(&random)
        critic1.initialize(&random)
        critic2.initialize(&random)
        targetCritic1.parameters.copy(from: critic1.parameters)
        targetCritic2.parameters.copy(from: critic2.parameters)
        logAlpha[0] = logf(config.initialAlpha)
    }

    public var alpha: Float { expf(logAlpha[0]) }

    // MARK: - Acting

    /// Writes `rows` actions in environment units to `output` ([rows × actionDim]).
    /// Stochastic actions are uniform random while fewer than `learningStarts` transitions were seen.
    public func act(_ observations: UnsafePointer<Float>, rows: Int, deterministic: Bool,
                    into output: UnsafeMutablePointer<Float>) {
        let (obsDim, actionDim) = (config.obsDim, config.actionDim)
        var done = 0
        while done < rows {
            let chunk = min(rows - done, actor.maxBatch)
            let obs = observations + done * obsDim
            let out = output + done * actionDim
            if !deterministic && environmentSteps < config.learningStarts {
                for k in 0..<(chunk * actionDim) { out[k] = toEnvironment(random.uniform(-1, 1), k % actionDim) }
            } else {
                if deterministic {
                    actor.meanActions(obs, batch: chunk)
                } else {
                    actor.sample(obs, batch: chunk, random: &random)
                }
                for k in 0..<(chunk * actionDim) { out[k] = toEnvironment(actor.actions[k], k % actionDim) }
            }
            done += chunk
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

    // MARK: - Observing

    /// Stores a transition; `action` is in environment units (clipped to the bounds).
    public func observe(observation: UnsafePointer<Float>, action: UnsafePointer<Float>, reward: Float,
                        nextObservation: UnsafePointer<Float>, terminated: Bool) throws(SACError) {
        try requireTrainable()
        for i in 0..<config.actionDim { normalizedAction[i] = toPolicyRange(action[i], i) }
        replay.add(observation: observation, action: normalizedAction.base, reward: reward,
                   nextObservation: nextObservation, terminated: terminated)
        environmentSteps += 1
    }

    // MARK: - Learning

    public var canUpdate: Bool { isTrainable && replay.count >= config.batchSize }

    public func requireTrainable() throws(SACError) {
        guard isTrainable else {
            throw SACError(.policyOnly, "this agent was loaded from a policy file: it can act but not learn "
                + "(load a checkpoint to continue training)")
        }
    }

    /// One gradient step on a batch sampled from the replay buffer. Requires `canUpdate`.
    @discardableResult
    public func update() -> UpdateStats {
        replay.sample(into: batch, random: &random)
        return update(on: batch)
    }

    /// One SAC gradient step on `batch` (its size must be `config.batchSize`).
    func update(on batch: TransitionBatch) -> UpdateStats {
        var stats = UpdateStats()
        let alpha = self.alpha
        stats.alpha = alpha
        computeCriticTargets(batch, alpha: alpha)
        (stats.criticLoss, stats.meanQ) = criticLossAndGradients(batch)
        critic1Optimizer.step(critic1.parameters, critic1.gradients)
        critic2Optimizer.step(critic2.parameters, critic2.gradients)
        let meanLogProb: Float
        (stats.actorLoss, meanLogProb) = actorLossAndGradients(batch, alpha: alpha)
        actorOptimizer.step(actor.network.parameters, actor.network.gradients)
        stats.entropy = -meanLogProb
        if config.autoAlpha {
            stats.alphaLoss = temperatureLossAndGradient(meanLogProb: meanLogProb)
            alphaOptimizer.step(logAlpha, logAlphaGradient)
        }
        targetCritic1.blend(toward: critic1, tau: config.tau)
        targetCritic2.blend(toward: critic2, tau: config.tau)
        gradientSteps += 1
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

    /// Loss ½·mean(Q₁ − y)² + ½·mean(Q₂ − y)² against the targets of `computeCriticTargets`;
    /// leaves dL/dθ in each critic's gradients. Returns the loss and mean min(Q₁, Q₂) on the stored actions.
    func criticLossAndGradients(_ batch: TransitionBatch) -> (loss: Float, meanQ: Float) {
        let n = batch.size
        let (q1, q2) = evaluateCritics(critic1, critic2, batch.observations.base, batch.actions.base, rows: n)
        let result = twinCriticSquaredError(q1, q2, targets: targets.base, rows: n, width: 1, column: { _ in 0 },
                                            gradient1: qGradient1.base, gradient2: qGradient2.base)
        critic1.backward(qGradient1.base, parameterGradients: true)
        critic2.backward(qGradient2.base, parameterGradients: true)
        return result
    }

    /// Loss mean(α log π(a|s) − min(Q₁, Q₂)(s, a)) with a reparameterised; the critics only pass
    /// gradients through. Leaves dL/dθ in the actor's gradients. Returns the loss and mean log π.
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
            loss += alpha * logProb - (firstIsSmaller ? q1[r] : q2[r])
            sumLogProb += logProb
            // d(−min)/dQ: the gradient flows into whichever critic gave the minimum.
            qGradient1[r] = firstIsSmaller ? -scale : 0
            qGradient2[r] = firstIsSmaller ? 0 : -scale
        }
        critic1.backward(qGradient1.base, parameterGradients: false, inputGradient: criticInputGradient1.base)
        critic2.backward(qGradient2.base, parameterGradients: false, inputGradient: criticInputGradient2.base)
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

    /// J(log α) = −log α · mean(log π + target entropy), log π detached.
    /// Leaves dJ/d log α in `logAlphaGradient` and returns J.
    func temperatureLossAndGradient(meanLogProb: Float) -> Float {
        let shortfall = meanLogProb + config.resolvedTargetEntropy
        logAlphaGradient[0] = -shortfall
        return -logAlpha[0] * shortfall
    }

    /// Both critics of a pair (online or target) on the rows [s, a]; returns their outputs [rows].
    func evaluateCritics(_ first: MLP, _ second: MLP, _ observations: UnsafePointer<Float>,
                  _ actions: UnsafePointer<Float>, rows: Int)
        -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
    {
        writeCriticInput(observations, actions, into: first.input, rows: rows)
        second.input.update(from: first.input, count: rows * first.inputSize)
        return (first.forward(batch: rows), second.forward(batch: rows))
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
