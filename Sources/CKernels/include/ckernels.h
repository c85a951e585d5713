/* Hand-vectorised kernels behind SACCore's GEMM, selected at run time by CPU features.
 * Internal to libsac: the names do not start with "sac_", so the linker version script hides them. */
#ifndef LIBSAC_CKERNELS_H
#define LIBSAC_CKERNELS_H

#include <stddef.h>

/* 1 if this CPU has AVX2 and FMA (x86-64 only), else 0. */
int libsac_cpu_has_avx2_fma(void);

/* C (+)= op(A) . B on the columns [0, n16) (n16 a multiple of 16) of all m rows, in 6x16 register
 * tiles (and smaller ones for the last m % 6 rows). op(A)[i][p] = a[i*a_row + p*a_col]; B and C are
 * row-major with leading dimensions ldb and ldc. Only call when libsac_cpu_has_avx2_fma() returned 1. */
void libsac_gemm_tiles_avx2(const float *a, ptrdiff_t a_row, ptrdiff_t a_col, const float *b, ptrdiff_t ldb,
                            float *c, ptrdiff_t ldc, ptrdiff_t m, ptrdiff_t n16, ptrdiff_t k, int accumulate);

#endif
