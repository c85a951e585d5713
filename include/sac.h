/*
 * libsac: Soft Actor-Critic (SAC) for C and C++.
 *
 * libsac trains and runs maximum-entropy reinforcement-learning agents (Haarnoja et al. 2018,
 * arXiv 1801.01290 and 1812.05905): a squashed-Gaussian actor, twin Q critics with Polyak-averaged
 * targets and an automatically tuned temperature. The library owns the networks, the optimizers
 * and the replay buffer; the caller owns the environment loop:
 *
 *     sac_config cfg;
 *     sac_config_default(&cfg, sizeof cfg);
 *     cfg.obs_dim = 3; cfg.action_dim = 1; cfg.action_low[0] = -2; cfg.action_high[0] = 2;
 *     sac_agent *agent;
 *     if (sac_agent_create(&cfg, &agent) != SAC_OK) { puts(sac_last_error()); return 1; }
 *     for (;;) {
 *         sac_act(agent, obs, 3, 0, action, 1);                 // action in [low, high]
 *         ... step the environment ...
 *         sac_observe(agent, obs, 3, action, 1, reward, next_obs, 3, terminated, truncated);
 *         sac_update(agent, 1, NULL);                           // SAC_ERR_NOT_READY during warm-up
 *     }
 *     sac_agent_destroy(agent);
 *
 * Conventions (the same for every function):
 *  - Every fallible function returns int: SAC_OK (0) on success or a negative sac_status.
 *    sac_last_error() then describes the failure; sac_status_string() names the code.
 *  - A failing call changes nothing: no partial writes to the agent or to output buffers beyond
 *    what its documentation says.
 *  - Buffers travel with their lengths, counted in elements. The library never reads or writes
 *    past a length it was given and never keeps a caller's pointer after returning.
 *  - Threading: distinct agents may be used from different threads at the same time. One agent
 *    must be used by one thread at a time (calls on the same agent are not synchronised).
 *    sac_last_error() is per thread. Functions that take no agent are thread-safe.
 *  - Determinism: the same seed and the same sequence of calls give bit-identical results on the
 *    same build and machine.
 *  - Structs that may grow (sac_config, sac_update_stats) start with `struct_size`. Set it to
 *    sizeof(the struct) as your header declares it; fields are only ever appended, so a program
 *    compiled against an older header keeps working with a newer library.
 *
 * Sections: versions and errors; the basics (configuration, an agent's lifetime, acting, observing
 * and learning one transition at a time); weights and checkpoints; and, last, the advanced calls
 * (batches of observations or transitions, your own minibatches, a second thread), which a basic
 * training loop never needs.
 *
 * This header includes only <stddef.h> and <stdint.h> and compiles as C99 and C++.
 */
#ifndef SAC_H
#define SAC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Versions                                                                                   */
/* ------------------------------------------------------------------------------------------ */

#define SAC_VERSION_MAJOR 0
#define SAC_VERSION_MINOR 3
#define SAC_VERSION_PATCH 0
#define SAC_VERSION_STRING "0.3.0"

/* Bumped on any incompatible change of this header; it is also the SONAME suffix (libsac.so.0). */
#define SAC_ABI_VERSION 0

/* The library's version as "MAJOR.MINOR.PATCH". Static storage; never NULL. Thread-safe. */
const char *sac_version_string(void);

/* The library's SAC_ABI_VERSION. A binding compares it with the header it was written for and
 * refuses to run on a mismatch. Thread-safe. */
