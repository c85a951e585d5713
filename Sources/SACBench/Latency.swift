#if canImport(Glibc)
import Glibc
#endif
import SACCore

/// The distribution of single-call latencies, in microseconds: what a control loop with a deadline
/// on every call cares about, more than the mean.
struct LatencyPercentiles {
    let p50, p99, p999, max: Double

    /// `calls` calls of `body`, each timed on its own with the monotonic clock (whose reading costs
    /// some 20 ns, included).
    init(calls: Int, _ body: () throws(SACError) -> Void) throws(SACError) {
        var nanoseconds = [UInt64](repeating: 0, count: calls)
        var start = timespec(), end = timespec()
        for call in 0..<calls {
            clock_gettime(CLOCK_MONOTONIC, &start)
            try body()
            clock_gettime(CLOCK_MONOTONIC, &end)
            nanoseconds[call] = UInt64((end.tv_sec - start.tv_sec) * 1_000_000_000 + (end.tv_nsec - start.tv_nsec))
        }
        nanoseconds.sort()
        func quantile(_ q: Double) -> Double { Double(nanoseconds[min(calls - 1, Int(q * Double(calls)))]) / 1000 }
        (p50, p99, p999, max) = (quantile(0.5), quantile(0.99), quantile(0.999), Double(nanoseconds[calls - 1]) / 1000)
    }
}
