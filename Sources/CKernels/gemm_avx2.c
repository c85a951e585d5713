/* The AVX2/FMA GEMM of SACCore (see gemm_driver.h for the algorithm): 6 x 16 register tiles, whose
 * 12 accumulators, 2 vectors of B and a broadcast of A take 15 of the 16 vector registers, and
 * masked loads and stores (vmaskmov) for the edges only: full panels use plain ones. Compiled for
 * AVX2 and FMA through function attributes, so that the library still loads on CPUs without them
 * (SACCore checks libsac_cpu_has_avx2_fma first). */
#include "ckernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#include <stdint.h>

#define TARGET __attribute__((target("avx2,fma")))
#define GEMM_ENTRY libsac_gemm_avx2
#define LANES 8
#define MR 6
typedef __m256 vec;
typedef __m256i vmask;

TARGET static inline vmask mask_first(ptrdiff_t count) {
    const int lanes = count <= 0 ? 0 : count >= 8 ? 8 : (int)count;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
TARGET static inline vec v_zero(void) { return _mm256_setzero_ps(); }
TARGET static inline vec v_set1(float x) { return _mm256_set1_ps(x); }
TARGET static inline vec v_loadu(const float *p) { return _mm256_loadu_ps(p); }
TARGET static inline vec v_load_masked(vmask m, const float *p) { return _mm256_maskload_ps(p, m); }
TARGET static inline void v_storeu(float *p, vec v) { _mm256_storeu_ps(p, v); }
TARGET static inline void v_store_masked(float *p, vmask m, vec v) { _mm256_maskstore_ps(p, m, v); }
TARGET static inline vec v_fma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
TARGET static inline vec v_add(vec a, vec b) { return _mm256_add_ps(a, b); }
TARGET static inline float v_sum(vec v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, 1)));
}
TARGET static inline vec v_zero_where_not_positive(vec v, vec x) {
    return _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LE_OQ), v);
}

/* op(B) with b_col != 1 into a packed 16-column panel: a row of the panel gathered 8 elements at a time. */
TARGET static void pack_strided(const float *b, ptrdiff_t b_row, ptrdiff_t b_col, ptrdiff_t kc, ptrdiff_t width,
                                float *pb) {
    const __m256i step = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)b_col));
    const __m256i step8 = _mm256_add_epi32(step, _mm256_set1_epi32((int)(8 * b_col)));
    const __m256 m0 = _mm256_castsi256_ps(mask_first(width)), m1 = _mm256_castsi256_ps(mask_first(width - 8));
    for (ptrdiff_t p = 0; p < kc; p++) {
        const float *row = b + p * b_row;
        v_storeu(pb + p * 16, _mm256_mask_i32gather_ps(v_zero(), row, step, m0, 4));
        v_storeu(pb + p * 16 + 8, _mm256_mask_i32gather_ps(v_zero(), row, step8, m1, 4));
    }
}

#include "gemm_driver.h"

#else

void libsac_gemm_avx2(const struct libsac_gemm *g, int part, int parts, float *pack) {
    (void)g; (void)part; (void)parts; (void)pack;
}

#endif