int sac_abi_version(void);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef enum sac_status {
    SAC_OK = 0,
    SAC_ERR_NULL_ARGUMENT = -1,   /* a required pointer argument is NULL */
    SAC_ERR_INVALID_CONFIG = -2,  /* a sac_config field is out of range */
    SAC_ERR_LENGTH = -3,          /* a buffer length disagrees with the agent's dimensions */
    SAC_ERR_NON_FINITE = -4,      /* an input holds NaN or infinity */
    SAC_ERR_NOT_READY = -5,       /* sac_update before learning_starts transitions or one batch */
    SAC_ERR_STRUCT_SIZE = -6,     /* struct_size is smaller or larger than this library knows */
    SAC_ERR_OUT_OF_MEMORY = -7,   /* an allocation failed (e.g. a huge replay_capacity) */
    SAC_ERR_INVALID_ARGUMENT = -8, /* another argument is out of range (e.g. 0 gradient steps) */
    SAC_ERR_POLICY_ONLY = -9,     /* the agent was loaded from a policy file: it can act, not learn */
    SAC_ERR_FORMAT = -10,         /* JSON or replay data is corrupt, truncated or does not fit */
    SAC_ERR_IO = -11,             /* a file could not be opened, read or written */
    SAC_ERR_BUFFER_TOO_SMALL = -12, /* an output buffer is too small; the size needed is reported */
    SAC_ERR_WRONG_ALGORITHM = -13, /* a continuous-only function on a discrete agent, or the reverse */
    /* (appended in 0.3.0) a computation on valid inputs gave NaN or infinity: a gradient step's loss
     * or new weights (the step was undone), or a network output while acting (nothing was written) */
    SAC_ERR_DIVERGED = -14
} sac_status;

/* A short constant name for a status code ("SAC_ERR_LENGTH"), or "SAC_ERR_UNKNOWN" for a value
 * that is not a sac_status. Static storage; never NULL. Thread-safe. */
const char *sac_status_string(int status);

/* A human-readable message for the most recent failure on the calling thread, naming the
 * function, the argument and the expected and received values, e.g.
 * "sac_act: obs_len is 4 but the agent was created with obs_dim 3".
 * Returns "" if no call on this thread has failed. The text stays valid until the next failing
 * call on the same thread; successful calls do not clear it. Thread-safe (thread-local). */
const char *sac_last_error(void);

/* ------------------------------------------------------------------------------------------ */
/* Basics: configuration                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Upper bounds of the fixed-size arrays in sac_config, and of n_actions. */
#define SAC_MAX_ACTION_DIM 64
#define SAC_MAX_HIDDEN_LAYERS 8
#define SAC_MAX_ACTIONS 65536

/* The members of the SAC family (sac_config.algorithm). Which to pick:
 *  - SAC_ALGO_CONTINUOUS: continuous actions (torques, velocities). The modern default (SAC-v2,
 *    arXiv 1812.05905): twin Q critics with target networks, temperature alpha learned.
 *  - SAC_ALGO_CONTINUOUS_V1: the original SAC (arXiv 1801.01290) with a state-value network V and
 *    its target; alpha fixed by default (0.2). For reproducing the 2018 paper or comparing.
 *  - SAC_ALGO_DISCRETE: a finite set of actions (CartPole, Atari-like menus). Discrete SAC
 *    (arXiv 1910.07207): softmax policy, per-action twin Q heads, alpha learned toward
 *    target_entropy_scale * log(n_actions).
 *  - SAC_ALGO_SOFT_Q: discrete soft Q-learning (arXiv 1702.08165): no actor network, actions drawn
 *    from the Boltzmann distribution exp(Q/alpha) of the critics; alpha fixed (default 0.05).
 * Continuous agents use sac_act / sac_observe with float actions; discrete ones use
 * sac_act_discrete / sac_observe_discrete with action indices. The other kind's functions return
 * SAC_ERR_WRONG_ALGORITHM. */
typedef enum sac_algorithm {
    SAC_ALGO_CONTINUOUS = 0,
    SAC_ALGO_CONTINUOUS_V1 = 1,
    SAC_ALGO_DISCRETE = 2,
    SAC_ALGO_SOFT_Q = 3
} sac_algorithm;

/* sac_config.auto_alpha: learn alpha or keep it fixed, or let the algorithm decide (the default). */
#define SAC_AUTO_ALPHA_DEFAULT (-1)

/* Agent configuration. Always start from sac_config_default(), then change what you need.
 * Defaults follow Stable-Baselines3's SAC. */
