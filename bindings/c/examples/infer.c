/*
 * Runs a saved libsac policy: no training, just observations in, deterministic actions out.
 * Works for every algorithm: continuous policies (SAC, SAC-v1) print action vectors, discrete ones
 * (discrete SAC, soft Q-learning) print the index of the most probable action.
 *
 *   usage: infer POLICY.json            read observations from stdin
 *          infer POLICY.json --demo     act on three built-in observations instead
 *
 * Input: one observation per line, obs_dim whitespace-separated numbers. Output: one line per
 * input line, flushed line by line so that a controlling process can talk to infer through a pipe:
 * for a continuous policy the action's action_dim numbers (%.9g, enough to read back the same
 * float32), for a discrete policy one integer, the action index in [0, n_actions).
 * Any problem (unreadable or invalid policy, a line with the wrong count of numbers, a token that
 * is not a number, NaN or infinity) is reported on stderr, naming the line, and the exit status
 * is 1. Build: cc -std=c99 -Iinclude infer.c -Lpath/to/lib -lsac -o infer
 */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sac.h"

/* The --demo observations: pendulum states (cos theta, sin theta, angular velocity): upright at
 * rest, hanging down at rest, horizontal and falling. Policies with another obs_dim see each row
 * repeated or cut to obs_dim values. */
static const float demo_obs[3][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, -2}};

static sac_agent *agent;
static float *obs, *action;
static sac_config cfg;
static int discrete; /* the policy picks action indices (sac_act_discrete) instead of vectors */

/* Reports a problem on stderr ("infer: line 3: ..." when line > 0) and returns 1. */
static int fail(long line, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fputs("infer: ", stderr);
    if (line > 0) fprintf(stderr, "line %ld: ", line);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    return 1;
}

/* Acts on obs and prints the action. Returns 0, or 1 after reporting a failure. */
static int act_and_print(long line) {
    if (discrete) {
        int32_t index;
        if (sac_act_discrete(agent, obs, cfg.obs_dim, 1, &index) != SAC_OK)
            return fail(line, "%s", sac_last_error());
        printf("%ld\n", (long)index);
    } else {
        if (sac_act(agent, obs, cfg.obs_dim, 1, action, cfg.action_dim) != SAC_OK)
            return fail(line, "%s", sac_last_error());
        for (uint32_t i = 0; i < cfg.action_dim; i++)
            printf(i ? " %.9g" : "%.9g", action[i]);
        putchar('\n');
    }
    return fflush(stdout) != 0 ? fail(0, "cannot write to stdout") : 0;
}

/* Parses one line into obs. Returns 0, or 1 after reporting what is wrong with the line. */
static int parse_line(char *text, size_t length, long line) {
    uint32_t count = 0;
    if (strlen(text) != length) return fail(line, "contains a NUL byte");
    for (char *p = text;;) {
        while (isspace((unsigned char)*p)) p++;
        if (*p == '\0') break;
        char *end;
        float value = strtof(p, &end);
        size_t token = strcspn(p, " \t\r\n\v\f");
        int shown = token < 40 ? (int)token : 40; /* quote at most 40 characters */
        if (end != p + token) return fail(line, "'%.*s' is not a number", shown, p);
        if (!isfinite(value)) return fail(line, "'%.*s' is not a finite number", shown, p);
        if (count < cfg.obs_dim) obs[count] = value;
        count++;
        p = end;
    }
    if (count != cfg.obs_dim)
        return fail(line, "expected %u numbers (the policy's obs_dim), got %u",
                    (unsigned)cfg.obs_dim, (unsigned)count);
    return 0;
}

int main(int argc, char **argv) {
    int demo = argc == 3 && strcmp(argv[2], "--demo") == 0;
    if (argc != 2 + demo || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s POLICY.json [--demo]\n", argv[0]);
        return 1;
    }
    if (sac_abi_version() != SAC_ABI_VERSION)
        return fail(0, "libsac has ABI %d, this program was built for %d", sac_abi_version(),
                    SAC_ABI_VERSION);
    if (sac_load_json(argv[1], &agent) != SAC_OK) return fail(0, "%s", sac_last_error());
    if (sac_agent_config(agent, &cfg, sizeof cfg) != SAC_OK) {
        sac_agent_destroy(agent);
        return fail(0, "%s", sac_last_error());
    }
    discrete = cfg.algorithm == SAC_ALGO_DISCRETE || cfg.algorithm == SAC_ALGO_SOFT_Q;
    obs = malloc(cfg.obs_dim * sizeof *obs);
    action = malloc((cfg.action_dim ? cfg.action_dim : 1) * sizeof *action); /* discrete: 0 */

    int status = obs && action ? 0 : fail(0, "out of memory");
    char *text = NULL;
    size_t cap = 0;
    if (demo) {
        for (long row = 0; row < 3 && status == 0; row++) {
            for (uint32_t i = 0; i < cfg.obs_dim; i++) obs[i] = demo_obs[row][i % 3];
            status = act_and_print(0);
        }
    } else {
        ssize_t length;
        for (long line = 1; status == 0 && (length = getline(&text, &cap, stdin)) != -1; line++)
            status = parse_line(text, (size_t)length, line) || act_and_print(line);
        if (status == 0 && ferror(stdin)) status = fail(0, "cannot read stdin");
    }
    free(text);
    free(obs);
    free(action);
    sac_agent_destroy(agent);
    return status;
}
