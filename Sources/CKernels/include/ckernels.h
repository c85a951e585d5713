/* Hand-vectorised kernels behind SACCore's GEMM, selected at run time by CPU features.
 * Internal to libsac: the names do not start with "sac_", so the linker version script hides them. */
#ifndef LIBSAC_CKERNELS_H
#define LIBSAC_CKERNELS_H

#include <stddef.h>

/* 1 if this CPU has AVX, AVX2 and FMA, or AVX-512F (x86-64 only; the operating system must save the
 * registers), else 0. */
int libsac_cpu_has_avx(void);
int libsac_cpu_has_avx2_fma(void);
int libsac_cpu_has_avx512(void);

/* One matrix product with its epilogue, described by strides so that no operand is transposed in
 * memory:
 *   C[m x n] = epilogue(op(A) . op(B)  (+ C when accumulate))
 *   op(A)[i][p] = a[i*a_row + p*a_col],  op(B)[p][j] = b[p*b_row + j*b_col],  C[i][j] = c[i*ldc + j]
 * The epilogue adds bias[j] (when bias is not NULL), then sets to 0 what is <= 0 (when relu), then
 * sets to 0 every element whose mask[i*ldc + j] is <= 0 (when mask is not NULL: back-propagation
 * through a ReLU whose output was mask). NaN passes through both. */
struct libsac_gemm {
    const float *a;
    ptrdiff_t a_row, a_col;
    const float *b;
    ptrdiff_t b_row, b_col;
    float *c;
    ptrdiff_t ldc;
    ptrdiff_t m, n, k;
    int accumulate;
    int relu;
    const float *bias;
    const float *mask;
};

/* Floats a packing buffer for libsac_gemm_avx512 or libsac_gemm_avx2 must hold (the kernel aligns it
 * itself). */
enum { LIBSAC_GEMM_PACK_FLOATS = 256 * 32 + 16 };

/* Part `part` (0 <= part < parts) of the product g: the parts cover C exactly once and may run at the
 * same time on different threads, each with its own pack buffer of LIBSAC_GEMM_PACK_FLOATS floats.
 * Every element of C is computed by the same sequence of operations whatever `parts` is, so the
 * result is bit-identical for any split. Only call when libsac_cpu_has_avx512() returned 1. */
void libsac_gemm_avx512(const struct libsac_gemm *g, int part, int parts, float *pack);

/* The same with AVX2 and FMA. Its results are the AVX-512 kernel's, bit for bit, except for products
 * with one output column and a row-major A, whose dot products add their lanes in another order.
 * Only call when libsac_cpu_has_avx2_fma() returned 1. */
void libsac_gemm_avx2(const struct libsac_gemm *g, int part, int parts, float *pack);

/* One step of Adam over `count` parameters, from the old values (parameters, first, second) to the new
 * ones (new_parameters, new_first, new_second):
 *   first' = b1*first + (1-b1)*g,  second' = b2*second + (1-b2)*g*g,
 *   parameters' = parameters - step_size * first' / (sqrt(second') / second_correction + epsilon),
 * element by element with no fused multiply-add, so every path gives the same bits. `isa` picks the
 * vector loop: 2 for AVX-512 (only if libsac_cpu_has_avx512), 1 for AVX (only if libsac_cpu_has_avx),
 * 0 for scalar code. Each output may be its own input (a step in place) or another array; arrays of
 * different roles must not overlap.
 * Returns 1 when every new value is finite, else 0 (a NaN or infinite gradient, or g*g overflowed):
 * the caller then discards the new values. */
int libsac_adam_step(const float *parameters, float *new_parameters, const float *gradients, const float *first,
                     float *new_first, const float *second, float *new_second, ptrdiff_t count, float beta1,
                     float beta2, float step_size, float second_correction, float epsilon, int isa);

/* A hint to the CPU that the caller is spinning on a memory location (x86 PAUSE, Arm YIELD). */
static inline void libsac_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