typedef struct sac_config {
    size_t struct_size;            /* sizeof(sac_config); see the conventions above */

    uint32_t obs_dim;              /* observation length, >= 1 (default 0: must be set) */
    /* Continuous algorithms: action length, 1..SAC_MAX_ACTION_DIM (default 0: must be set).
     * Discrete algorithms take n_actions instead and need action_dim left at 0. */
    uint32_t action_dim;
    /* Per-dimension action bounds in the environment's units, finite, low < high (default -1, 1).
     * sac_act returns actions inside them; the policy itself works in [-1, 1]. */
    float action_low[SAC_MAX_ACTION_DIM];
    float action_high[SAC_MAX_ACTION_DIM];

    uint32_t hidden_layers;        /* number of hidden layers, 1..SAC_MAX_HIDDEN_LAYERS (default 2) */
    uint32_t hidden_sizes[SAC_MAX_HIDDEN_LAYERS]; /* units per hidden layer, 1..65536 (default 256) */

    float actor_lr;                /* Adam learning rate of the actor, in (0, 1] (default 3e-4) */
    float critic_lr;               /* Adam learning rate of the twin critics (and of SAC-v1's value
                                      network), in (0, 1] (default 3e-4) */
    float alpha_lr;                /* Adam learning rate of log(alpha), in (0, 1] (default 3e-4) */
    float gamma;                   /* discount, in [0, 1] (default 0.99) */
    float tau;                     /* Polyak factor for the target critics, in (0, 1] (default 0.005) */

    uint32_t batch_size;           /* transitions per gradient step, 1..2^20 (default 256) */
    uint64_t replay_capacity;      /* transitions kept, oldest overwritten, batch_size..2^34
                                      (default 1000000); the whole buffer is reserved at create */
    /* Warm-up (default 100): until this many transitions were observed, sac_act returns uniform
     * random actions (unless deterministic) and sac_update returns SAC_ERR_NOT_READY, as
     * Stable-Baselines3's and CleanRL's learning_starts: with one sac_update per sac_observe, the
     * first gradient step follows the learning_starts-th transition (theirs follows the next one).
     * A policy-only agent (loaded from a policy file) samples its policy from the start. */
    uint64_t learning_starts;

    /* Entropy temperature alpha (the initial value when learned), in (0, 1e38]. NaN (the default)
     * means the algorithm's default: 1.0 when alpha is learned, 0.2 for SAC_ALGO_CONTINUOUS_V1 and
     * 0.05 for SAC_ALGO_SOFT_Q. */
    float initial_alpha;
    /* 1 (or any positive value): learn alpha toward target_entropy; 0: keep it fixed at initial_alpha;
     * SAC_AUTO_ALPHA_DEFAULT (-1, the default): learn it for SAC_ALGO_CONTINUOUS and
     * SAC_ALGO_DISCRETE, keep it fixed for SAC_ALGO_CONTINUOUS_V1. SAC_ALGO_SOFT_Q rejects 1. */
    int32_t auto_alpha;
    /* Target entropy for the automatic temperature. NaN (the default) means -action_dim for
     * continuous algorithms and target_entropy_scale * log(n_actions) for discrete ones. Otherwise
     * finite and at most the largest entropy a policy can have (above it alpha grows without bound):
     * action_dim * log(2) for continuous algorithms (the uniform distribution on [-1, 1]^action_dim),
     * log(n_actions) for discrete ones. */
    float target_entropy;

    uint64_t seed;                 /* seeds weights, exploration noise and replay sampling (default 0) */

    /* ---- appended in 0.2.0 (a 0.1 caller's smaller struct_size leaves these at their defaults) ---- */
    int32_t algorithm;             /* a sac_algorithm (default SAC_ALGO_CONTINUOUS) */
    /* Discrete algorithms: the number of actions, 2..SAC_MAX_ACTIONS; actions are the indices
     * 0 .. n_actions-1. Continuous algorithms need it left at 0 (the default). */
    uint32_t n_actions;
    /* SAC_ALGO_DISCRETE's default target entropy as a fraction of the largest possible entropy
     * log(n_actions), in (0, 1] (default 0.98). */
    float target_entropy_scale;

    /* ---- appended in 0.3.0 (a 0.2 caller's smaller struct_size leaves these at their defaults) ---- */
    /* 1: normalise observations inside the agent, as Stable-Baselines3's VecNormalize does, so that
     * saved policies carry their statistics: each observation passed to sac_observe* updates a running
     * mean and variance (float64), and every network input becomes
     * clip((obs - mean) / sqrt(var + obs_epsilon), -obs_clip, obs_clip), both when acting and for the
     * batches of a gradient step (the replay buffer keeps raw observations; a sampled batch is normalised
     * with the statistics of the moment). A policy-only agent keeps the statistics it was saved with.
     * 0 (the default): observations go to the networks as they are. */
    int32_t normalize_observations;
    float obs_clip;                /* bound of a normalised observation, finite and > 0 (default 10) */
    float obs_epsilon;             /* added to the variance, finite and > 0 (default 1e-8) */
    /* The target networks blend toward the trained ones (with tau) on every target_update_interval-th
     * gradient step, counted over the agent's life (a resumed checkpoint keeps the rhythm); 1 (the
     * default) blends on every step; with tau = 1 the targets are hard copies every N steps.
     * 1..UINT32_MAX. */
    uint32_t target_update_interval;
} sac_config;

