import CPeak
import SACCore

/// One core's FMA peak at one vector width, and the number of independent chains that reached it.
struct Peak {
    let gflops: Double
    let chains: Int32
}

/// The fastest of the chain counts CPeak offers for `isa`, each the best of `repeats` timed runs of
/// about 20 ms, after a longer run that brings the core's clock up.
func measurePeak(_ isa: libsac_peak_isa, quick: Bool, repeats: Int) -> Peak {
    let iterations = quick ? 100_000 : 10_000_000
    _ = libsac_peak_fma_flops(isa, 0, iterations * 10)
    var best = Peak(gflops: 0, chains: 0)
    for variant in 0..<Int32(LIBSAC_PEAK_CHAIN_COUNTS) {
        var flops = 0.0
        let time = bestOf(repeats) { flops = libsac_peak_fma_flops(isa, variant, iterations) }
        if flops / time / 1e9 > best.gflops { best = Peak(gflops: flops / time / 1e9, chains: libsac_peak_chains(isa, variant)) }
    }
    return best
}

/// The vector width a GEMM kernel computes with (the portable kernel's is whatever the compiler
/// made of it; it is measured against the widest).
func peakISA(of kernel: GEMM.Kernel) -> libsac_peak_isa {
    kernel == .avx2 ? LIBSAC_PEAK_AVX2 : LIBSAC_PEAK_AVX512
}
