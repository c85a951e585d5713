/* Adam's element-wise update, written with AVX-512 or AVX intrinsics where the CPU has them (neither
 * the Swift SIMD types nor the C compiler vectorised the square root: it was a sixth of an update).
 * Nothing is fused into an FMA, so every lane does the same correctly rounded multiplies, adds,
 * square root and division as the scalar loop: every path gives the same bits. */
#include "ckernels.h"

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

static inline float adam_one(float *parameter, float g, float *first, float *second, float beta1, float beta2,
                             float step_size, float second_correction, float epsilon) {
    *first = beta1 * *first + (1.0f - beta1) * g;
    *second = beta2 * *second + (1.0f - beta2) * g * g;
    return *parameter - step_size * *first / (__builtin_sqrtf(*second) / second_correction + epsilon);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* The vector loop for one ISA: V is the vector type, P the intrinsics' prefix (_mm512 or _mm256). */
#define ADAM_VECTORS(V, P, LANES)                                                                         \
    const V b1 = P##_set1_ps(beta1), b2 = P##_set1_ps(beta2);                                            \
    const V one_minus_b1 = P##_set1_ps(1.0f - beta1), one_minus_b2 = P##_set1_ps(1.0f - beta2);           \
    const V step = P##_set1_ps(step_size), correction = P##_set1_ps(second_correction);                 \
    const V eps = P##_set1_ps(epsilon);                                                                  \
    ptrdiff_t i = 0;                                                                                     \
    for (; i + LANES <= count; i += LANES) {                                                             \
        const V g = P##_loadu_ps(gradients + i);                                                         \
        const V m = P##_add_ps(P##_mul_ps(b1, P##_loadu_ps(first + i)), P##_mul_ps(one_minus_b1, g));     \
        const V v = P##_add_ps(P##_mul_ps(b2, P##_loadu_ps(second + i)), P##_mul_ps(P##_mul_ps(one_minus_b2, g), g)); \
        P##_storeu_ps(first + i, m);                                                                     \
        P##_storeu_ps(second + i, v);                                                                    \
        const V denominator = P##_add_ps(P##_div_ps(P##_sqrt_ps(v), correction), eps);                   \
        P##_storeu_ps(parameters + i, P##_sub_ps(P##_loadu_ps(parameters + i),                           \
                                                 P##_div_ps(P##_mul_ps(step, m), denominator)));         \
    }                                                                                                    \
    return i;

#define ADAM_VECTOR_ARGS                                                                                  \
    float *parameters, const float *gradients, float *first, float *second, ptrdiff_t count, float beta1, \
        float beta2, float step_size, float second_correction, float epsilon

/* Each returns how many leading elements it did (a multiple of its width). */
__attribute__((target("avx512f"))) static ptrdiff_t adam_avx512(ADAM_VECTOR_ARGS) { ADAM_VECTORS(__m512, _mm512, 16) }
__attribute__((target("avx"))) static ptrdiff_t adam_avx(ADAM_VECTOR_ARGS) { ADAM_VECTORS(__m256, _mm256, 8) }
#endif

void libsac_adam_step(float *restrict parameters, const float *restrict gradients, float *restrict first,
                      float *restrict second, ptrdiff_t count, float beta1, float beta2, float step_size,
                      float second_correction, float epsilon, int isa) {
    ptrdiff_t i = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (isa == 2) {
        i = adam_avx512(parameters, gradients, first, second, count, beta1, beta2, step_size, second_correction, epsilon);
    } else if (isa == 1) {
        i = adam_avx(parameters, gradients, first, second, count, beta1, beta2, step_size, second_correction, epsilon);
    }
#else
    (void)isa;
#endif
    for (; i < count; i++) {
        parameters[i] = adam_one(parameters + i, gradients[i], first + i, second + i, beta1, beta2, step_size,
                                 second_correction, epsilon);
    }
}