/* Fills *out with the defaults and sets out->struct_size = struct_size.
 * struct_size is the size of the caller's sac_config (pass sizeof(sac_config)); it must be at
 * least the size of the first published sac_config (0.1.0, which ended at `seed`) and at most the
 * size this library knows.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT or SAC_ERR_STRUCT_SIZE. Thread-safe. */
int sac_config_default(sac_config *out, size_t struct_size);

/* ------------------------------------------------------------------------------------------ */
/* Basics: agent lifetime                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* An agent: networks, optimizers, replay buffer, random state. Opaque. */
typedef struct sac_agent sac_agent;

/* Validates *config, allocates every buffer the agent will ever need (including the whole replay
 * buffer), initialises the networks from config->seed and stores the new agent in *out.
 * The config is copied; the caller keeps ownership of it. On failure *out is left untouched.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_STRUCT_SIZE, SAC_ERR_INVALID_CONFIG (the message
 * names the field) or SAC_ERR_OUT_OF_MEMORY. Thread-safe. */
int sac_agent_create(const sac_config *config, sac_agent **out);

/* Frees the agent and everything it owns. NULL is accepted and ignored. The handle must not be
 * used afterwards. */
void sac_agent_destroy(sac_agent *agent);

/* Copies the agent's configuration (with defaults resolved: initial_alpha, auto_alpha and
 * target_entropy hold the values in use) into *out,
 * writing only the first struct_size bytes (pass sizeof(sac_config)).
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT or SAC_ERR_STRUCT_SIZE. */
int sac_agent_config(const sac_agent *agent, sac_config *out, size_t struct_size);

/* ------------------------------------------------------------------------------------------ */
/* Basics: acting, observing, learning                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Continuous agents: computes an action for one observation and writes it, in the environment's
 * units (inside [action_low, action_high]), to action[0 .. action_dim).
 * deterministic != 0: the policy's mean action tanh(mu(obs)), for evaluation and deployment.
 * deterministic == 0: a sample from the policy; while fewer than learning_starts transitions have
 * been observed, a uniform random action instead (warm-up exploration).
 * obs_len must equal obs_dim and action_len must equal action_dim.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_WRONG_ALGORITHM (a discrete agent: use
 * sac_act_discrete), SAC_ERR_LENGTH, SAC_ERR_NON_FINITE (obs holds NaN/inf) or SAC_ERR_DIVERGED
 * (the actor's output is NaN/inf: weights too large for float arithmetic, as in a diverged run, or
 * an observation far outside anything seen in training). On failure nothing is written and the
 * random state does not advance: SAC_OK always comes with finite actions inside the bounds.
 * Allocates nothing. */
int sac_act(sac_agent *agent, const float *obs, size_t obs_len, int deterministic,
            float *action, size_t action_len);

/* Continuous agents: stores one transition in the replay buffer (overwriting the oldest when full).
 * action is in the environment's units, as returned by sac_act; it is mapped to the policy's
 * [-1, 1] range and clipped to [action_low, action_high] first, as environments clip.
 * terminated != 0: the episode ended in a terminal state; the target does not bootstrap from
 * next_obs. truncated != 0: the episode was cut by a time limit; the target still bootstraps.
 * (truncated only matters to the caller's loop; it is accepted so that call sites read like
 * Gymnasium's step() and are hard to get wrong.)
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_WRONG_ALGORITHM (a discrete agent: use
 * sac_observe_discrete), SAC_ERR_POLICY_ONLY, SAC_ERR_LENGTH or SAC_ERR_NON_FINITE (obs, action,
 * reward or next_obs holds NaN/inf; nothing is stored). Allocates nothing. */
