/* The GEMM of SACCore for one vector instruction set: blocking, packing, register tiles and the fused
 * bias/ReLU/mask epilogue. gemm_avx512.c and gemm_avx2.c each define the vector primitives below and
 * then include this file, so that both kernels share one algorithm:
 *
 *   TARGET                      the function attribute that compiles for the instruction set
 *   GEMM_ENTRY                  the name of the entry point (see ckernels.h)
 *   LANES, MR                   floats per vector; rows per register tile (NR = 2 * LANES columns)
 *   vec, vmask                  the vector type and a lane mask
 *   mask_first(count)           a mask of lanes [0, count) (count may be <= 0 or > LANES)
 *   v_zero(), v_set1(x), v_loadu(p), v_load_masked(m, p), v_storeu(p, v), v_store_masked(p, m, v),
 *   v_fma(a, b, c) = a * b + c, v_add(a, b), v_sum(v) (a fixed order), v_zero_where_not_positive(v, x)
 *                               (0 in the lanes where x <= 0; NaN in x keeps v)
 *   pack_strided(b, b_row, b_col, kc, width, pb)
 *                               op(B) with b_col != 1 into a packed panel (zero past `width`)
 *
 * Shape of the computation, after BLIS and GotoBLAS:
 * - C is cut into panels of NR columns (two vectors) and, inside each, tiles of MR rows, sized so that
 *   the 2 * MR accumulators, two vectors of B and a broadcast of A fit the vector registers, and the
 *   2 * MR independent FMA chains hide the FMA latency on both pipes.
 * - For each panel, KC = 256 rows of op(B) are packed into a contiguous KC x NR block that stays in
 *   the L1 cache while every row tile of C streams past it. Packing is also where op(B)'s strides are
 *   resolved, so A.B^T needs no transposed copy of B. A tile reads op(A) in place.
 * - Ragged edges use masked loads and stores, so every element of C, wherever it sits, is computed
 *   by the same chain: acc = (C or 0), then acc = fma(a[i][p], b[p][j], acc) for p = 0, 1, ...
 *   Splitting k into KC blocks round-trips acc through C, which is exact. So any split of C between
 *   threads, and packing or not, gives bit-identical results.
 * - A single output column (a network's value head) or a single row (acting on one observation) is a
 *   matrix-vector product, with loops of its own: a panel would waste all but one of its lanes on one
 *   column, and a one-row tile would chain its FMAs back to back. */

#define NR (2 * LANES)
#define KC 256

static inline ptrdiff_t min_pd(ptrdiff_t x, ptrdiff_t y) { return x < y ? x : y; }

/* The epilogue of one vector of C at row i, column j; `bias` is the bias vector for these lanes. */
TARGET static inline vec finish(vec v, const struct libsac_gemm *g, vec bias, ptrdiff_t i, ptrdiff_t j, vmask valid) {
    if (g->bias) v = v_add(v, bias);
    if (g->relu) v = v_zero_where_not_positive(v, v);
    if (g->mask) v = v_zero_where_not_positive(v, v_load_masked(valid, g->mask + i * g->ldc + j));
    return v;
}

/* A tile of `rows` x (LANES * vecs) elements of C at (i, j) over kc steps of p. op(B)'s rows for this
 * tile are full NR-wide rows at pb + p * ldp (a packed panel, or B itself when it is row-major and
 * wide enough). `full`: the tile is NR columns wide, so C needs no masks. */
TARGET __attribute__((always_inline)) static inline void tile(
    const int rows, const int vecs, const int full, const struct libsac_gemm *g, const float *a, const float *pb,
    ptrdiff_t ldp, ptrdiff_t kc, ptrdiff_t i, ptrdiff_t j, vmask m0, vmask m1, int load_c, int last) {
    vec acc[MR][2];
    float *c = g->c + i * g->ldc + j;
    const ptrdiff_t ldc = g->ldc, a_row = g->a_row, a_col = g->a_col;
    for (int r = 0; r < rows; r++) {
        acc[r][0] = !load_c ? v_zero() : full ? v_loadu(c + r * ldc) : v_load_masked(m0, c + r * ldc);
        if (vecs == 2) {
            acc[r][1] = !load_c ? v_zero() : full ? v_loadu(c + r * ldc + LANES) : v_load_masked(m1, c + r * ldc + LANES);
        }
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        const vec b0 = v_loadu(pb + p * ldp);
        const vec b1 = vecs == 2 ? v_loadu(pb + p * ldp + LANES) : b0;
        const float *ap = a + p * a_col;
        for (int r = 0; r < rows; r++) {
            const vec x = v_set1(ap[r * a_row]);
            acc[r][0] = v_fma(x, b0, acc[r][0]);
            if (vecs == 2) acc[r][1] = v_fma(x, b1, acc[r][1]);
        }
    }
    const vec bias0 = last && g->bias ? v_load_masked(m0, g->bias + j) : v_zero();
    const vec bias1 = last && g->bias && vecs == 2 ? v_load_masked(m1, g->bias + j + LANES) : bias0;
    for (int r = 0; r < rows; r++) {
        const vec v0 = last ? finish(acc[r][0], g, bias0, i + r, j, m0) : acc[r][0];
        if (full) v_storeu(c + r * ldc, v0); else v_store_masked(c + r * ldc, m0, v0);
        if (vecs == 2) {
            const vec v1 = last ? finish(acc[r][1], g, bias1, i + r, j + LANES, m1) : acc[r][1];
            if (full) v_storeu(c + r * ldc + LANES, v1); else v_store_masked(c + r * ldc + LANES, m1, v1);
        }
    }
}

