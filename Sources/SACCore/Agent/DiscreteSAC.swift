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
///     α          J = −log α · (−H(π(·|s)) + H̄),  H̄ = targetEntropyScale · log(actionCount)
///
/// Not yet reachable through the C ABI (issue 8 wires it up); the core and its tests come first.
public final class DiscreteSAC {
    public let obsDim: Int
    public let actionCount: Int
    public let batchSize: Int
    public let gamma: Float
    public let tau: Float
    public let autoAlpha: Bool
    public let targetEntropy: Float
    public let actor: MLP
    public let critics: DiscreteTwinCritics
    public let actorOptimizer: Adam
    public let alphaOptimizer: Adam
    public let logAlpha: FloatBuffer
    let logAlphaGradient: FloatBuffer
    public var random: RandomSource

    /// Workspaces [batch × actionCount]: softmax probabilities, their logs, and dL/d logits.
    public let probabilities: FloatBuffer
    let logProbabilities: FloatBuffer
    let logitGradient: FloatBuffer

    public init(obsDim: Int, actionCount: Int, hidden: [Int], batchSize: Int, learningRate: Float = 3e-4,
                gamma: Float = 0.99, tau: Float = 0.005, initialAlpha: Float = 1, autoAlpha: Bool = true,
                targetEntropyScale: Float = 0.98, seed: UInt64 = 0) throws(SACError) {
        try DiscreteTwinCritics.checkActionCount(actionCount)
        self.obsDim = obsDim
        self.actionCount = actionCount
        self.batchSize = batchSize
        self.gamma = gamma
        self.tau = tau
        self.autoAlpha = autoAlpha
        targetEntropy = targetEntropyScale * logf(Float(actionCount))
        let sizes = [obsDim] + hidden + [actionCount]
        random = RandomSource(seed: seed)
        actor = try MLP(sizes: sizes, maxBatch: batchSize)
        actor.initialize(&random)
        critics = try DiscreteTwinCritics(sizes: sizes, maxBatch: batchSize, learningRate: learningRate, random: &random)
        actorOptimizer = try Adam(count: actor.parameterCount, learningRate: learningRate)
        alphaOptimizer = try Adam(count: 1, learningRate: learningRate)
        logAlpha = try FloatBuffer(count: 1)
        logAlphaGradient = try FloatBuffer(count: 1)
        probabilities = try FloatBuffer(count: batchSize * actionCount)
        logProbabilities = try FloatBuffer(count: batchSize * actionCount)
        logitGradient = try FloatBuffer(count: batchSize * actionCount)
        logAlpha[0] = logf(initialAlpha)
    }

    public var alpha: Float { expf(logAlpha[0]) }

    /// One gradient step on `batch`, whose actions hold action indices (as floats).
    @discardableResult
    public func update(on batch: TransitionBatch) -> UpdateStats {
        var stats = UpdateStats()
        let alpha = self.alpha
        stats.alpha = alpha
        computeCriticTargets(batch, alpha: alpha)
        (stats.criticLoss, stats.meanQ) = critics.lossAndGradients(batch)
        critics.step(tau: tau)
        let entropy: Float
        (stats.actorLoss, entropy) = actorLossAndGradients(batch, alpha: alpha)
        actorOptimizer.step(actor.parameters, actor.gradients)
        stats.entropy = entropy
        if autoAlpha {
            stats.alphaLoss = temperatureLossAndGradient(entropy: entropy)
            alphaOptimizer.step(logAlpha, logAlphaGradient)
        }
        return stats
    }

    /// Softmax of the actor's logits for `rows` observations into `probabilities` and
    /// `logProbabilities` (log-sum-exp with the maximum subtracted, finite for any logits).
    public func policy(_ observations: UnsafePointer<Float>, rows: Int) {
        let logits = actor.forward(observations, batch: rows)
        Softmax.rows(logits, rows: rows, columns: actionCount, temperature: 1,
                     probabilities: probabilities.base, logProbabilities: logProbabilities.base)
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
            critics.targets[r] = batch.rewards[r] + gamma * (1 - batch.terminals[r]) * softValue
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

    /// J(log α) = −log α · (−H + H̄) with the batch's mean entropy H; leaves dJ/d log α and returns J.
    func temperatureLossAndGradient(entropy: Float) -> Float {
        let shortfall = -entropy + targetEntropy
        logAlphaGradient[0] = -shortfall
        return -logAlpha[0] * shortfall
    }
}