int sac_observe(sac_agent *agent, const float *obs, size_t obs_len, const float *action,
                size_t action_len, float reward, const float *next_obs, size_t next_obs_len,
                int terminated, int truncated);

/* Discrete agents (SAC_ALGO_DISCRETE, SAC_ALGO_SOFT_Q): picks an action index in [0, n_actions)
 * for one observation and writes it to *action.
 * deterministic != 0: the most probable action (argmax of the policy; the first on ties).
 * deterministic == 0: a draw from the policy (softmax for discrete SAC, Boltzmann exp(Q/alpha) for
 * soft Q-learning); while fewer than learning_starts transitions have been observed, a uniform
 * random index instead. obs_len must equal obs_dim.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_WRONG_ALGORITHM (a continuous agent: use
 * sac_act), SAC_ERR_LENGTH, SAC_ERR_NON_FINITE or SAC_ERR_DIVERGED (the logits, for soft
 * Q-learning the Q-values, are NaN/inf). On failure nothing is written and the random state does
 * not advance. Allocates nothing. */
int sac_act_discrete(sac_agent *agent, const float *obs, size_t obs_len, int deterministic,
                     int32_t *action);

/* Discrete agents: sac_observe with the action index that was taken.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_WRONG_ALGORITHM (a continuous agent: use
 * sac_observe), SAC_ERR_POLICY_ONLY, SAC_ERR_LENGTH, SAC_ERR_INVALID_ARGUMENT (action outside
 * [0, n_actions)) or SAC_ERR_NON_FINITE. Nothing is stored on failure. Allocates nothing. */
int sac_observe_discrete(sac_agent *agent, const float *obs, size_t obs_len, int32_t action,
                         float reward, const float *next_obs, size_t next_obs_len, int terminated,
                         int truncated);

/* The number of transitions currently in the replay buffer (at most replay_capacity).
 * Returns SAC_OK or SAC_ERR_NULL_ARGUMENT. */
int sac_replay_size(const sac_agent *agent, uint64_t *out);

/* What one gradient step measured (the last step of a sac_update call). Discrete SAC computes the
 * expectations over actions exactly; soft Q-learning has no actor and reports 0 for actor_loss,
 * alpha_loss and entropy. */
typedef struct sac_update_stats {
    size_t struct_size;     /* sizeof(sac_update_stats) */
    float critic_loss;      /* 1/2 mean (Q1 - y)^2 + 1/2 mean (Q2 - y)^2 */
    float actor_loss;       /* mean (alpha * log pi(a|s) - min(Q1, Q2)(s, a)) */
    float alpha;            /* temperature used in this step */
    float alpha_loss;       /* mean (-log(alpha) * (log pi(a|s) + target_entropy)); 0 if fixed */
    float entropy;          /* estimate of the policy entropy, -mean log pi(a|s) */
    float mean_q;           /* mean of min(Q1, Q2) over the batch's stored actions */
    /* ---- appended in 0.2.0 ---- */
    float value_loss;       /* SAC_ALGO_CONTINUOUS_V1: 1/2 mean (V(s) - v)^2; 0 otherwise */
} sac_update_stats;

/* Runs gradient_steps SAC gradient steps (critics, actor, temperature, target critics), each on a
 * batch of batch_size transitions sampled uniformly from the replay buffer.
 * stats may be NULL; otherwise stats->struct_size must be set and the last step's values are
 * written to its first struct_size bytes.
 * The call is one transaction, guarded against divergence: if a loss or a new weight or optimizer
 * moment of any of its steps is NaN or infinite (rewards or observations of extreme magnitude,
 * learning rates too large), the agent is restored exactly as it was before the call (weights,
 * optimizer moments and steps, counters, random state: its checkpoint is byte for byte the same),
 * SAC_ERR_DIVERGED is returned and sac_last_error() names the loss or the network and the step.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_INVALID_ARGUMENT (gradient_steps == 0),
 * SAC_ERR_STRUCT_SIZE, SAC_ERR_POLICY_ONLY, or SAC_ERR_NOT_READY (fewer than learning_starts
 * transitions observed, or fewer than batch_size stored; nothing changes) or SAC_ERR_DIVERGED.
 * Allocates nothing. */
int sac_update(sac_agent *agent, uint32_t gradient_steps, sac_update_stats *stats);

