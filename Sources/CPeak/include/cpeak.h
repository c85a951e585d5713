/* The CPU's peak single-precision FMA rate, for sac-bench's ceiling arithmetic (not in libsac). */
#ifndef LIBSAC_CPEAK_H
#define LIBSAC_CPEAK_H

/* Runs `iterations` rounds of 12 independent vector FMA chains (AVX-512 when the CPU has it, else
 * AVX2/FMA) and returns the floating-point operations done (2 per lane per FMA), or 0 on a CPU with
 * neither. The caller times it. */
double libsac_peak_fma_flops(long iterations);

/* The vector width that libsac_peak_fma_flops uses: "AVX-512", "AVX2/FMA" or "none". */
const char *libsac_peak_fma_isa(void);

#endif
