/* The AVX-512 GEMM of SACCore (see gemm_driver.h for the algorithm): 12 x 32 register tiles, whose
 * 24 accumulators, 2 vectors of B and a broadcast of A take 27 of the 32 vector registers, and masked
 * loads and stores for the edges. Compiled for AVX-512F through function attributes, so that the
 * library still loads on CPUs without it (SACCore checks libsac_cpu_has_avx512 first). */
#include "ckernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#include <stdint.h>

#define TARGET __attribute__((target("avx512f")))
#define GEMM_ENTRY libsac_gemm_avx512
#define LANES 16
#define MR 12
typedef __m512 vec;
typedef __mmask16 vmask;

static inline vmask mask_first(ptrdiff_t count) {
    return count >= 16 ? (vmask)0xFFFF : count <= 0 ? (vmask)0 : (vmask)((1u << count) - 1);
}
TARGET static inline vec v_zero(void) { return _mm512_setzero_ps(); }
TARGET static inline vec v_set1(float x) { return _mm512_set1_ps(x); }
TARGET static inline vec v_loadu(const float *p) { return _mm512_loadu_ps(p); }
TARGET static inline vec v_load_masked(vmask m, const float *p) { return _mm512_maskz_loadu_ps(m, p); }
TARGET static inline void v_storeu(float *p, vec v) { _mm512_storeu_ps(p, v); }
TARGET static inline void v_store_masked(float *p, vmask m, vec v) { _mm512_mask_storeu_ps(p, m, v); }
TARGET static inline vec v_fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
TARGET static inline vec v_add(vec a, vec b) { return _mm512_add_ps(a, b); }
TARGET static inline float v_sum(vec v) { return _mm512_reduce_add_ps(v); }
TARGET static inline vec v_zero_where_not_positive(vec v, vec x) {
    return _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LE_OQ), _mm512_setzero_ps());
}

/* Transposes a 16 x 16 block held as 16 row vectors: after it, vector i holds column i. */
TARGET static inline void transpose16(__m512 r[16]) {
    __m512 t[16], u[16], v[16];
    for (int i = 0; i < 8; i++) {  /* interleave row pairs */
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int g = 0; g < 4; g++) {  /* 4 x 4 blocks inside each 128-bit lane */
        u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g + 0], t[4 * g + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g + 0], t[4 * g + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int h = 0; h < 2; h++) {  /* then the 128-bit lanes themselves, in two rounds */
        for (int q = 0; q < 4; q++) {
            v[8 * h + q] = _mm512_shuffle_f32x4(u[8 * h + q], u[8 * h + 4 + q], 0x88);
            v[8 * h + 4 + q] = _mm512_shuffle_f32x4(u[8 * h + q], u[8 * h + 4 + q], 0xdd);
        }
    }
    for (int q = 0; q < 8; q++) {
        r[q] = _mm512_shuffle_f32x4(v[q], v[8 + q], 0x88);
        r[8 + q] = _mm512_shuffle_f32x4(v[q], v[8 + q], 0xdd);
    }
}

/* op(B) with b_col != 1 into a packed 32-column panel. */
TARGET static void pack_strided(const float *b, ptrdiff_t b_row, ptrdiff_t b_col, ptrdiff_t kc, ptrdiff_t width,
                                float *pb) {
    if (b_row == 1) {
        /* op(B) = W^T with W's rows contiguous (input gradients): 16 x 16 blocks of W transposed in
         * registers, twice as fast as gathering the panel's rows. */
        for (ptrdiff_t jj = 0; jj < 32; jj += 16) {
            for (ptrdiff_t p = 0; p < kc; p += 16) {
                const vmask valid = mask_first(kc - p);
                vec block[16];
                for (int q = 0; q < 16; q++) {
                    block[q] = jj + q < width ? v_load_masked(valid, b + (jj + q) * b_col + p) : v_zero();
                }
                transpose16(block);
                for (ptrdiff_t q = 0; q < 16 && p + q < kc; q++) v_storeu(pb + (p + q) * 32 + jj, block[q]);
            }
        }
        return;
    }
    /* Any other strides: a row of the panel gathered 16 elements at a time. */
    const __m512i step = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                            _mm512_set1_epi32((int)b_col));
    const __m512i step16 = _mm512_add_epi32(step, _mm512_set1_epi32((int)(16 * b_col)));
    const vmask m0 = mask_first(width), m1 = mask_first(width - 16);
    for (ptrdiff_t p = 0; p < kc; p++) {
        const float *row = b + p * b_row;
        v_storeu(pb + p * 32, _mm512_mask_i32gather_ps(v_zero(), m0, step, row, 4));
        v_storeu(pb + p * 32 + 16, _mm512_mask_i32gather_ps(v_zero(), m1, step16, row, 4));
    }
}

#include "gemm_driver.h"

#else

void libsac_gemm_avx512(const struct libsac_gemm *g, int part, int parts, float *pack) {
    (void)g; (void)part; (void)parts; (void)pack;
}

#endif
