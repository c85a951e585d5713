/*
 * The CMake consumer: trains a small agent for a few hundred steps on a toy task, saves its policy,
 * loads the policy file into a second agent and checks that both act the same.
 *
 *   usage: sac_consumer POLICY.json
 *
 * The task: a point on a line, x in [-1, 1]; the action moves it by 0.1 * a (a in [-1, 1]) and the
 * reward is -x^2, so the policy should learn to steer toward 0. Prints the library's version, the
 * last update's losses and the loaded policy's action; exit status 0 when all went through.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <sac.h>

static int check(int status, const char *what) {
    if (status != SAC_OK) {
        fprintf(stderr, "sac_consumer: %s: %s\n", what, sac_last_error());
        exit(1);
    }
    return status;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: sac_consumer POLICY.json\n");
        return 2;
    }
    printf("libsac %s (ABI %d)\n", sac_version_string(), sac_abi_version());

    sac_config cfg;
    check(sac_config_default(&cfg, sizeof cfg), "sac_config_default");
    cfg.obs_dim = 1;
    cfg.action_dim = 1;
    cfg.action_low[0] = -1.0f;
    cfg.action_high[0] = 1.0f;
    cfg.hidden_layers = 2;
    cfg.hidden_sizes[0] = cfg.hidden_sizes[1] = 32;
    cfg.batch_size = 32;
    cfg.learning_starts = 64;
    cfg.seed = 7;
    sac_agent *agent;
    check(sac_agent_create(&cfg, &agent), "sac_agent_create");

    float x = 0.5f;
    sac_update_stats stats = {.struct_size = sizeof stats};
    unsigned updates = 0;
    for (int step = 0; step < 300; step++) {
        float obs[1] = {x}, action[1];
        check(sac_act(agent, obs, 1, 0, action, 1), "sac_act");
        float next = fminf(1.0f, fmaxf(-1.0f, x + 0.1f * action[0]));
        int truncated = step % 50 == 49;
        float next_obs[1] = {next};
        check(sac_observe(agent, obs, 1, action, 1, -next * next, next_obs, 1, 0, truncated), "sac_observe");
        x = truncated ? (float)(step % 3) * 0.5f - 0.5f : next;
        int status = sac_update(agent, 1, &stats);
        if (status == SAC_OK) updates++;
        else if (status != SAC_ERR_NOT_READY) check(status, "sac_update");
    }
    printf("trained: 300 steps, %u updates, critic loss %.4g, alpha %.4g\n", updates, stats.critic_loss, stats.alpha);

    check(sac_save_json(agent, argv[1], SAC_JSON_POLICY), "sac_save_json");
    sac_agent *policy;
    check(sac_load_json(argv[1], &policy), "sac_load_json");
    float obs[1] = {0.3f}, trained[1], loaded[1];
    check(sac_act(agent, obs, 1, 1, trained, 1), "sac_act (trained)");
    check(sac_act(policy, obs, 1, 1, loaded, 1), "sac_act (loaded)");
    printf("loaded %s: action at x = 0.3: %.6f (trained agent: %.6f)\n", argv[1], loaded[0], trained[0]);
    sac_agent_destroy(policy);
    sac_agent_destroy(agent);
    if (updates == 0 || loaded[0] != trained[0]) {
        fprintf(stderr, "sac_consumer: %s\n", updates ? "the loaded policy acts differently" : "no update ran");
        return 1;
    }
    return 0;
}
