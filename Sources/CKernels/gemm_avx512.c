/* The AVX-512 GEMM of SACCore: the whole product (blocking, packing, register tiles and the fused
 * bias/ReLU/mask epilogue) in one place, compiled for AVX-512F through function attributes so that
 * the library still loads on CPUs without it (SACCore checks libsac_cpu_has_avx512 first).
 *
 * Shape of the computation, after BLIS and GotoBLAS:
 * - C is cut into panels of NR = 32 columns (two 16-lane vectors) and, inside each, tiles of MR = 12
 *   rows: 24 accumulators, 2 vectors of B and a broadcast of A take 27 of the 32 vector registers, and
 *   24 independent FMA chains hide the FMA latency on both pipes.
 * - For each panel, KC = 256 rows of op(B) are packed into a contiguous KC x NR block (32 KB, which
 *   stays in the L1 cache while every row tile of C streams past it). Packing is also where op(B)'s
 *   strides are resolved, so A.B^T needs no transposed copy of B. A tile reads op(A) in place.
 * - Ragged edges use masked loads and stores, so every element of C, wherever it sits, is computed
 *   by the same chain: acc = (C or 0), then acc = fma(a[i][p], b[p][j], acc) for p = 0, 1, ...
 *   Splitting k into KC blocks round-trips acc through C, which is exact. So any split of C between
 *   threads, and packing or not, gives bit-identical results.
 * - A single output column (a network's value head) or a single row (acting on one observation) is a
 *   matrix-vector product, with loops of its own: a 32-column panel would waste 31 of 32 lanes on one
 *   column, and a one-row tile would chain its FMAs back to back. */
#include "ckernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#include <stdint.h>

#define MR 12
#define NR 32
#define KC 256
#define AVX512 __attribute__((target("avx512f")))

int libsac_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

static inline ptrdiff_t min_pd(ptrdiff_t x, ptrdiff_t y) { return x < y ? x : y; }

/* Lanes [0, count) of a 16-lane vector (count may be <= 0 or > 16). */
static inline __mmask16 lanes(ptrdiff_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}

/* The epilogue of 16 lanes of C at row i, column j; `bias` is the bias vector for these lanes. */
AVX512 static inline __m512 finish(__m512 v, const struct libsac_gemm *g, __m512 bias, ptrdiff_t i, ptrdiff_t j,
                                   __mmask16 valid) {
    const __m512 zero = _mm512_setzero_ps();
    if (g->bias) v = _mm512_add_ps(v, bias);
    if (g->relu) v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_LE_OQ), zero);
    if (g->mask) {
        const __m512 x = _mm512_maskz_loadu_ps(valid, g->mask + i * g->ldc + j);
        v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(x, zero, _CMP_LE_OQ), zero);
    }
    return v;
}

/* A tile of `rows` x (16 * vecs) elements of C at (i, j) over kc steps of p. op(B)'s rows for this
 * tile are at pb + p * ldp (a packed panel, or B itself when it is row-major). */
AVX512 __attribute__((always_inline)) static inline void tile(
    const int rows, const int vecs, const struct libsac_gemm *g, const float *a, const float *pb, ptrdiff_t ldp,
    ptrdiff_t kc, ptrdiff_t i, ptrdiff_t j, __mmask16 m0, __mmask16 m1, int load_c, int last) {
    __m512 acc[MR][2];
    float *c = g->c + i * g->ldc + j;
    const ptrdiff_t ldc = g->ldc, a_row = g->a_row, a_col = g->a_col;
    for (int r = 0; r < rows; r++) {
        acc[r][0] = load_c ? _mm512_maskz_loadu_ps(m0, c + r * ldc) : _mm512_setzero_ps();
        if (vecs == 2) acc[r][1] = load_c ? _mm512_maskz_loadu_ps(m1, c + r * ldc + 16) : _mm512_setzero_ps();
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, pb + p * ldp);
        const __m512 b1 = vecs == 2 ? _mm512_maskz_loadu_ps(m1, pb + p * ldp + 16) : b0;
        const float *ap = a + p * a_col;
        for (int r = 0; r < rows; r++) {
            const __m512 x = _mm512_set1_ps(ap[r * a_row]);
            acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
            if (vecs == 2) acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
        }
    }
    const __m512 bias0 = last && g->bias ? _mm512_maskz_loadu_ps(m0, g->bias + j) : _mm512_setzero_ps();
    const __m512 bias1 = last && g->bias && vecs == 2 ? _mm512_maskz_loadu_ps(m1, g->bias + j + 16) : bias0;
    for (int r = 0; r < rows; r++) {
        _mm512_mask_storeu_ps(c + r * ldc, m0, last ? finish(acc[r][0], g, bias0, i + r, j, m0) : acc[r][0]);
        if (vecs == 2) {
            _mm512_mask_storeu_ps(c + r * ldc + 16, m1,
                                  last ? finish(acc[r][1], g, bias1, i + r, j + 16, m1) : acc[r][1]);
        }
    }
}

