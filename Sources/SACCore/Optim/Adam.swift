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
public final class Adam {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// First and second moment estimates, one per parameter.
    public let firstMoment: FloatBuffer
    public let secondMoment: FloatBuffer
    /// Number of steps taken (t in the bias corrections).
    public var stepCount: Int = 0

    /// The vector width of the element-wise step, the widest the CPU has; every choice gives the same
    /// bits (tests run each one).
    public enum Vectors: Int32, Sendable { case scalar = 0, avx = 1, avx512 = 2 }
    nonisolated(unsafe) public static var vectors: Vectors = availableVectors.last!
    /// The widths this CPU has, narrowest first.
    public static var availableVectors: [Vectors] {
        [.scalar] + (libsac_cpu_has_avx() != 0 ? [.avx] : []) + (libsac_cpu_has_avx512() != 0 ? [.avx512] : [])
    }

    public init(count: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8) throws(SACError) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoment = try FloatBuffer(count: count)
        secondMoment = try FloatBuffer(count: count)
    }

    public func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>) {
        stepCount += 1
        let t = Double(stepCount)
        let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
        let secondCorrection = Float((1 - pow(Double(beta2), t)).squareRoot())
        libsac_adam_step(parameters, gradients, firstMoment.base, secondMoment.base, firstMoment.count,
                         beta1, beta2, stepSize, secondCorrection, epsilon, Self.vectors.rawValue)
    }

    public func step(_ parameters: FloatBuffer, _ gradients: FloatBuffer) {
        step(parameters: parameters.base, gradients: gradients.base)
    }
}