/* Rows [i0, i1) of one panel of C (columns j, j + 1, ..., up to NR) for the p block [p0, p0 + kc).
 * Full tiles get a compile-time row count, so that their accumulators live in registers. */
TARGET static void panel(const struct libsac_gemm *g, const float *pb, ptrdiff_t ldp, ptrdiff_t p0, ptrdiff_t kc,
                         ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t j, ptrdiff_t width, int load_c, int last) {
    const vmask m0 = mask_first(width), m1 = mask_first(width - LANES);
    const float *a = g->a + p0 * g->a_col;
    ptrdiff_t i = i0;
#define TILE(rows, vecs, full) tile(rows, vecs, full, g, a + i * g->a_row, pb, ldp, kc, i, j, m0, m1, load_c, last)
#define TILES(rows) if (width == NR) TILE(rows, 2, 1); else if (width > LANES) TILE(rows, 2, 0); else TILE(rows, 1, 0)
    for (; i + MR <= i1; i += MR) TILES(MR);
    if (i == i1) return;
    switch (i1 - i) {
    case 1: TILES(1); break;
    case 2: TILES(2); break;
    case 3: TILES(3); break;
    case 4: TILES(4); break;
#if MR > 6
    case 5: TILES(5); break;
    case 6: TILES(6); break;
    case 7: TILES(7); break;
    case 8: TILES(8); break;
    case 9: TILES(9); break;
    case 10: TILES(10); break;
#endif
    default: TILES(MR - 1); break;
    }
#undef TILES
#undef TILE
}

/* op(B)[p0 + p][j0 + jj] for p < kc, jj < NR into pb (row p at pb + p * NR), zero past `width`. */
TARGET static void pack(const struct libsac_gemm *g, ptrdiff_t p0, ptrdiff_t kc, ptrdiff_t j0, ptrdiff_t width,
                        float *pb) {
    const float *b = g->b + p0 * g->b_row + j0 * g->b_col;
    if (g->b_col != 1) {
        pack_strided(b, g->b_row, g->b_col, kc, width, pb);
        return;
    }
    const vmask m0 = mask_first(width), m1 = mask_first(width - LANES);
    for (ptrdiff_t p = 0; p < kc; p++) {
        const float *row = b + p * g->b_row;
        v_storeu(pb + p * NR, width >= LANES ? v_loadu(row) : v_load_masked(m0, row));
        v_storeu(pb + p * NR + LANES, width >= NR ? v_loadu(row + LANES) : v_load_masked(m1, row + LANES));
    }
}

