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
    /// log α (one element, a buffer so that Adam can step it, and roll it back, like any parameter).
    public let logAlphaVersions: VersionedBuffer
    /// dJ/d log α of the last `lossAndGradient`.
    let gradient: FloatBuffer
    public let optimizer: Adam
    let isLearned: Bool
    let fixedAlpha: Float
    let targetEntropy: Float

    /// From a resolved config: its initial α, whether α is learned, its target entropy and learning rate.
    init(config: AgentConfig, versioned: Bool, compute: Compute) throws(SACError) {
        logAlphaVersions = try VersionedBuffer(count: 1, versioned: versioned)
        gradient = try FloatBuffer(count: 1)
        optimizer = try Adam(count: 1, learningRate: config.alphaLearningRate, versioned: versioned,
                             vectors: compute.adamVectors)
        isLearned = config.resolvedAutoAlpha
        fixedAlpha = config.resolvedInitialAlpha
        targetEntropy = config.resolvedTargetEntropy
        logAlpha[0] = logf(fixedAlpha)
    }

    /// log α in use.
    public var logAlpha: FloatBuffer { logAlphaVersions.current }

    /// The largest log α whose α = exp(log α) is a finite float (88.72 is not). No lower bound: α
    /// that underflows to 0 is harmless, and a discrete target entropy of 0 drives log α down forever.
    public static let maxLogAlpha: Float = 88

    /// A fixed α is the configured value exactly (exp(log α) would round it).
    public var alpha: Float { isLearned ? expf(logAlpha[0]) : fixedAlpha }

    /// J(log α) for a batch whose mean log-probability is `meanLogProb` (minus its mean entropy);
    /// leaves dJ/d log α in `gradient` and returns J.
    func lossAndGradient(meanLogProb: Float) -> Float {
        let shortfall = meanLogProb + targetEntropy
        gradient[0] = -shortfall
        return -logAlpha[0] * shortfall
    }

    /// One Adam step on J when α is learned; returns J (0 for a fixed α, which never moves). Throws
    /// `.diverged` if J is not finite or the step leaves α outside the floats (the caller rolls back).
    func step(meanLogProb: Float) throws(SACError) -> Float {
        guard isLearned else { return 0 }
        let loss = lossAndGradient(meanLogProb: meanLogProb)
        try Divergence.check(loss, "alpha_loss")
        optimizer.step(logAlphaVersions, gradient)
        try Divergence.check(optimizer, "the temperature's Adam step")
        guard logAlpha[0] <= Self.maxLogAlpha else {
            throw SACError(.diverged, "the temperature's Adam step took log(alpha) to \(logAlpha[0]), above "
                + "\(Self.maxLogAlpha): alpha = exp(log_alpha) would be infinite")
        }
        return loss
    }
}