/* Training progress: the number of transitions stored (by sac_observe, sac_observe_discrete and
 * sac_observe_batch) and the number of gradient steps taken. Either output pointer may be NULL.
 * Returns SAC_OK or SAC_ERR_NULL_ARGUMENT (agent is NULL). */
int sac_agent_counters(const sac_agent *agent, uint64_t *env_steps, uint64_t *gradient_steps);

/* (added in 0.3.0) The observation statistics of an agent created with normalize_observations = 1:
 * the per-dimension running mean and (population) variance, obs_len = obs_dim entries each, and the
 * number of observations counted. Before the first observation the mean is 0 and the variance 1.
 * mean, var or count may be NULL (not written).
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT (agent is NULL), SAC_ERR_LENGTH or SAC_ERR_INVALID_ARGUMENT
 * (the agent does not normalise observations); on failure nothing is written. */
int sac_agent_obs_normalization(const sac_agent *agent, double *mean, double *var, size_t obs_len,
                                uint64_t *count);

/* ------------------------------------------------------------------------------------------ */
/* Weights and checkpoints                                                                    */
/* ------------------------------------------------------------------------------------------ */
/*
 * Agents serialise to JSON (format "libsac", version 2; version 1 files of 0.1.0 still load;
 * docs/weights-format.md specifies every key,
 * shape and the forward pass, so another language can run a saved policy without libsac):
 *  - a policy file holds the config and the actor (for soft Q-learning, the twin Q heads): enough to act. An agent loaded from it acts
 *    like the original bit for bit; sac_observe and sac_update return SAC_ERR_POLICY_ONLY.
 *  - a checkpoint holds everything that continues training bit-exactly: config, actor, both critics
 *    and their targets (SAC-v1: the value network and its target), every Adam moment and step count, log(alpha), counters and random state.
 *    The replay buffer is saved separately (sac_save_replay), in a compact binary file.
 * Numbers are written as the shortest text that reads back to the same float32, independent of the
 * process locale: save -> load -> save gives identical bytes. Loading is strict: an unknown format
 * version, a missing or unknown key, a wrong type or shape, a non-finite number, truncated text or
 * trailing data give SAC_ERR_FORMAT and a sac_last_error() naming the JSON path, e.g.
 * "sac_load_json: $.actor.layers[1].weight: expected 256x256, got 256x255 (row 3)".
 * Files are written atomically: the new content goes to a file without a name (O_TMPFILE) in the
 * target's directory, is flushed to disk, then named and renamed over the target, so the file
 * always holds either its complete old or its complete new content, even when the process is killed
 * (kill -9) or the disk fills up. On any failure an existing file is left intact and no temporary
 * file remains. Only a kill in the instant between naming and renaming leaves the temporary
 * ".NAME.sac-tmp-HASH" next to the target; the next save of the same path replaces it. (On file
 * systems without O_TMPFILE that temporary is written under its name from the start, so a kill
 * during the save leaves it behind until then.) An existing file keeps its permission bits (and
 * its owner and group where the caller may set them); a new one gets 0666 less the umask. A
 * symbolic link is followed to the file it names (a dangling one creates it) and stays in place.
 * Only regular files are read or replaced: loading a FIFO, device, socket or directory fails at
 * once with SAC_ERR_IO, and a file larger than 2147483647 bytes (2 GiB - 1) with SAC_ERR_FORMAT
 * before a byte is read. docs/weights-format.md ("Files") has the details.
 */

typedef enum sac_json_kind {
    SAC_JSON_POLICY = 1,    /* config + actor weights */
    SAC_JSON_CHECKPOINT = 2 /* everything needed to resume training (except the replay buffer) */
} sac_json_kind;

/* Serialises the agent as NUL-terminated JSON text into buf (two-call pattern): *needed receives
 * the size the text needs including the NUL; if cap < *needed, nothing is written and
 * SAC_ERR_BUFFER_TOO_SMALL is returned (buf may be NULL when cap is 0). The size query itself
 * (buf NULL, cap 0) is the normal first call, not a failure: it returns SAC_ERR_BUFFER_TOO_SMALL
 * but leaves sac_last_error() as it was; a buffer given with a cap too small sets the message.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT (agent or needed; or buf with cap > 0),
 * SAC_ERR_INVALID_ARGUMENT (kind), SAC_ERR_POLICY_ONLY (a checkpoint of a policy-only agent),
 * SAC_ERR_NON_FINITE (a weight is NaN/inf: the run has diverged) or SAC_ERR_BUFFER_TOO_SMALL. */
