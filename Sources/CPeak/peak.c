/* The CPU's peak single-precision FMA rate, the ceiling against which sac-bench reports the GEMM and
 * the update. A core reaches it only with enough independent FMA chains in flight to cover the FMA
 * latency on every FMA pipe (latency 4 x 2 pipes = 8 on most current x86 cores, more on some), and
 * too many chains spill registers and measure the spills instead. No one count is right for every
 * core, so the caller measures several and keeps the fastest: a peak that is too low flatters every
 * "fraction of peak" that sac-bench prints. */
#include "cpeak.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

static volatile float sink; /* the chains' result goes here, so that they are not optimised away */

/* N chains of acc = acc * x + y, unrolled at compile time so that every accumulator is a register. */
#define CHAINS(name, features, type, fma, set1, first_lane, lanes, N)                          \
    __attribute__((target(features))) static double name(long iterations) {                   \
        type acc[N];                                                                         \
        const type x = set1(0.999999f), y = set1(1e-7f);                                     \
        for (int i = 0; i < N; i++) acc[i] = set1((float)i);                                 \
        for (long n = 0; n < iterations; n++) {                                              \
            _Pragma("GCC unroll 32") for (int i = 0; i < N; i++) acc[i] = fma(acc[i], x, y); \
        }                                                                                    \
        type sum = acc[0];                                                                   \
        for (int i = 1; i < N; i++) sum = fma(sum, x, acc[i]);                               \
        sink = first_lane(sum);                                                              \
        return 2.0 * lanes * N * (double)iterations;                                         \
    }

/* AVX2 has 16 vector registers, two of which hold x and y: 14 chains at most. With AVX-512's 32,
 * clang's unrolled loop already spills at 20; 16 cover latency x pipes on every current core. */
#define AVX2_CHAINS(N) CHAINS(avx2_##N, "avx2,fma", __m256, _mm256_fmadd_ps, _mm256_set1_ps, _mm256_cvtss_f32, 8, N)
#define AVX512_CHAINS(N) CHAINS(avx512_##N, "avx512f", __m512, _mm512_fmadd_ps, _mm512_set1_ps, _mm512_cvtss_f32, 16, N)
AVX2_CHAINS(8)
AVX2_CHAINS(10)
AVX2_CHAINS(12)
AVX2_CHAINS(14)
AVX512_CHAINS(8)
AVX512_CHAINS(10)
AVX512_CHAINS(12)
AVX512_CHAINS(16)

/* Each instruction set's variants, fewest chains first. */
static const struct {
    int chains;
    double (*run)(long iterations);
} variants[LIBSAC_PEAK_ISAS][LIBSAC_PEAK_CHAIN_COUNTS] = {
    {{8, avx2_8}, {10, avx2_10}, {12, avx2_12}, {14, avx2_14}},
    {{8, avx512_8}, {10, avx512_10}, {12, avx512_12}, {16, avx512_16}},
};

static int valid(libsac_peak_isa isa, int variant) {
    return isa >= 0 && isa < LIBSAC_PEAK_ISAS && variant >= 0 && variant < LIBSAC_PEAK_CHAIN_COUNTS;
}

int libsac_peak_has(libsac_peak_isa isa) {
    __builtin_cpu_init();
    if (isa == LIBSAC_PEAK_AVX512) return __builtin_cpu_supports("avx512f");
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int libsac_peak_chains(libsac_peak_isa isa, int variant) {
    return valid(isa, variant) ? variants[isa][variant].chains : 0;
}

double libsac_peak_fma_flops(libsac_peak_isa isa, int variant, long iterations) {
    return valid(isa, variant) && libsac_peak_has(isa) ? variants[isa][variant].run(iterations) : 0;
}

#else

int libsac_peak_has(libsac_peak_isa isa) { (void)isa; return 0; }
int libsac_peak_chains(libsac_peak_isa isa, int variant) { (void)isa; (void)variant; return 0; }
double libsac_peak_fma_flops(libsac_peak_isa isa, int variant, long iterations) {
    (void)isa; (void)variant; (void)iterations;
    return 0;
}

#endif
