/* The AVX2/FMA register tile of SACCore's GEMM: 6 rows x 16 columns of C in twelve 8-lane
 * accumulators, the shape that keeps both FMA ports busy on current x86 cores. Compiled for AVX2
 * through function attributes, so the library still runs on CPUs without it (the caller checks
 * libsac_cpu_has_avx2_fma first and otherwise uses the portable Swift kernel). */
#include "ckernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

int libsac_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define TILE_ROWS 6

/* `rows` (1..6) rows x 16 columns; a compile-time 6 in the main loop lets the compiler keep all
 * twelve accumulators in registers, the smaller counts serve the last rows of a panel. */
__attribute__((target("avx2,fma"), always_inline))
static inline void tile_x16(const float *a, ptrdiff_t a_row, ptrdiff_t a_col, const float *b, ptrdiff_t ldb,
                            float *c, ptrdiff_t ldc, ptrdiff_t k, int accumulate, const int rows) {
    __m256 acc[TILE_ROWS][2];
    for (int r = 0; r < rows; r++) {
        acc[r][0] = accumulate ? _mm256_loadu_ps(c + r * ldc) : _mm256_setzero_ps();
        acc[r][1] = accumulate ? _mm256_loadu_ps(c + r * ldc + 8) : _mm256_setzero_ps();
    }
    for (ptrdiff_t p = 0; p < k; p++) {
        const __m256 b0 = _mm256_loadu_ps(b + p * ldb);
        const __m256 b1 = _mm256_loadu_ps(b + p * ldb + 8);
        const float *ap = a + p * a_col;
        for (int r = 0; r < rows; r++) {
            const __m256 ar = _mm256_broadcast_ss(ap + r * a_row);
            acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
        }
    }
    for (int r = 0; r < rows; r++) {
        _mm256_storeu_ps(c + r * ldc, acc[r][0]);
        _mm256_storeu_ps(c + r * ldc + 8, acc[r][1]);
    }
}

__attribute__((target("avx2,fma")))
static void tile_6x16(const float *a, ptrdiff_t a_row, ptrdiff_t a_col, const float *b, ptrdiff_t ldb,
                      float *c, ptrdiff_t ldc, ptrdiff_t k, int accumulate) {
    tile_x16(a, a_row, a_col, b, ldb, c, ldc, k, accumulate, TILE_ROWS);
}

__attribute__((target("avx2,fma")))
static void tile_rest_x16(const float *a, ptrdiff_t a_row, ptrdiff_t a_col, const float *b, ptrdiff_t ldb,
                          float *c, ptrdiff_t ldc, ptrdiff_t k, int accumulate, int rows) {
    switch (rows) {
    case 1: tile_x16(a, a_row, a_col, b, ldb, c, ldc, k, accumulate, 1); break;
    case 2: tile_x16(a, a_row, a_col, b, ldb, c, ldc, k, accumulate, 2); break;
    case 3: tile_x16(a, a_row, a_col, b, ldb, c, ldc, k, accumulate, 3); break;
    case 4: tile_x16(a, a_row, a_col, b, ldb, c, ldc, k, accumulate, 4); break;
    default: tile_x16(a, a_row, a_col, b, ldb, c, ldc, k, accumulate, 5); break;
    }
}

__attribute__((target("avx2,fma")))
void libsac_gemm_tiles_avx2(const float *a, ptrdiff_t a_row, ptrdiff_t a_col, const float *b, ptrdiff_t ldb,
                            float *c, ptrdiff_t ldc, ptrdiff_t m, ptrdiff_t n16, ptrdiff_t k, int accumulate) {
    const ptrdiff_t m6 = m - m % TILE_ROWS;
    for (ptrdiff_t j = 0; j < n16; j += 16) {
        for (ptrdiff_t i = 0; i < m6; i += TILE_ROWS) {
            tile_6x16(a + i * a_row, a_row, a_col, b + j, ldb, c + i * ldc + j, ldc, k, accumulate);
        }
        if (m6 < m) {
            tile_rest_x16(a + m6 * a_row, a_row, a_col, b + j, ldb, c + m6 * ldc + j, ldc, k, accumulate,
                          (int)(m - m6));
        }
    }
}

#else

int libsac_cpu_has_avx2_fma(void) { return 0; }

void libsac_gemm_tiles_avx2(const float *a, ptrdiff_t a_row, ptrdiff_t a_col, const float *b, ptrdiff_t ldb,
                            float *c, ptrdiff_t ldc, ptrdiff_t m, ptrdiff_t n16, ptrdiff_t k, int accumulate) {
    (void)a; (void)a_row; (void)a_col; (void)b; (void)ldb; (void)c; (void)ldc; (void)m; (void)n16; (void)k;
    (void)accumulate;
}

#endif
