/* Adam's element-wise update, written with AVX-512 or AVX intrinsics where the CPU has them (neither
 * the Swift SIMD types nor the C compiler vectorised the square root: it was a sixth of an update).
 * Nothing is fused into an FMA, so every lane does the same correctly rounded multiplies, adds,
 * square root and division as the scalar loop: every path gives the same bits.
 *
 * The step also tells whether all it wrote is finite, for the divergence guard: x * 0 is 0 for a
 * finite x and NaN otherwise, so a running sum of those products is NaN exactly when some output
 * was not finite. The check rides on values already in registers and costs nothing measurable. */
#include "ckernels.h"

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

/* No restrict: an output may be its own input (a step in place). */
#define ADAM_ARGS                                                                                            \
    const float *parameters, float *new_parameters, const float *gradients, const float *first,             \
        float *new_first, const float *second, float *new_second, ptrdiff_t count, float beta1, float beta2, \
        float step_size, float second_correction, float epsilon

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* The vector loop for one ISA: V is the vector type, P the intrinsics' prefix (_mm512 or _mm256). It
 * leaves in *done how many leading elements it did (a multiple of its width) and returns 1 if all the
 * values it wrote are finite. */
#define ADAM_VECTORS(V, P, LANES)                                                                         \
    const V b1 = P##_set1_ps(beta1), b2 = P##_set1_ps(beta2);                                            \
    const V one_minus_b1 = P##_set1_ps(1.0f - beta1), one_minus_b2 = P##_set1_ps(1.0f - beta2);           \
    const V step = P##_set1_ps(step_size), correction = P##_set1_ps(second_correction);                 \
    const V eps = P##_set1_ps(epsilon), zero = P##_setzero_ps();                                         \
    V poison = zero;                                                                                     \
    ptrdiff_t i = 0;                                                                                     \
    for (; i + LANES <= count; i += LANES) {                                                             \
        const V g = P##_loadu_ps(gradients + i);                                                         \
        const V m = P##_add_ps(P##_mul_ps(b1, P##_loadu_ps(first + i)), P##_mul_ps(one_minus_b1, g));     \
        const V v = P##_add_ps(P##_mul_ps(b2, P##_loadu_ps(second + i)), P##_mul_ps(P##_mul_ps(one_minus_b2, g), g)); \
        const V denominator = P##_add_ps(P##_div_ps(P##_sqrt_ps(v), correction), eps);                   \
        const V p = P##_sub_ps(P##_loadu_ps(parameters + i), P##_div_ps(P##_mul_ps(step, m), denominator)); \
        P##_storeu_ps(new_first + i, m);                                                                 \
        P##_storeu_ps(new_second + i, v);                                                                \
        P##_storeu_ps(new_parameters + i, p);                                                            \
        poison = P##_add_ps(poison, P##_add_ps(P##_add_ps(P##_mul_ps(m, zero), P##_mul_ps(v, zero)),      \
                                              P##_mul_ps(p, zero)));                                     \
    }                                                                                                    \
    *done = i;                                                                                           \
    float lanes[LANES];                                                                                  \
    P##_storeu_ps(lanes, poison);                                                                        \
    int finite = 1;                                                                                      \
    for (int lane = 0; lane < LANES; lane++) finite &= lanes[lane] == 0.0f;                              \
    return finite;

__attribute__((target("avx512f"))) static int adam_avx512(ADAM_ARGS, ptrdiff_t *done) { ADAM_VECTORS(__m512, _mm512, 16) }
__attribute__((target("avx"))) static int adam_avx(ADAM_ARGS, ptrdiff_t *done) { ADAM_VECTORS(__m256, _mm256, 8) }
#endif

int libsac_adam_step(ADAM_ARGS, int isa) {
    ptrdiff_t i = 0;
    int finite = 1;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (isa == 2) {
        finite = adam_avx512(parameters, new_parameters, gradients, first, new_first, second, new_second, count,
                             beta1, beta2, step_size, second_correction, epsilon, &i);
    } else if (isa == 1) {
        finite = adam_avx(parameters, new_parameters, gradients, first, new_first, second, new_second, count,
                          beta1, beta2, step_size, second_correction, epsilon, &i);
    }
#else
    (void)isa;
#endif
    for (; i < count; i++) {
        const float g = gradients[i];
        const float m = beta1 * first[i] + (1.0f - beta1) * g;
        const float v = beta2 * second[i] + (1.0f - beta2) * g * g;
        const float p = parameters[i] - step_size * m / (__builtin_sqrtf(v) / second_correction + epsilon);
        new_first[i] = m;
        new_second[i] = v;
        new_parameters[i] = p;
        finite &= __builtin_isfinite(m) && __builtin_isfinite(v) && __builtin_isfinite(p);
    }
    return finite;
}
