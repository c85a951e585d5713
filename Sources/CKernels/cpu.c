/* The CPU features that pick SACCore's kernels, in one place (x86-64; 0 everywhere else). */
#include "ckernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

int libsac_cpu_has_avx(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx");
}

int libsac_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* __builtin_cpu_supports also checks that the operating system saves the AVX-512 registers. */
int libsac_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

#else

int libsac_cpu_has_avx(void) { return 0; }
int libsac_cpu_has_avx2_fma(void) { return 0; }
int libsac_cpu_has_avx512(void) { return 0; }

#endif
