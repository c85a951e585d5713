/*
 * The latency of one sac_act call from C, as a control loop sees it: a (17, 6) agent (hidden
 * [256, 256]) acts on one observation at a time, deterministically and stochastically (after its
 * warm-up, so the policy is sampled). Prints the best of 5 repeats of 20,000 calls, in microseconds,
 * then the distribution of 1,000,000 single deterministic calls, each timed alone (p50, p99, p99.9
 * and the maximum: a controller at 1 kHz cares about the tail more than about the mean), with the
 * agent configured for 1 and for 2 threads; and, as the machine's own floor, the same distribution
 * of a busy wait as long as the median call, which no library code runs in: what it shows in its
 * tail (timer interrupts, a hypervisor taking the core) every call pays too.
 * `make bench` builds and runs it; by hand: cc -O2 -std=c99 -Iinclude act_latency.c -Lpath/to/lib -lsac
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../examples/check.h"

enum { OBS = 17, ACT = 6, CALLS = 20000, REPEATS = 5, SINGLE_CALLS = 1000000 };

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int compare_doubles(const void *x, const void *y) {
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Sorts SINGLE_CALLS latencies, prints their p50, p99, p99.9 and maximum after `label` and returns
 * the median, in seconds. */
static double print_tail(const char *label, double *latencies) {
    qsort(latencies, SINGLE_CALLS, sizeof *latencies, compare_doubles);
    printf("%-55s p50 %.2f  p99 %.2f  p99.9 %.2f  max %.1f us\n", label, latencies[SINGLE_CALLS / 2] * 1e6,
           latencies[SINGLE_CALLS / 100 * 99] * 1e6, latencies[SINGLE_CALLS / 1000 * 999] * 1e6,
           latencies[SINGLE_CALLS - 1] * 1e6);
    return latencies[SINGLE_CALLS / 2];
}

int main(void) {
    sac_config cfg;
    CHECK(sac_config_default(&cfg, sizeof cfg));
    cfg.obs_dim = OBS;
    cfg.action_dim = ACT;
    cfg.learning_starts = 0; /* stochastic calls sample the policy, not the uniform warm-up */
    sac_agent *agent;
    CHECK(sac_agent_create(&cfg, &agent));
    float obs[OBS], action[ACT];
    for (int i = 0; i < OBS; i++) obs[i] = 0.1f * (float)(i % 7) - 0.3f;
    for (int deterministic = 1; deterministic >= 0; deterministic--) {
        double best = 1e30;
        for (int r = 0; r < REPEATS; r++) {
            const double start = seconds();
            for (int c = 0; c < CALLS; c++) CHECK(sac_act(agent, obs, OBS, deterministic, action, ACT));
            const double elapsed = seconds() - start;
            if (elapsed < best) best = elapsed;
        }
        printf("sac_act from C, (%d, %d), hidden [256, 256], %-13s %6.2f us\n", OBS, ACT,
               deterministic ? "deterministic" : "stochastic", best / CALLS * 1e6);
    }
    double *latencies = malloc(SINGLE_CALLS * sizeof *latencies);
    if (!latencies) return 1;
    double median = 0;
    for (unsigned threads = 1; threads <= 2; threads++) {
        CHECK(sac_agent_set_threads(agent, threads));
        for (long c = 0; c < SINGLE_CALLS; c++) {
            const double start = seconds();
            CHECK(sac_act(agent, obs, OBS, 1, action, ACT));
            latencies[c] = seconds() - start;
        }
        char label[80];
        snprintf(label, sizeof label, "sac_act from C, (%d, %d), %u thread(s), %d calls:", OBS, ACT, threads, SINGLE_CALLS);
        median = print_tail(label, latencies);
    }
    for (long c = 0; c < SINGLE_CALLS; c++) {
        const double start = seconds();
        while (seconds() - start < median) {}
        latencies[c] = seconds() - start;
    }
    print_tail("the machine's floor: a busy wait as long as the median:", latencies);
    free(latencies);
    sac_agent_destroy(agent);
    return 0;
}
