#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Row-wise softmax with temperature, computed stably: for each row, with m = max_j x_j,
/// log p_i = (x_i − m)/T − log Σ_j exp((x_j − m)/T). No exponent is ever positive, so values of
/// ±1e4 (or any finite value) give finite probabilities and log-probabilities.
public enum Softmax {
    public static func rows(
        _ values: UnsafePointer<Float>, rows: Int, columns: Int, temperature: Float,
        probabilities: UnsafeMutablePointer<Float>, logProbabilities: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let x = values + r * columns
            var largest = x[0]
            for j in 1..<columns { largest = max(largest, x[j]) }
            var sum: Float = 0
            for j in 0..<columns { sum += expf((x[j] - largest) / temperature) }
            let logSum = logf(sum)
            for j in 0..<columns {
                let logP = (x[j] - largest) / temperature - logSum
                logProbabilities[r * columns + j] = logP
                probabilities[r * columns + j] = expf(logP)
            }
        }
    }

    /// T · log Σ_j exp(x_j / T) for one row, stably (the soft maximum; T → 0 gives max_j x_j).
    public static func softMaximum(_ x: UnsafePointer<Float>, count: Int, temperature: Float) -> Float {
        var largest = x[0]
        for j in 1..<count { largest = max(largest, x[j]) }
        var sum: Float = 0
        for j in 0..<count { sum += expf((x[j] - largest) / temperature) }
        return largest + temperature * logf(sum)
    }
}
