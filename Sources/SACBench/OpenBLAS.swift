#if canImport(Glibc)
import Glibc
#endif
import SACCore

/// OpenBLAS's sgemm, loaded at run time when the machine has it (Debian: libopenblas0), as the
/// yardstick for libsac's GEMM kernel. Only sac-bench uses it; libsac never links a BLAS.
struct OpenBLAS {
    private typealias Sgemm = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>, Int32,
                                              UnsafePointer<Float>, Int32, Float, UnsafeMutablePointer<Float>, Int32) -> Void
    private let sgemm: Sgemm
    /// The kernel family OpenBLAS picked for this CPU (its `openblas_get_corename`).
    let core: String

    /// OpenBLAS on one thread, with its AVX2 (Haswell) kernels when libsac's kernel is the AVX2 one
    /// and OPENBLAS_CORETYPE is not set, so that both compute at the same vector width; nil when
    /// the library is missing.
    static func load(matching kernel: GEMM.Kernel) -> OpenBLAS? {
        if kernel == .avx2 { setenv("OPENBLAS_CORETYPE", "Haswell", 0) }
        guard let handle = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL),
              let sgemm = dlsym(handle, "cblas_sgemm"),
              let setThreads = dlsym(handle, "openblas_set_num_threads"),
              let coreName = dlsym(handle, "openblas_get_corename") else { return nil }
        unsafeBitCast(setThreads, to: (@convention(c) (Int32) -> Void).self)(1)
        let name = unsafeBitCast(coreName, to: (@convention(c) () -> UnsafePointer<CChar>?).self)()
        return OpenBLAS(sgemm: unsafeBitCast(sgemm, to: Sgemm.self), core: name.map { String(cString: $0) } ?? "unknown core")
    }

    /// C[n×n] = A·B, all row-major.
    func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>, n: Int) {
        let (rowMajor, noTranspose, size) = (Int32(101), Int32(111), Int32(n))
        sgemm(rowMajor, noTranspose, noTranspose, size, size, size, 1, a, size, b, size, 0, c, size)
    }
}
