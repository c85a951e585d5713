/* Twelve independent FMA chains keep both FMA pipes of a current x86 core busy (latency 4 cycles x
 * 2 pipes needs at least 8 in flight), so their rate is the core's single-precision peak: the
 * ceiling against which sac-bench reports the GEMM and the update. */
#include "cpeak.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

static volatile float sink; /* the chains' result goes here, so that they are not optimised away */

#define CHAINS(type, fma, set1, first_lane)                                          \
    type acc[12];                                                                    \
    const type x = set1(0.999999f), y = set1(1e-7f);                                 \
    for (int i = 0; i < 12; i++) acc[i] = set1((float)i);                            \
    for (long n = 0; n < iterations; n++) {                                          \
        for (int i = 0; i < 12; i++) acc[i] = fma(acc[i], x, y);                     \
    }                                                                                \
    type sum = acc[0];                                                               \
    for (int i = 1; i < 12; i++) sum = fma(sum, x, acc[i]);                          \
    sink = first_lane(sum);

__attribute__((target("avx512f"))) static double chains512(long iterations) {
    CHAINS(__m512, _mm512_fmadd_ps, _mm512_set1_ps, _mm512_cvtss_f32)
    return 2.0 * 16 * 12 * (double)iterations;
}

__attribute__((target("avx2,fma"))) static double chains256(long iterations) {
    CHAINS(__m256, _mm256_fmadd_ps, _mm256_set1_ps, _mm256_cvtss_f32)
    return 2.0 * 8 * 12 * (double)iterations;
}

const char *libsac_peak_fma_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return "AVX-512";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "AVX2/FMA";
    return "none";
}

double libsac_peak_fma_flops(long iterations) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return chains512(iterations);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return chains256(iterations);
    return 0;
}

#else

const char *libsac_peak_fma_isa(void) { return "none"; }
double libsac_peak_fma_flops(long iterations) { (void)iterations; return 0; }

#endif
