/* The CPU's peak single-precision FMA rate, for sac-bench's ceiling arithmetic (not in libsac). */
#ifndef LIBSAC_CPEAK_H
#define LIBSAC_CPEAK_H

typedef enum { LIBSAC_PEAK_AVX2 = 0, LIBSAC_PEAK_AVX512 = 1, LIBSAC_PEAK_ISAS = 2 } libsac_peak_isa;

/* How many chain counts there are to try per instruction set (variants 0 ..< this). */
enum { LIBSAC_PEAK_CHAIN_COUNTS = 4 };

/* Nonzero when this CPU runs `isa` (AVX2 here means AVX2 with FMA). */
int libsac_peak_has(libsac_peak_isa isa);

/* The number of independent FMA chains of `variant`, or 0 for no such variant. */
int libsac_peak_chains(libsac_peak_isa isa, int variant);

/* Runs `iterations` rounds of `variant`'s independent vector FMA chains of `isa` and returns the
 * floating-point operations done (2 per lane per FMA), or 0 when the CPU lacks `isa`. The caller
 * times it. */
double libsac_peak_fma_flops(libsac_peak_isa isa, int variant, long iterations);

#endif
