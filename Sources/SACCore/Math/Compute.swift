import CKernels

/// How one agent computes: the GEMM kernel and the vector width of Adam's step, the size from which
/// a product is split between its two threads, and where its products' FLOPs are counted. Every agent
/// has its own, so distinct agents stay independent; the defaults are the fastest this CPU has.
/// Each choice gives bit-identical results, except the portable GEMM kernel (see `GEMM`).
public struct Compute: Sendable {
    public var kernel: GEMM.Kernel
    public var adamVectors: VectorWidth
    /// Products of fewer FLOPs than this run on one thread even when the agent has more: below it the
    /// hand-over to the helpers costs more than the share it saves (tests lower it to split everything).
    public var splitThreshold: Int
    /// From this many threads on, the twin critics run one after the other with each product cut
    /// between all the threads, rather than one critic on each of two threads (when their products
    /// reach `splitThreshold`). sac-bench lowers it to 2 to measure how cut products scale.
    public var criticsCutFromThreads: Int
    /// Counts the FLOPs of every product when set (sac-bench); only for an agent on one thread.
    public var flopCounter: FlopCounter?

    public init(kernel: GEMM.Kernel = GEMM.fastestKernel, adamVectors: VectorWidth = VectorWidth.widest,
                splitThreshold: Int = 1 << 20, criticsCutFromThreads: Int = 3, flopCounter: FlopCounter? = nil) {
        (self.kernel, self.adamVectors, self.splitThreshold, self.flopCounter) = (kernel, adamVectors, splitThreshold, flopCounter)
        self.criticsCutFromThreads = criticsCutFromThreads
    }
}

/// The vector width of an element-wise loop (Adam's step).
public enum VectorWidth: Int32, Sendable {
    case scalar = 0, avx = 1, avx512 = 2

    /// The widths this CPU has, narrowest first.
    public static var available: [VectorWidth] {
        [.scalar] + (libsac_cpu_has_avx() != 0 ? [.avx] : []) + (libsac_cpu_has_avx512() != 0 ? [.avx512] : [])
    }

    public static let widest = available.last!
}

/// Floating-point operations (2·m·n·k per product) of the products run by the networks that share it.
/// Unsynchronised: only for an agent that runs on one thread.
public final class FlopCounter: @unchecked Sendable {
    public var flops = 0
    public init() {}
}
