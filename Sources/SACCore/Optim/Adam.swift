#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CKernels

/// Adam (Kingma & Ba 2015) over one flat parameter buffer, with PyTorch's update rule:
/// θ ← θ − lr/(1−β₁ᵗ) · m / (sqrt(v)/sqrt(1−β₂ᵗ) + ε).
///
/// Parameters and moments are `VersionedBuffer`s: a step writes new versions beside the old ones, and
/// `rollback` restores the moments and the step count of the last `commit` (the divergence guard's
/// undo; the parameters' owner rolls those back).
public final class Adam {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// First and second moment estimates, one per parameter.
    public let firstMoments: VersionedBuffer
    public let secondMoments: VersionedBuffer
    /// Number of steps taken (t in the bias corrections).
    public var stepCount: Int = 0
    private var committedStepCount = 0
    /// False when the last step wrote a NaN or an infinity (parameter or moment).
    public private(set) var lastStepWasFinite = true

    /// The vector width of the element-wise step; every choice gives the same bits (tests run each one).
    public let vectors: VectorWidth

    /// `versioned` false: moments without undo (an agent that never trains).
    public init(count: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, versioned: Bool = true, vectors: VectorWidth = .widest) throws(SACError) {
        self.vectors = vectors
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = try VersionedBuffer(count: count, versioned: versioned)
        secondMoments = try VersionedBuffer(count: count, versioned: versioned)
    }

    /// The moments in use.
    public var firstMoment: FloatBuffer { firstMoments.current }
    public var secondMoment: FloatBuffer { secondMoments.current }

    /// One step: new versions of `parameters` and of the moments. Sets `lastStepWasFinite`.
    public func step(_ parameters: VersionedBuffer, _ gradients: FloatBuffer) {
        stepCount += 1
        let t = Double(stepCount)
        let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
        let secondCorrection = Float((1 - pow(Double(beta2), t)).squareRoot())
        let finite = libsac_adam_step(parameters.current.base, parameters.next.base, gradients.base,
                                      firstMoments.current.base, firstMoments.next.base,
                                      secondMoments.current.base, secondMoments.next.base, gradients.count,
                                      beta1, beta2, stepSize, secondCorrection, epsilon, vectors.rawValue)
        parameters.advance()
        firstMoments.advance()
        secondMoments.advance()
        lastStepWasFinite = finite != 0
    }

    /// The moments and step count in use become what `rollback` returns to.
    public func commit() {
        firstMoments.commit()
        secondMoments.commit()
        committedStepCount = stepCount
    }

    /// Back to the moments and step count of the last `commit`.
    public func rollback() {
        firstMoments.rollback()
        secondMoments.rollback()
        stepCount = committedStepCount
    }
}
