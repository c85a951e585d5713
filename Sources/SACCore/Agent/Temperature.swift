#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SAC's temperature α: learned on log α by Adam against the target entropy H̄, or fixed.
///
/// J(log α) = −log α · (mean log π + H̄), with log π detached: α rises while the policy's entropy
/// (−mean log π) is below H̄ and falls while it is above. Continuous and discrete SAC own one each;
/// their checkpoints carry `logAlpha` and the optimizer.
public final class Temperature {
    /// log α (one element, a buffer so that Adam can step it like any parameter).
    public let logAlpha: FloatBuffer
    /// dJ/d log α of the last `lossAndGradient`.
    let gradient: FloatBuffer
    public let optimizer: Adam
    let isLearned: Bool
    let fixedAlpha: Float
    let targetEntropy: Float

    /// From a resolved config: its initial α, whether α is learned, its target entropy and learning rate.
    init(config: AgentConfig) throws(SACError) {
        logAlpha = try FloatBuffer(count: 1)
        gradient = try FloatBuffer(count: 1)
        optimizer = try Adam(count: 1, learningRate: config.alphaLearningRate)
        isLearned = config.resolvedAutoAlpha
        fixedAlpha = config.resolvedInitialAlpha
        targetEntropy = config.resolvedTargetEntropy
        logAlpha[0] = logf(fixedAlpha)
    }

    /// A fixed α is the configured value exactly (exp(log α) would round it).
    public var alpha: Float { isLearned ? expf(logAlpha[0]) : fixedAlpha }

    /// J(log α) for a batch whose mean log-probability is `meanLogProb` (minus its mean entropy);
    /// leaves dJ/d log α in `gradient` and returns J.
    func lossAndGradient(meanLogProb: Float) -> Float {
        let shortfall = meanLogProb + targetEntropy
        gradient[0] = -shortfall
        return -logAlpha[0] * shortfall
    }

    /// One Adam step on J when α is learned; returns J (0 for a fixed α, which never moves).
    func step(meanLogProb: Float) -> Float {
        guard isLearned else { return 0 }
        let loss = lossAndGradient(meanLogProb: meanLogProb)
        optimizer.step(logAlpha, gradient)
        return loss
    }
}
