/*
 * Trains a SAC agent to swing up a pendulum, using only the public C API of libsac.
 *
 * The pendulum (pendulum.h) is a self-contained copy of Gymnasium's Pendulum-v1 (same dynamics, reward,
 * observation and 200-step episodes), so this file needs nothing but sac.h and libsac.so.
 *
 *   usage: train_pendulum [total_steps] [seed] [policy.json]   (defaults: 12000 steps, seed 1)
 *
 * Prints one line per episode and finishes with the mean return of the deterministic policy over
 * 10 evaluation episodes; with a third argument, saves the trained policy there as JSON (for
 * bindings/c/examples/infer.c). Returns 0 when the mean is better than -200.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pendulum.h"
#include "check.h"
#include "sac.h"

/* ---- Training with libsac --------------------------------------------------------------- */

static float evaluate(sac_agent *agent, int episodes, unsigned seed) {
    pendulum env = {0, 0, 0, seed};
    float obs[3], action[1], total = 0;
    for (int e = 0; e < episodes; e++) {
        int truncated = 0;
        pendulum_reset(&env, obs);
        while (!truncated) {
            CHECK(sac_act(agent, obs, 3, 1, action, 1));
            total += pendulum_step(&env, action[0], obs, &truncated);
        }
    }
    return total / (float)episodes;
}

int main(int argc, char **argv) {
    long total_steps = argc > 1 ? atol(argv[1]) : 12000;
    unsigned seed = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
    printf("libsac %s: SAC on the pendulum swing-up, %ld steps, seed %u\n",
           sac_version_string(), total_steps, seed);

    sac_config cfg;
    CHECK(sac_config_default(&cfg, sizeof cfg));
    cfg.obs_dim = 3;
    cfg.action_dim = 1;
    cfg.action_low[0] = -2.0f;
    cfg.action_high[0] = 2.0f;
    cfg.hidden_sizes[0] = cfg.hidden_sizes[1] = 64; /* small nets learn this task fast on a CPU */
    cfg.actor_lr = cfg.critic_lr = cfg.alpha_lr = 1e-3f;
    cfg.seed = seed;

    sac_agent *agent = NULL;
    CHECK(sac_agent_create(&cfg, &agent));

    pendulum env = {0, 0, 0, seed * 7919u + 17u};
    float obs[3], next_obs[3], action[1], episode_return = 0;
    sac_update_stats stats = {sizeof stats, 0, 0, 0, 0, 0, 0, 0};
    int episode = 0;
    pendulum_reset(&env, obs);
    for (long step = 0; step < total_steps; step++) {
        int truncated;
        CHECK(sac_act(agent, obs, 3, 0, action, 1));
        float reward = pendulum_step(&env, action[0], next_obs, &truncated);
        CHECK(sac_observe(agent, obs, 3, action, 1, reward, next_obs, 3, 0, truncated));
        episode_return += reward;

        int updated = sac_update(agent, 1, &stats); /* SAC_ERR_NOT_READY during the warm-up */
        if (updated != SAC_ERR_NOT_READY) CHECK(updated);

        if (truncated) {
            printf("episode %3d  step %6ld  return %8.1f  alpha %.3f  critic_loss %7.3f  "
                   "actor_loss %8.3f  entropy %6.3f\n",
                   ++episode, step + 1, episode_return, stats.alpha, stats.critic_loss,
                   stats.actor_loss, stats.entropy);
            episode_return = 0;
            pendulum_reset(&env, obs);
        } else {
            obs[0] = next_obs[0]; obs[1] = next_obs[1]; obs[2] = next_obs[2];
        }
    }

    float mean = evaluate(agent, 10, 12345u);
    printf("final evaluation: mean return %.1f over 10 deterministic episodes\n", mean);
    if (argc > 3) {
        CHECK(sac_save_json(agent, argv[3], SAC_JSON_POLICY));
        printf("saved the policy to %s\n", argv[3]);
    }
    sac_agent_destroy(agent);
    return mean > -200.0f ? 0 : 1;
}