int sac_to_json(const sac_agent *agent, int kind, char *buf, size_t cap, size_t *needed);

/* Creates a new agent from len bytes of JSON text (a NUL terminator is not needed): trainable from
 * a checkpoint, policy-only from a policy file. On failure *out is left untouched.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_FORMAT or SAC_ERR_OUT_OF_MEMORY. Thread-safe. */
int sac_from_json(const char *json, size_t len, sac_agent **out);

/* sac_to_json written atomically to the file at path (UTF-8, no trailing NUL); through symbolic
 * links to the file they name, keeping an existing file's permission bits (see above).
 * Returns as sac_to_json (without SAC_ERR_BUFFER_TOO_SMALL), or SAC_ERR_IO (the message carries
 * the system's reason, e.g. "Permission denied" or "No space left on device", or says that path
 * is a directory or another file that is not a regular file, or a loop of symbolic links). */
int sac_save_json(const sac_agent *agent, const char *path, int kind);

/* sac_from_json on the contents of the regular file at path.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_IO (the file cannot be opened or read, or is not a
 * regular file: a FIFO, device, socket or directory fails at once, never blocks), SAC_ERR_FORMAT
 * (also for a file larger than 2147483647 bytes, refused before it is read) or
 * SAC_ERR_OUT_OF_MEMORY. */
int sac_load_json(const char *path, sac_agent **out);

/* Writes the replay buffer atomically to path in libsac's binary replay format (little-endian
 * float32 records with a header and a checksum; see docs/weights-format.md).
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_POLICY_ONLY or SAC_ERR_IO. */
int sac_save_replay(const sac_agent *agent, const char *path);

/* Replaces the agent's replay buffer with the transitions of the regular file at path. With the
 * same replay_capacity the buffer is restored exactly (training continues bit-identically);
 * otherwise the newest transitions that fit are kept. The file is validated completely first
 * (magic, version, dimensions, checksum, finite values): on failure the agent is unchanged.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_POLICY_ONLY, SAC_ERR_IO (as sac_load_json) or
 * SAC_ERR_FORMAT (also for a file larger than 2147483647 bytes, refused before it is read). */
int sac_load_replay(sac_agent *agent, const char *path);

/* ------------------------------------------------------------------------------------------ */
/* Advanced: batches and threads                                                              */
/* ------------------------------------------------------------------------------------------ */
/*
 * As stable as the rest of this header, and needed only beyond the basic loop: acting for many
 * environments at once, storing transitions that arrive in batches (vectorised environments,
 * rollout workers), learning from a replay buffer of your own, and a second core for the gradient
 * steps. Each is exactly equivalent to a sequence of basic calls, as documented below.
 */

/* sac_act for n observations at once: obs is row-major [n x obs_dim] with obs_len == n * obs_dim,
 * actions is [n x action_dim] with actions_len == n * action_dim. n may be 0 (nothing happens).
 * Row i of the result equals what n separate sac_act calls would give for deterministic != 0;
 * stochastic rows draw noise in row order. Returns as sac_act; on failure no row is written.
 * Allocates nothing. n <= batch_size is computed in one pass; larger n in chunks of batch_size,
 * twice (every chunk is checked before any row is written). */
int sac_act_batch(sac_agent *agent, const float *obs, size_t n, size_t obs_len, int deterministic,
                  float *actions, size_t actions_len);

/* sac_act_discrete for n observations: obs is row-major [n x obs_dim] with obs_len == n * obs_dim;
 * actions receives n indices (actions_len == n). Rows behave as in sac_act_batch.
 * Returns as sac_act_discrete. Allocates nothing. */
int sac_act_discrete_batch(sac_agent *agent, const float *obs, size_t n, size_t obs_len,
                           int deterministic, int32_t *actions, size_t actions_len);

/* n transitions at once: the minibatch of sac_update_from_batch, for users who keep their own
 * replay (offline data, prioritized replay), and the transitions sac_observe_batch stores (from
 * several environments, or from workers). Row i is the transition (obs_i, action_i, reward_i,
 * next_obs_i, terminated_i); every array has n rows. */