/* Rows [i0, i1) of one panel of C (columns j, j + 1, ..., up to 32) for the p block [p0, p0 + kc).
 * Full tiles get a compile-time row count, so that their accumulators live in registers. */
AVX512 static void panel(const struct libsac_gemm *g, const float *pb, ptrdiff_t ldp, ptrdiff_t p0, ptrdiff_t kc,
                         ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t j, ptrdiff_t width, int load_c, int last) {
    const __mmask16 m0 = lanes(width), m1 = lanes(width - 16);
    const float *a = g->a + p0 * g->a_col;
    ptrdiff_t i = i0;
#define TILE(rows, vecs) tile(rows, vecs, g, a + i * g->a_row, pb, ldp, kc, i, j, m0, m1, load_c, last)
    if (width > 16) {
        for (; i + MR <= i1; i += MR) TILE(MR, 2);
    } else {
        for (; i + MR <= i1; i += MR) TILE(MR, 1);
    }
    if (i == i1) return;
#define REST(rows) case rows: if (width > 16) TILE(rows, 2); else TILE(rows, 1); break;
    switch (i1 - i) {
        REST(1) REST(2) REST(3) REST(4) REST(5) REST(6) REST(7) REST(8) REST(9) REST(10) default: REST(11)
    }
#undef REST
#undef TILE
}

/* Transposes a 16 x 16 block held as 16 row vectors: after it, vector i holds column i. */
AVX512 static inline void transpose16(__m512 r[16]) {
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

/* op(B)[p0 + p][j0 + jj] for p < kc, jj < NR into pb (row p at pb + p * NR), zero past `width`. */
AVX512 static void pack(const struct libsac_gemm *g, ptrdiff_t p0, ptrdiff_t kc, ptrdiff_t j0, ptrdiff_t width,
                        float *pb) {
    const float *b = g->b + p0 * g->b_row + j0 * g->b_col;
    const __mmask16 m0 = lanes(width), m1 = lanes(width - 16);
    if (g->b_col == 1) {
        for (ptrdiff_t p = 0; p < kc; p++) {
            _mm512_store_ps(pb + p * NR, _mm512_maskz_loadu_ps(m0, b + p * g->b_row));
            _mm512_store_ps(pb + p * NR + 16, _mm512_maskz_loadu_ps(m1, b + p * g->b_row + 16));
        }
        return;
    }
    if (g->b_row == 1) {
        /* op(B) = W^T with W's rows contiguous (input gradients): 16 x 16 blocks of W transposed in
         * registers, twice as fast as gathering the panel's rows. */
        for (ptrdiff_t jj = 0; jj < NR; jj += 16) {
            for (ptrdiff_t p = 0; p < kc; p += 16) {
                const __mmask16 valid = lanes(kc - p);
                __m512 block[16];
                for (int q = 0; q < 16; q++) {
                    block[q] = jj + q < width ? _mm512_maskz_loadu_ps(valid, b + (jj + q) * g->b_col + p)
                                              : _mm512_setzero_ps();
                }
                transpose16(block);
                for (ptrdiff_t q = 0; q < 16 && p + q < kc; q++) _mm512_store_ps(pb + (p + q) * NR + jj, block[q]);
            }
        }
        return;
    }
    /* Any other strides: a row of the panel gathered 16 elements at a time. */
    const __m512i step = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                            _mm512_set1_epi32((int)g->b_col));
    const __m512i step16 = _mm512_add_epi32(step, _mm512_set1_epi32((int)(16 * g->b_col)));
    for (ptrdiff_t p = 0; p < kc; p++) {
        const float *row = b + p * g->b_row;
        _mm512_store_ps(pb + p * NR, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m0, step, row, 4));
        _mm512_store_ps(pb + p * NR + 16, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m1, step16, row, 4));
    }
}

/* Columns [j0, j1) (j0 a multiple of NR) and rows [i0, i1) of C. */
AVX512 static void blocks(const struct libsac_gemm *g, ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t j0, ptrdiff_t j1,
                          float *pb) {
    /* One row tile reads each packed element once, so packing would only copy B: read it in place. */
    const int direct = g->b_col == 1 && i1 - i0 <= MR;
    for (ptrdiff_t j = j0; j < j1; j += NR) {
        const ptrdiff_t width = min_pd(NR, j1 - j);
        for (ptrdiff_t p0 = 0;; p0 += KC) {
            const ptrdiff_t kc = min_pd(KC, g->k - p0);
            const int last = p0 + kc >= g->k;
            if (direct) {
                panel(g, g->b + p0 * g->b_row + j, g->b_row, p0, kc, i0, i1, j, width, g->accumulate || p0 > 0, last);
            } else {
                pack(g, p0, kc, j, width, pb);
                panel(g, pb, NR, p0, kc, i0, i1, j, width, g->accumulate || p0 > 0, last);
            }
            if (last) break;
        }
    }
}

/* n = 1, op(A) row-major (a_col = 1), op(B) contiguous (b_row = 1): one dot product per row, 16 lanes
 * of p at a time, four rows together. */