/* Columns [j0, j1) (j0 a multiple of NR) and rows [i0, i1) of C. */
TARGET static void blocks(const struct libsac_gemm *g, ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t j0, ptrdiff_t j1,
                          float *pb) {
    for (ptrdiff_t j = j0; j < j1; j += NR) {
        const ptrdiff_t width = min_pd(NR, j1 - j);
        /* One row tile reads each packed element once, so packing would only copy B: read it in place
         * when its rows are contiguous and hold a whole panel. */
        const int direct = g->b_col == 1 && i1 - i0 <= MR && width == NR;
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

/* n = 1, op(A) row-major (a_col = 1), op(B) contiguous (b_row = 1): one dot product per row, LANES
 * values of p at a time, four rows together. */
TARGET static void dot_rows(const struct libsac_gemm *g, ptrdiff_t i0, ptrdiff_t i1) {
    const ptrdiff_t k = g->k;
    for (ptrdiff_t i = i0; i < i1; i += 4) {
        const int rows = (int)min_pd(4, i1 - i);
        vec acc[4] = {v_zero(), v_zero(), v_zero(), v_zero()};
        for (ptrdiff_t p = 0; p < k; p += LANES) {
            const vmask valid = mask_first(k - p);
            const vec b = v_load_masked(valid, g->b + p);
            for (int r = 0; r < 4; r++) {
                if (r < rows) acc[r] = v_fma(v_load_masked(valid, g->a + (i + r) * g->a_row + p), b, acc[r]);
            }
        }
        for (int r = 0; r < rows; r++) {
            float *c = g->c + (i + r) * g->ldc;
            float v = v_sum(acc[r]) + (g->accumulate ? *c : 0);
            if (g->bias) v += g->bias[0];
            if (g->relu && v <= 0) v = 0;
            if (g->mask && g->mask[(i + r) * g->ldc] <= 0) v = 0;
            *c = v;
        }
    }
}

/* acc[v] += coef[p * coef_step] * x[p * x_step + LANES * v] for p < k, in p order; `full` (a
 * compile-time constant at each call) loads all lanes without masks. */
TARGET __attribute__((always_inline)) static inline void axpy_steps(
    const int full, ptrdiff_t k, const float *x, ptrdiff_t x_step, const float *coef, ptrdiff_t coef_step,
    const vmask valid[8], vec acc[8]) {
    for (ptrdiff_t p = 0; p < k; p++) {
        const vec a = v_set1(coef[p * coef_step]);
        const float *row = x + p * x_step;
        for (int v = 0; v < 8; v++) {
            acc[v] = v_fma(a, full ? v_loadu(row + LANES * v) : v_load_masked(valid[v], row + LANES * v), acc[v]);
        }
    }
}

/* One row of C (m = 1) or one contiguous column of C (n = 1 with op(A) = X^T): out[t] for t in
 * [t0, t1) is sum over p of coef[p * coef_step] * x[p * x_step + t], 8 * LANES outputs at a time in
 * eight independent vectors. Each output is the same fma chain as in a tile. `bias_step` is 1 when
 * the bias runs along t (a row of C), 0 when one bias serves them all (a column of C). */
TARGET static void axpy(const struct libsac_gemm *g, const float *x, ptrdiff_t x_step, const float *coef,
                        ptrdiff_t coef_step, ptrdiff_t bias_step, ptrdiff_t t0, ptrdiff_t t1) {
    for (ptrdiff_t t = t0; t < t1; t += 8 * LANES) {
        vmask valid[8];
        vec acc[8];
        for (int v = 0; v < 8; v++) {
            valid[v] = mask_first(t1 - (t + LANES * v));
            acc[v] = g->accumulate ? v_load_masked(valid[v], g->c + t + LANES * v) : v_zero();
        }
        /* A whole chunk gets plain loads (AVX2's masked loads issue at half the rate). */
        if (t + 8 * LANES <= t1) axpy_steps(1, g->k, x + t, x_step, coef, coef_step, valid, acc);
        else axpy_steps(0, g->k, x + t, x_step, coef, coef_step, valid, acc);
        for (int v = 0; v < 8; v++) {
            const vec bias = !g->bias ? v_zero()
                : bias_step ? v_load_masked(valid[v], g->bias + t + LANES * v) : v_set1(g->bias[0]);
            v_store_masked(g->c + t + LANES * v, valid[v], finish(acc[v], g, bias, 0, t + LANES * v, valid[v]));
        }
    }
}

/* The rows [first, last) that part `part` of `parts` takes when `count` rows are cut in units of `unit`. */
static void share(ptrdiff_t count, ptrdiff_t unit, int part, int parts, ptrdiff_t *first, ptrdiff_t *last) {
    const ptrdiff_t units = (count + unit - 1) / unit;
    *first = min_pd(count, units * part / parts * unit);
    *last = min_pd(count, units * (part + 1) / parts * unit);
}

TARGET void GEMM_ENTRY(const struct libsac_gemm *g, int part, int parts, float *pack_buffer) {
    if (g->m <= 0 || g->n <= 0) return;
    float *pb = (float *)(((uintptr_t)pack_buffer + 63) & ~(uintptr_t)63);
    ptrdiff_t first, last;
    if (g->n == 1 && g->a_col == 1 && g->b_row == 1) {
        share(g->m, 4, part, parts, &first, &last);
        dot_rows(g, first, last);
    } else if (g->n == 1 && g->a_row == 1 && g->ldc == 1) {
        share(g->m, LANES, part, parts, &first, &last);
        axpy(g, g->a, g->a_col, g->b, g->b_row, 0, first, last);
    } else if (g->m == 1 && g->b_col == 1) {
        share(g->n, LANES, part, parts, &first, &last);
        axpy(g, g->b, g->b_row, g->a, g->a_col, 1, first, last);
    } else if ((g->n + NR - 1) / NR >= parts) {
        share(g->n, NR, part, parts, &first, &last);  /* each part packs only its own panels */
        blocks(g, 0, g->m, first, last, pb);
    } else {
        share(g->m, MR, part, parts, &first, &last);
        blocks(g, first, last, 0, g->n, pb);
    }
}