typedef struct sac_batch {
    size_t struct_size;            /* sizeof(sac_batch) */
    size_t n;                      /* rows: 1..batch_size (sac_update_from_batch), 0..replay_capacity
                                      (sac_observe_batch) */
    const float *obs;              /* [n x obs_dim] */
    /* Continuous agents: [n x action_dim] in the environment's units, as sac_observe takes them
     * (clipped to the bounds). Must be NULL for discrete agents. */
    const float *actions;
    /* Discrete agents: [n] action indices in [0, n_actions). Must be NULL for continuous agents. */
    const int32_t *action_indices;
    const float *rewards;          /* [n] */
    const float *next_obs;         /* [n x obs_dim] */
    const uint8_t *terminated;     /* [n], nonzero: terminal (no bootstrapping from next_obs) */
} sac_batch;

/* (added in 0.3.0) Stores batch->n transitions in the replay buffer, exactly as n calls of
 * sac_observe (or sac_observe_discrete) in row order would: the same buffer, counters and
 * checkpoint afterwards.
 * The whole batch is validated first; on any error nothing is stored. n may be 0 (nothing happens;
 * the arrays must still be given). Returns SAC_OK, SAC_ERR_NULL_ARGUMENT (agent, batch or an array
 * the algorithm needs), SAC_ERR_STRUCT_SIZE, SAC_ERR_POLICY_ONLY, SAC_ERR_LENGTH (n above
 * replay_capacity), SAC_ERR_WRONG_ALGORITHM (actions given to a discrete agent or action_indices
 * to a continuous one), SAC_ERR_INVALID_ARGUMENT (an action index out of range) or
 * SAC_ERR_NON_FINITE (naming the array and the element). Allocates nothing. */
int sac_observe_batch(sac_agent *agent, const sac_batch *batch);

/* One gradient step (exactly what one step of sac_update does) on the caller's batch instead of a
 * sample from the agent's replay buffer, which it neither reads nor changes. The batch is copied
 * and validated completely first: on failure nothing changes. stats as in sac_update.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT (agent, batch or an array the algorithm needs),
 * SAC_ERR_STRUCT_SIZE, SAC_ERR_POLICY_ONLY, SAC_ERR_LENGTH (n is 0 or above batch_size),
 * SAC_ERR_WRONG_ALGORITHM (actions given to a discrete agent or action_indices to a continuous
 * one), SAC_ERR_INVALID_ARGUMENT (an action index out of range), SAC_ERR_NON_FINITE or
 * SAC_ERR_DIVERGED (guarded as sac_update: nothing changes). Allocates nothing. */
int sac_update_from_batch(sac_agent *agent, const sac_batch *batch, sac_update_stats *stats);

/* Sets how many threads the agent's gradient steps (sac_update, sac_update_from_batch) and large
 * sac_act_batch calls use: 1 (the default) to 64, the calling thread and threads - 1 helper threads
 * owned by the agent. With 2, the helper computes the second critic of each twin pair (forward,
 * backward, Adam step, target update) while the calling thread computes the first, and half of each
 * large matrix product and of the sampling of the other networks (the actor, SAC-v1's value
 * network). On a second free core this speeds up a step by about 1.9x for hidden layers of 256 units
 * and 1.2x for 64. With more, when most of the critics' work is in products large enough to be
 * worth cutting (1 MFLOP or more: hidden 256 and batch 256 are), the critics run one after the
 * other with each product cut between all the threads; smaller critics keep the 2-thread split. Use at most as many threads as
 * there are free cores: more slow the steps down. Results are bit-identical for every count.
 * Helper threads are created or joined here and by sac_agent_destroy; an idle agent's helpers
 * sleep. The setting is not saved in JSON.
 * Returns SAC_OK, SAC_ERR_NULL_ARGUMENT, SAC_ERR_INVALID_ARGUMENT (threads is 0 or above 64) or
 * SAC_ERR_OUT_OF_MEMORY (a thread could not be created; the agent keeps its previous count). */
int sac_agent_set_threads(sac_agent *agent, uint32_t threads);

#ifdef __cplusplus
}
#endif

#endif /* SAC_H */