AVX512 static void dot_rows(const struct libsac_gemm *g, ptrdiff_t i0, ptrdiff_t i1) {
    const ptrdiff_t k = g->k;
    const float bias = g->bias ? g->bias[0] : 0;
    for (ptrdiff_t i = i0; i < i1; i += 4) {
        const int rows = (int)min_pd(4, i1 - i);
        __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
        for (ptrdiff_t p = 0; p < k; p += 16) {
            const __mmask16 valid = lanes(k - p);
            const __m512 b = _mm512_maskz_loadu_ps(valid, g->b + p);
            for (int r = 0; r < 4; r++) {
                if (r < rows) acc[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(valid, g->a + (i + r) * g->a_row + p), b, acc[r]);
            }
        }
        for (int r = 0; r < rows; r++) {
            float *c = g->c + (i + r) * g->ldc;
            float v = _mm512_reduce_add_ps(acc[r]) + (g->accumulate ? *c : 0);
            if (g->bias) v += bias;
            if (g->relu && v <= 0) v = 0;
            if (g->mask && g->mask[(i + r) * g->ldc] <= 0) v = 0;
            *c = v;
        }
    }
}

/* One row of C (m = 1) or one contiguous column of C (n = 1 with op(A) = X^T): out[t] for t in
 * [t0, t1) is sum over p of coef[p * coef_step] * x[p * x_step + t], 128 outputs at a time in eight
 * independent vectors (one 12-row tile would chain its few FMAs back to back). Each output is the
 * same fma chain as in a tile. `bias_step` is 1 when the bias runs along t (a row of C), 0 when one
 * bias serves them all (a column of C). */
AVX512 static void axpy(const struct libsac_gemm *g, const float *x, ptrdiff_t x_step, const float *coef,
                        ptrdiff_t coef_step, ptrdiff_t bias_step, ptrdiff_t t0, ptrdiff_t t1) {
    for (ptrdiff_t t = t0; t < t1; t += 128) {
        __mmask16 valid[8];
        __m512 acc[8];
        for (int v = 0; v < 8; v++) {
            valid[v] = lanes(t1 - (t + 16 * v));
            acc[v] = g->accumulate ? _mm512_maskz_loadu_ps(valid[v], g->c + t + 16 * v) : _mm512_setzero_ps();
        }
        for (ptrdiff_t p = 0; p < g->k; p++) {
            const __m512 a = _mm512_set1_ps(coef[p * coef_step]);
            const float *row = x + p * x_step + t;
            for (int v = 0; v < 8; v++) acc[v] = _mm512_fmadd_ps(a, _mm512_maskz_loadu_ps(valid[v], row + 16 * v), acc[v]);
        }
        for (int v = 0; v < 8; v++) {
            const __m512 bias = !g->bias ? _mm512_setzero_ps()
                : bias_step ? _mm512_maskz_loadu_ps(valid[v], g->bias + t + 16 * v) : _mm512_set1_ps(g->bias[0]);
            _mm512_mask_storeu_ps(g->c + t + 16 * v, valid[v], finish(acc[v], g, bias, 0, t + 16 * v, valid[v]));
        }
    }
}

/* The rows [first, last) that part `part` of `parts` takes when `count` rows are cut in units of `unit`. */
static void share(ptrdiff_t count, ptrdiff_t unit, int part, int parts, ptrdiff_t *first, ptrdiff_t *last) {
    const ptrdiff_t units = (count + unit - 1) / unit;
    *first = min_pd(count, units * part / parts * unit);
    *last = min_pd(count, units * (part + 1) / parts * unit);
}

AVX512 void libsac_gemm_avx512(const struct libsac_gemm *g, int part, int parts, float *pack_buffer) {
    if (g->m <= 0 || g->n <= 0) return;
    float *pb = (float *)(((uintptr_t)pack_buffer + 63) & ~(uintptr_t)63);
    ptrdiff_t first, last;
    if (g->n == 1 && g->a_col == 1 && g->b_row == 1) {
        share(g->m, 4, part, parts, &first, &last);
        dot_rows(g, first, last);
    } else if (g->n == 1 && g->a_row == 1 && g->ldc == 1) {
        share(g->m, 16, part, parts, &first, &last);
        axpy(g, g->a, g->a_col, g->b, g->b_row, 0, first, last);
    } else if (g->m == 1 && g->b_col == 1) {
        share(g->n, 16, part, parts, &first, &last);
        axpy(g, g->b, g->b_row, g->a, g->a_col, 1, first, last);
    } else if ((g->n + NR - 1) / NR >= parts) {
        share(g->n, NR, part, parts, &first, &last);  /* each part packs only its own panels */
        blocks(g, 0, g->m, first, last, pb);
    } else {
        share(g->m, MR, part, parts, &first, &last);
        blocks(g, first, last, 0, g->n, pb);
    }
}

#else

int libsac_cpu_has_avx512(void) { return 0; }

void libsac_gemm_avx512(const struct libsac_gemm *g, int part, int parts, float *pack) {
    (void)g; (void)part; (void)parts; (void)pack;
}

#endif
