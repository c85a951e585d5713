#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The running mean and variance of the observations an agent has stored, and the normalisation
/// clip((x − mean) / sqrt(var + ε), −clip, clip) that acting and learning apply with them: what
/// Stable-Baselines3's VecNormalize does, kept inside the agent so that its policy file is complete.
///
/// The statistics are float64 and take one observation at a time by the parallel update of Chan et
/// al. with a batch of one (Welford's), which stays accurate where a running sum of squares cancels.
/// They are kept as (count, mean, variance), the form the JSON holds, so that a checkpoint resumes
/// them bit for bit. Allocates only in `init`.
public final class ObservationNormalizer {
    public let dimension: Int
    public let clip: Float
    public let epsilon: Float
    public private(set) var count = 0
    /// Per dimension, float64; mean 0 and variance 1 (the identity, up to ε) before the first observation.
    public private(set) var mean: [Double]
    public private(set) var variance: [Double]
    /// The float32 mean and standard deviation that `normalize` applies, rounded from the statistics.
    private let shift: FloatBuffer
    private let scale: FloatBuffer

    init(dimension: Int, clip: Float, epsilon: Float) throws(SACError) {
        (self.dimension, self.clip, self.epsilon) = (dimension, clip, epsilon)
        mean = Array(repeating: 0, count: dimension)
        variance = Array(repeating: 1, count: dimension)
        shift = try FloatBuffer(count: dimension)
        scale = try FloatBuffer(count: dimension)
        refresh()
    }

    /// Counts one observation into the statistics.
    func add(_ x: UnsafePointer<Float>) {
        count += 1
        let n = Double(count)
        for i in 0..<dimension {
            let value = Double(x[i])
            let delta = value - mean[i]
            mean[i] += delta / n
            variance[i] += (delta * (value - mean[i]) - variance[i]) / n
        }
        refresh()
    }

    /// Sets statistics read from a file: `dimension` finite means, and variances finite and >= 0.
    func restore(count: Int, mean: [Double], variance: [Double]) {
        (self.count, self.mean, self.variance) = (count, mean, variance)
        refresh()
    }

    /// The float32 constants, as docs/weights-format.md defines them: the mean rounded to float32, and
    /// sqrt(var + ε) in float64 rounded to float32, kept finite (so that an observation far out
    /// normalises to ±clip, never to inf/inf = NaN).
    private func refresh() {
        for i in 0..<dimension {
            shift[i] = Float(mean[i])
            let std = Float(sqrt(variance[i] + Double(epsilon)))
            scale[i] = std.isFinite ? std : .greatestFiniteMagnitude
        }
    }

    /// Normalises `rows` observations from `x` into `out` (which may be `x` itself).
    func normalize(_ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let (row, written) = (x + r * dimension, out + r * dimension)
            for i in 0..<dimension {
                let z = (row[i] - shift[i]) / scale[i]
                written[i] = Swift.min(Swift.max(z, -clip), clip)
            }
        }
    }
}
