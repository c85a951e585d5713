/* Adam's element-wise update, written with AVX-512 intrinsics where the CPU has them (neither the
 * Swift SIMD types nor the C compiler vectorised the square root: it was a sixth of an update).
 * Nothing is fused into an FMA, so every lane does the same correctly rounded multiplies, adds,
 * square root and division as the scalar loop: both paths give the same bits. */
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

__attribute__((target("avx512f"))) static ptrdiff_t adam_avx512(float *parameters, const float *gradients, float *first,
                                                                float *second, ptrdiff_t count, float beta1, float beta2,
                                                                float step_size, float second_correction, float epsilon) {
    const __m512 b1 = _mm512_set1_ps(beta1), b2 = _mm512_set1_ps(beta2);
    const __m512 one_minus_b1 = _mm512_set1_ps(1.0f - beta1), one_minus_b2 = _mm512_set1_ps(1.0f - beta2);
    const __m512 step = _mm512_set1_ps(step_size), correction = _mm512_set1_ps(second_correction);
    const __m512 eps = _mm512_set1_ps(epsilon);
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m512 g = _mm512_loadu_ps(gradients + i);
        const __m512 m = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_loadu_ps(first + i)), _mm512_mul_ps(one_minus_b1, g));
        const __m512 v = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_loadu_ps(second + i)),
                                       _mm512_mul_ps(_mm512_mul_ps(one_minus_b2, g), g));
        _mm512_storeu_ps(first + i, m);
        _mm512_storeu_ps(second + i, v);
        const __m512 denominator = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(v), correction), eps);
        _mm512_storeu_ps(parameters + i,
                         _mm512_sub_ps(_mm512_loadu_ps(parameters + i), _mm512_div_ps(_mm512_mul_ps(step, m), denominator)));
    }
    return i;
}
#endif

void libsac_adam_step(float *restrict parameters, const float *restrict gradients, float *restrict first,
                      float *restrict second, ptrdiff_t count, float beta1, float beta2, float step_size,
                      float second_correction, float epsilon) {
    ptrdiff_t i = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    static int has_avx512 = -1;  /* a benign race: every thread stores the same value */
    if (has_avx512 < 0) has_avx512 = libsac_cpu_has_avx512();
    if (has_avx512) {
        i = adam_avx512(parameters, gradients, first, second, count, beta1, beta2, step_size, second_correction, epsilon);
    }
#endif
    for (; i < count; i++) {
        parameters[i] = adam_one(parameters + i, gradients[i], first + i, second + i, beta1, beta2, step_size,
                                 second_correction, epsilon);
    }
}
