/*
 * The latency of one sac_act call from C, as a control loop sees it: a (17, 6) agent (hidden
 * [256, 256]) acts on one observation at a time, deterministically and stochastically (after its
 * warm-up, so the policy is sampled). Prints the best of 5 repeats of 20,000 calls, in microseconds.
 * `make bench` builds and runs it; by hand: cc -O2 -std=c99 -Iinclude act_latency.c -Lpath/to/lib -lsac
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <stdio.h>
#include <time.h>

#include "../examples/check.h"

enum { OBS = 17, ACT = 6, CALLS = 20000, REPEATS = 5 };

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
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
    sac_agent_destroy(agent);
    return 0;
}
