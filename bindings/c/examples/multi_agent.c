/*
 * Trains several SAC agents at once, one per thread, each on its own copy of the pendulum.
 *
 *   usage: multi_agent [threads] [steps]      (defaults: 2 threads, 3000 steps; threads 1..8)
 *
 * Shows the threading rule of sac.h: distinct agents may be used from different threads at the
 * same time (each thread here creates, trains, evaluates and destroys its own agent; no agent is
 * ever touched by two threads), and sac_last_error() is per thread, so a thread whose call fails
 * reads the message itself and hands the text to the main thread (which would see "" instead).
 * After training, each thread evaluates its agent deterministically over 10 episodes; the main
 * thread prints one line per agent. Returns 0 when every thread succeeded.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "pendulum.h"
#include "sac.h"

/* ---- One agent per thread -------------------------------------------------------------- */

/* What one thread gets (seed, steps) and gives back (mean return, or an error message). */
typedef struct {
    uint64_t seed;
    long steps;
    float mean_return;
    char error[512];
} job;

/* On failure: copy this thread's sac_last_error() into the job and stop the thread. */
#define TRY(call)                                                                             \
    do {                                                                                      \
        int status_ = (call);                                                                 \
        if (status_ != SAC_OK) {                                                              \
            snprintf(j->error, sizeof j->error, "%s: %s (%s)", #call,                         \
                     sac_status_string(status_), sac_last_error());                           \
            goto done;                                                                        \
        }                                                                                     \
    } while (0)

static void *train(void *arg) {
    job *j = arg;
    sac_agent *agent = NULL;
    sac_config cfg;
    TRY(sac_config_default(&cfg, sizeof cfg));
    cfg.obs_dim = 3;
    cfg.action_dim = 1;
    cfg.action_low[0] = -2.0f;
    cfg.action_high[0] = 2.0f;
    cfg.hidden_sizes[0] = cfg.hidden_sizes[1] = 64;
    cfg.actor_lr = cfg.critic_lr = cfg.alpha_lr = 1e-3f;
    cfg.seed = j->seed;
    TRY(sac_agent_create(&cfg, &agent));

    pendulum env = {0, 0, 0, (unsigned)j->seed * 7919u + 17u};
    float obs[3], next_obs[3], action[1];
    pendulum_reset(&env, obs);
    for (long step = 0; step < j->steps; step++) {
        int truncated;
        TRY(sac_act(agent, obs, 3, 0, action, 1));
        float reward = pendulum_step(&env, action[0], next_obs, &truncated);
        TRY(sac_observe(agent, obs, 3, action, 1, reward, next_obs, 3, 0, truncated));
        int updated = sac_update(agent, 1, NULL); /* SAC_ERR_NOT_READY during the warm-up */
        if (updated != SAC_ERR_NOT_READY) TRY(updated);
        if (truncated) pendulum_reset(&env, obs);
        else for (int i = 0; i < 3; i++) obs[i] = next_obs[i];
    }

    pendulum eval = {0, 0, 0, 12345u}; /* the same 10 start states for every agent */
    float total = 0;
    for (int episode = 0; episode < 10; episode++) {
        int truncated = 0;
        pendulum_reset(&eval, obs);
        while (!truncated) {
            TRY(sac_act(agent, obs, 3, 1, action, 1));
            total += pendulum_step(&eval, action[0], obs, &truncated);
        }
    }
    j->mean_return = total / 10;
done:
    sac_agent_destroy(agent);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    long steps = argc > 2 ? atol(argv[2]) : 3000;
    if (threads < 1 || threads > 8 || steps < 1) {
        fprintf(stderr, "usage: %s [threads 1..8] [steps >= 1]\n", argv[0]);
        return 1;
    }
    printf("libsac %s: %d agent(s), one thread each, %ld pendulum steps per agent\n",
           sac_version_string(), threads, steps);

    job jobs[8] = {{0}};
    pthread_t ids[8];
    int started = 0, failed = 0;
    for (int i = 0; i < threads; i++) {
        jobs[i].seed = (uint64_t)i + 1;
        jobs[i].steps = steps;
        if (pthread_create(&ids[i], NULL, train, &jobs[i]) != 0) {
            fprintf(stderr, "pthread_create failed for agent %d\n", i);
            failed = 1;
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++) pthread_join(ids[i], NULL);
    for (int i = 0; i < started; i++) {
        if (jobs[i].error[0]) {
            fprintf(stderr, "agent %d (seed %llu) failed: %s\n", i,
                    (unsigned long long)jobs[i].seed, jobs[i].error);
            failed = 1;
        } else {
            printf("agent %d  seed %llu  mean return %8.1f over 10 deterministic episodes\n", i,
                   (unsigned long long)jobs[i].seed, jobs[i].mean_return);
        }
    }
    return failed;
}
