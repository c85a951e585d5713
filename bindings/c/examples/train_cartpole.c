/*
 * Trains a discrete-action agent to balance a cart-pole, using only the public C API of libsac.
 *
 * The cart-pole (cartpole.h) is a self-contained copy of Gymnasium's CartPole-v1 (same dynamics,
 * reward, termination and 500-step episodes), so this file needs nothing but sac.h and libsac.so.
 *
 *   usage: train_cartpole [total_steps] [seed] [policy.json | -] [discrete | soft_q]
 *          (defaults: 50000 steps, seed 1, no policy file, discrete SAC)
 *
 * discrete: discrete SAC (SAC_ALGO_DISCRETE; softmax policy, learned temperature, lr 3e-4);
 * soft_q: soft Q-learning (SAC_ALGO_SOFT_Q; Boltzmann policy of the critics, alpha 0.05, lr 1e-3).
 * Every 2000 steps, prints the mean return of the deterministic policy over 10 evaluation episodes
 * and stops early once it reaches 475 (Gymnasium's threshold for CartPole-v1; 500 is the maximum).
 * With a third argument other than "-", saves the trained policy there as JSON (for
 * bindings/c/examples/infer.c). Returns 0 when the last evaluation reached 475, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cartpole.h"
#include "check.h"
#include "sac.h"

#define EVAL_EVERY 2000
#define EVAL_EPISODES 10
#define SOLVED 475.0f

/* Mean return of the deterministic policy (the most probable action) over fresh episodes. */
static float evaluate(sac_agent *agent, int episodes, unsigned seed) {
    cartpole env = {0, 0, 0, 0, 0, seed};
    float obs[4], total = 0;
    for (int e = 0; e < episodes; e++) {
        int terminated = 0, truncated = 0;
        cartpole_reset(&env, obs);
        while (!terminated && !truncated) {
            int32_t action;
            CHECK(sac_act_discrete(agent, obs, 4, 1, &action));
            total += cartpole_step(&env, action, obs, &terminated, &truncated);
        }
    }
    return total / (float)episodes;
}

int main(int argc, char **argv) {
    long total_steps = argc > 1 ? atol(argv[1]) : 50000;
    unsigned seed = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
    const char *policy_path = argc > 3 && strcmp(argv[3], "-") != 0 ? argv[3] : NULL;
    const char *algorithm = argc > 4 ? argv[4] : "discrete";
    int soft_q = strcmp(algorithm, "soft_q") == 0;
    if (!soft_q && strcmp(algorithm, "discrete") != 0) {
        fprintf(stderr, "usage: %s [total_steps] [seed] [policy.json | -] [discrete | soft_q]\n",
                argv[0]);
        return 2;
    }
    printf("libsac %s: %s on the cart-pole, up to %ld steps, seed %u\n", sac_version_string(),
           soft_q ? "soft Q-learning" : "discrete SAC", total_steps, seed);

    sac_config cfg;
    CHECK(sac_config_default(&cfg, sizeof cfg));
    cfg.algorithm = soft_q ? SAC_ALGO_SOFT_Q : SAC_ALGO_DISCRETE;
    cfg.obs_dim = 4;
    cfg.n_actions = 2;                              /* 0: push left, 1: push right */
    cfg.hidden_sizes[0] = cfg.hidden_sizes[1] = 64; /* small nets learn this task fast on a CPU */
    cfg.batch_size = 64;
    if (soft_q) cfg.critic_lr = 1e-3f;              /* alpha stays at soft Q's default, 0.05 */
    cfg.seed = seed;

    sac_agent *agent = NULL;
    CHECK(sac_agent_create(&cfg, &agent));

    cartpole env = {0, 0, 0, 0, 0, seed * 7919u + 17u};
    float obs[4], next_obs[4], episode_return = 0, recent_returns = 0, mean = 0;
    sac_update_stats stats;
    memset(&stats, 0, sizeof stats);                /* robust to fields appended in later versions */
    stats.struct_size = sizeof stats;
    int episodes = 0, recent_episodes = 0, evaluated = 0;
    long step = 0;
    cartpole_reset(&env, obs);
    while (step < total_steps) {
        int32_t action;
        int terminated, truncated;
        CHECK(sac_act_discrete(agent, obs, 4, 0, &action));
        float reward = cartpole_step(&env, action, next_obs, &terminated, &truncated);
        CHECK(sac_observe_discrete(agent, obs, 4, action, reward, next_obs, 4, terminated,
                                   truncated));
        episode_return += reward;
        step++;

        int updated = sac_update(agent, 1, &stats); /* SAC_ERR_NOT_READY during the warm-up */
        if (updated != SAC_ERR_NOT_READY) CHECK(updated);

        if (terminated || truncated) {
            episodes++;
            recent_episodes++;
            recent_returns += episode_return;
            episode_return = 0;
            cartpole_reset(&env, obs);
        } else {
            memcpy(obs, next_obs, sizeof obs);
        }

        evaluated = step % EVAL_EVERY == 0;
        if (evaluated) {
            mean = evaluate(agent, EVAL_EPISODES, 12345u);
            printf("step %6ld  episodes %5d  train return %6.1f  alpha %.4f  critic_loss %7.4f  "
                   "entropy %.3f  evaluation %6.1f\n",
                   step, episodes, recent_episodes ? recent_returns / (float)recent_episodes : 0.0f,
                   stats.alpha, stats.critic_loss, stats.entropy, mean);
            fflush(stdout);
            recent_returns = 0;
            recent_episodes = 0;
            if (mean >= SOLVED) break;
        }
    }

    if (!evaluated) mean = evaluate(agent, EVAL_EPISODES, 12345u);
    printf("final evaluation after %ld steps: mean return %.1f over %d deterministic episodes%s\n",
           step, mean, EVAL_EPISODES, mean >= SOLVED ? " (solved)" : "");
    if (policy_path) {
        CHECK(sac_save_json(agent, policy_path, SAC_JSON_POLICY));
        printf("saved the policy to %s\n", policy_path);
    }
    sac_agent_destroy(agent);
    return mean >= SOLVED ? 0 : 1;
}
