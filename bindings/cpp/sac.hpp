// sac.hpp: a header-only C++17 wrapper around libsac's C API (sac.h).
//
//     sac::Config cfg;                                   // sac_config_default()
//     cfg.dims(3, 1).action_bounds(-2, 2).hidden({64, 64}).learning_rate(1e-3f).seed(1);
//     sac::Agent agent(cfg);                             // sac_agent_create(); freed by ~Agent
//     std::vector<float> action = agent.act(obs);        // throws sac::Error on any failure
//     agent.observe(obs, action, reward, next_obs, terminated, truncated);
//     if (agent.replay_size() >= cfg.raw().batch_size) agent.update();
//     agent.save("policy.json", sac::JsonKind::policy);
//
// Discrete actions (sac::Algorithm::discrete, sac::Algorithm::soft_q) use action indices:
//
//     sac::Agent agent(sac::Config().algorithm(sac::Algorithm::discrete).discrete_dims(4, 2));
//     std::int32_t a = agent.act_discrete(obs);          // in [0, n_actions)
//     agent.observe_discrete(obs, a, reward, next_obs, terminated, truncated);
//
// Errors: every call that fails in libsac throws sac::Error, carrying the sac_status (status())
// and the text of sac_last_error() (what()), read on the calling thread right after the failure.
// As in the C API, a failing call changes nothing. Note that update() before batch_size
// transitions are stored throws SAC_ERR_NOT_READY: check replay_size() first. Calling the other
// kind's functions (act() on a discrete agent, act_discrete() on a continuous one, ...) throws
// SAC_ERR_WRONG_ALGORITHM; is_discrete() tells which kind an Agent is.
//
// Ownership: an Agent owns its sac_agent and destroys it in its destructor. Agents are move-only;
// a moved-from Agent holds no handle (any call on it throws SAC_ERR_NULL_ARGUMENT) and may be
// assigned to or destroyed. get() lends the raw handle to C code without giving up ownership.
// Buffers are only read or written during a call; libsac keeps no pointer to them.
//
// Threading (the rule of sac.h): distinct Agents may be used from different threads at the same
// time, but one Agent must be used by one thread at a time. Unlike the standard library's
// convention, this includes const member functions (to_json, save, replay_size, ...): guard an
// Agent shared between threads with a mutex. Config and Error are plain values. Error copies the
// message when it is thrown, so it stays valid when rethrown on another thread.
//
// This header includes only sac.h and standard headers. Link with -lsac.
#ifndef SAC_HPP
#define SAC_HPP

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sac.h"

namespace sac {

// A failed libsac call: status() is the sac_status, what() the sac_last_error() message.
class Error : public std::runtime_error {
public:
    Error(int status, const std::string &message) : std::runtime_error(message), status_(status) {}
    int status() const noexcept { return status_; }
    // The status's constant name, e.g. "SAC_ERR_LENGTH".
    const char *status_name() const noexcept { return sac_status_string(status_); }

private:
    int status_;
};

namespace detail {
inline void check(int status) {
    if (status != SAC_OK) throw Error(status, sac_last_error());
}
// The binding refuses to run against a library with another ABI than the header it was built for.
inline void check_abi() {
    if (sac_abi_version() != SAC_ABI_VERSION)
        throw Error(SAC_ERR_INVALID_ARGUMENT,
                    "sac.hpp: libsac has ABI version " + std::to_string(sac_abi_version()) +
                        " but this program was built for " + std::to_string(SAC_ABI_VERSION));
}
} // namespace detail

enum class JsonKind : int { policy = SAC_JSON_POLICY, checkpoint = SAC_JSON_CHECKPOINT };

// The members of the SAC family (sac_config.algorithm; sac.h explains which to pick).
enum class Algorithm : std::int32_t {
    continuous = SAC_ALGO_CONTINUOUS,       // SAC-v2: continuous actions, learned alpha (default)
    continuous_v1 = SAC_ALGO_CONTINUOUS_V1, // the original SAC with a value network, fixed alpha
    discrete = SAC_ALGO_DISCRETE,           // discrete SAC: softmax policy over n_actions
    soft_q = SAC_ALGO_SOFT_Q                // discrete soft Q-learning: no actor, fixed alpha
};

// Whether an algorithm chooses action indices (act_discrete) rather than action vectors (act).
constexpr bool is_discrete(Algorithm algorithm) noexcept {
    return algorithm == Algorithm::discrete || algorithm == Algorithm::soft_q;
}

// The library version, e.g. "0.2.0".
inline const char *version() noexcept { return sac_version_string(); }

// An agent configuration: sac_config_default() plus fluent setters for the common fields; every
// other field is reachable through raw(). Values are validated by Agent's constructor.
class Config {
public:
    Config() { detail::check(sac_config_default(&c_, sizeof c_)); }
    explicit Config(const sac_config &c) : c_(c) {}

    sac_config &raw() noexcept { return c_; }
    const sac_config &raw() const noexcept { return c_; }

    Config &dims(std::uint32_t obs_dim, std::uint32_t action_dim) {
        c_.obs_dim = obs_dim;
        c_.action_dim = action_dim;
        return *this;
    }
    // Discrete algorithms: the observation length and the number of actions (action_dim is 0).
    Config &discrete_dims(std::uint32_t obs_dim, std::uint32_t n_actions) {
        c_.obs_dim = obs_dim;
        c_.action_dim = 0;
        c_.n_actions = n_actions;
        return *this;
    }
    Config &algorithm(Algorithm algorithm) {
        c_.algorithm = static_cast<std::int32_t>(algorithm);
        return *this;
    }
    // The same bounds for every action dimension.
    Config &action_bounds(float low, float high) {
        for (std::size_t i = 0; i < SAC_MAX_ACTION_DIM; i++) action_bounds(i, low, high);
        return *this;
    }
    Config &action_bounds(std::size_t i, float low, float high) {
        if (i >= SAC_MAX_ACTION_DIM)
            throw Error(SAC_ERR_INVALID_ARGUMENT, "sac::Config::action_bounds: index " +
                                                      std::to_string(i) + " >= SAC_MAX_ACTION_DIM");
        c_.action_low[i] = low;
        c_.action_high[i] = high;
        return *this;
    }
    // Hidden layer sizes, e.g. hidden({64, 64}); 1..SAC_MAX_HIDDEN_LAYERS layers.
    Config &hidden(std::initializer_list<std::uint32_t> sizes) {
        if (sizes.size() == 0 || sizes.size() > SAC_MAX_HIDDEN_LAYERS)
            throw Error(SAC_ERR_INVALID_CONFIG, "sac::Config::hidden: " +
                                                    std::to_string(sizes.size()) +
                                                    " layers, expected 1..SAC_MAX_HIDDEN_LAYERS");
        c_.hidden_layers = static_cast<std::uint32_t>(sizes.size());
        std::size_t i = 0;
        for (std::uint32_t size : sizes) c_.hidden_sizes[i++] = size;
        return *this;
    }
    // Sets actor_lr, critic_lr and alpha_lr.
    Config &learning_rate(float lr) {
        c_.actor_lr = c_.critic_lr = c_.alpha_lr = lr;
        return *this;
    }
    Config &seed(std::uint64_t seed) {
        c_.seed = seed;
        return *this;
    }

private:
    sac_config c_;
};

// Training progress, as sac_agent_counters reports it.
struct Counters {
    std::uint64_t env_steps;
    std::uint64_t gradient_steps;
};

// A SAC agent (RAII owner of a sac_agent). See the top of this file for threading and ownership.
class Agent {
public:
    // sac_agent_create: validates the config (SAC_ERR_INVALID_CONFIG names the field).
    explicit Agent(const Config &config) {
        detail::check_abi();
        sac_agent *agent = nullptr;
        detail::check(sac_agent_create(&config.raw(), &agent));
        adopt(agent);
    }
    // An agent from a file written by save(): policy-only from a policy, trainable from a
    // checkpoint.
    static Agent load(const std::string &path) {
        detail::check_abi();
        sac_agent *agent = nullptr;
        detail::check(sac_load_json(path.c_str(), &agent));
        return Agent(agent);
    }
    // The same from JSON text, as to_json() returns it.
    static Agent from_json(std::string_view json) {
        detail::check_abi();
        sac_agent *agent = nullptr;
        detail::check(sac_from_json(json.data(), json.size(), &agent));
        return Agent(agent);
    }

    ~Agent() { sac_agent_destroy(agent_); }
    Agent(const Agent &) = delete;
    Agent &operator=(const Agent &) = delete;
    Agent(Agent &&other) noexcept
        : agent_(std::exchange(other.agent_, nullptr)), config_(other.config_) {}
    Agent &operator=(Agent &&other) noexcept {
        if (this != &other) {
            sac_agent_destroy(agent_);
            agent_ = std::exchange(other.agent_, nullptr);
            config_ = other.config_;
        }
        return *this;
    }

    // The raw handle, still owned by this Agent (nullptr after a move).
    sac_agent *get() const noexcept { return agent_; }

    // The agent's configuration with defaults resolved (read once, at construction).
    const Config &config() const noexcept { return config_; }
    std::uint32_t obs_dim() const noexcept { return config_.raw().obs_dim; }
    std::uint32_t action_dim() const noexcept { return config_.raw().action_dim; } // 0 if discrete
    std::uint32_t n_actions() const noexcept { return config_.raw().n_actions; }   // 0 if continuous
    Algorithm algorithm() const noexcept { return static_cast<Algorithm>(config_.raw().algorithm); }
    bool is_discrete() const noexcept { return sac::is_discrete(algorithm()); }

    // sac_act: one observation in, one action (in [action_low, action_high]) out.
    void act(const float *obs, std::size_t obs_len, float *action, std::size_t action_len,
             bool deterministic = false) {
        detail::check(sac_act(agent_, obs, obs_len, deterministic, action, action_len));
    }
    std::vector<float> act(const std::vector<float> &obs, bool deterministic = false) {
        std::vector<float> action(action_dim());
        act(obs.data(), obs.size(), action.data(), action.size(), deterministic);
        return action;
    }
    // sac_act_batch: n row-major observations in, n actions out.
    void act_batch(const float *obs, std::size_t n, std::size_t obs_len, float *actions,
                   std::size_t actions_len, bool deterministic = false) {
        detail::check(sac_act_batch(agent_, obs, n, obs_len, deterministic, actions, actions_len));
    }

    // sac_act_discrete (discrete agents): one observation in, an action index in [0, n_actions)
    // out; deterministic: the most probable action.
    std::int32_t act_discrete(const float *obs, std::size_t obs_len, bool deterministic = false) {
        std::int32_t action = 0;
        detail::check(sac_act_discrete(agent_, obs, obs_len, deterministic, &action));
        return action;
    }
    std::int32_t act_discrete(const std::vector<float> &obs, bool deterministic = false) {
        return act_discrete(obs.data(), obs.size(), deterministic);
    }
    // sac_act_discrete_batch: n row-major observations in, n action indices out.
    void act_discrete_batch(const float *obs, std::size_t n, std::size_t obs_len,
                            std::int32_t *actions, std::size_t actions_len,
                            bool deterministic = false) {
        detail::check(
            sac_act_discrete_batch(agent_, obs, n, obs_len, deterministic, actions, actions_len));
    }
    // The same for obs.size() / obs_dim() rows (obs.size() must be a multiple of obs_dim()).
    std::vector<std::int32_t> act_discrete_batch(const std::vector<float> &obs,
                                                 bool deterministic = false) {
        std::size_t n = obs_dim() ? obs.size() / obs_dim() : 0;
        std::vector<std::int32_t> actions(n);
        act_discrete_batch(obs.data(), n, obs.size(), actions.data(), actions.size(),
                           deterministic);
        return actions;
    }

    // sac_observe: stores one transition (throws SAC_ERR_POLICY_ONLY on a loaded policy).
    void observe(const float *obs, std::size_t obs_len, const float *action,
                 std::size_t action_len, float reward, const float *next_obs,
                 std::size_t next_obs_len, bool terminated, bool truncated) {
        detail::check(sac_observe(agent_, obs, obs_len, action, action_len, reward, next_obs,
                                  next_obs_len, terminated, truncated));
    }
    void observe(const std::vector<float> &obs, const std::vector<float> &action, float reward,
                 const std::vector<float> &next_obs, bool terminated, bool truncated) {
        observe(obs.data(), obs.size(), action.data(), action.size(), reward, next_obs.data(),
                next_obs.size(), terminated, truncated);
    }

    // sac_observe_discrete (discrete agents): stores one transition with the action index taken.
    void observe_discrete(const float *obs, std::size_t obs_len, std::int32_t action, float reward,
                          const float *next_obs, std::size_t next_obs_len, bool terminated,
                          bool truncated) {
        detail::check(sac_observe_discrete(agent_, obs, obs_len, action, reward, next_obs,
                                           next_obs_len, terminated, truncated));
    }
    void observe_discrete(const std::vector<float> &obs, std::int32_t action, float reward,
                          const std::vector<float> &next_obs, bool terminated, bool truncated) {
        observe_discrete(obs.data(), obs.size(), action, reward, next_obs.data(), next_obs.size(),
                         terminated, truncated);
    }

    // sac_update: gradient steps; returns what the last one measured.
    sac_update_stats update(std::uint32_t gradient_steps = 1) {
        sac_update_stats stats{};
        stats.struct_size = sizeof stats;
        detail::check(sac_update(agent_, gradient_steps, &stats));
        return stats;
    }

    // sac_observe_batch: stores batch.n transitions at once, as batch.n observe calls in row order
    // would, or nothing if any row is invalid (struct_size is set here).
    void observe_batch(sac_batch batch) {
        batch.struct_size = sizeof batch;
        detail::check(sac_observe_batch(agent_, &batch));
    }

    // sac_update_from_batch: one gradient step on the caller's minibatch (struct_size is set
    // here); the agent's replay buffer is neither read nor changed. Set batch.actions for a
    // continuous agent or batch.action_indices for a discrete one.
    sac_update_stats update_from_batch(sac_batch batch) {
        batch.struct_size = sizeof batch;
        sac_update_stats stats{};
        stats.struct_size = sizeof stats;
        detail::check(sac_update_from_batch(agent_, &batch, &stats));
        return stats;
    }
    // The same from vectors: rewards.size() rows, obs and next_obs [rows x obs_dim], actions
    // [rows x action_dim] (environment units) for a continuous agent; the sizes are checked
    // (SAC_ERR_LENGTH) before libsac is called.
    sac_update_stats update_from_batch(const std::vector<float> &obs,
                                       const std::vector<float> &actions,
                                       const std::vector<float> &rewards,
                                       const std::vector<float> &next_obs,
                                       const std::vector<std::uint8_t> &terminated) {
        check_batch("update_from_batch", obs, rewards, next_obs, terminated);
        if (is_discrete())
            throw Error(SAC_ERR_WRONG_ALGORITHM, "sac::Agent::update_from_batch: float actions "
                                                 "given to a discrete agent; pass action indices");
        if (actions.size() != rewards.size() * action_dim())
            throw Error(SAC_ERR_LENGTH, "sac::Agent::update_from_batch: actions has " +
                                            std::to_string(actions.size()) + " values, expected " +
                                            std::to_string(rewards.size() * action_dim()));
        return update_from_batch(make_batch(obs, actions.data(), nullptr, rewards, next_obs,
                                            terminated));
    }
    // ... and for a discrete agent, with one action index per row.
    sac_update_stats update_from_batch(const std::vector<float> &obs,
                                       const std::vector<std::int32_t> &action_indices,
                                       const std::vector<float> &rewards,
                                       const std::vector<float> &next_obs,
                                       const std::vector<std::uint8_t> &terminated) {
        check_batch("update_from_batch", obs, rewards, next_obs, terminated);
        if (!is_discrete())
            throw Error(SAC_ERR_WRONG_ALGORITHM, "sac::Agent::update_from_batch: action indices "
                                                 "given to a continuous agent; pass float actions");
        if (action_indices.size() != rewards.size())
            throw Error(SAC_ERR_LENGTH, "sac::Agent::update_from_batch: action_indices has " +
                                            std::to_string(action_indices.size()) +
                                            " values, expected " +
                                            std::to_string(rewards.size()));
        return update_from_batch(make_batch(obs, nullptr, action_indices.data(), rewards,
                                            next_obs, terminated));
    }

    // 1 (default) or 2 threads for gradient steps; bit-identical results either way.
    void set_threads(std::uint32_t threads) { detail::check(sac_agent_set_threads(agent_, threads)); }

    std::uint64_t replay_size() const {
        std::uint64_t size = 0;
        detail::check(sac_replay_size(agent_, &size));
        return size;
    }
    Counters counters() const {
        Counters c{0, 0};
        detail::check(sac_agent_counters(agent_, &c.env_steps, &c.gradient_steps));
        return c;
    }

    // Weights and checkpoints (atomic file writes; see sac.h).
    void save(const std::string &path, JsonKind kind) const {
        detail::check(sac_save_json(agent_, path.c_str(), static_cast<int>(kind)));
    }
    std::string to_json(JsonKind kind) const {
        std::size_t needed = 0;
        int status = sac_to_json(agent_, static_cast<int>(kind), nullptr, 0, &needed);
        if (status != SAC_ERR_BUFFER_TOO_SMALL) detail::check(status);
        std::string text(needed, '\0'); // needed counts the terminating NUL
        detail::check(
            sac_to_json(agent_, static_cast<int>(kind), text.data(), text.size(), &needed));
        text.resize(needed - 1);
        return text;
    }
    void save_replay(const std::string &path) const {
        detail::check(sac_save_replay(agent_, path.c_str()));
    }
    void load_replay(const std::string &path) {
        detail::check(sac_load_replay(agent_, path.c_str()));
    }

private:
    explicit Agent(sac_agent *owned) { adopt(owned); }
    // The row counts of a vector batch must agree (rewards.size() rows).
    void check_batch(const char *function, const std::vector<float> &obs,
                     const std::vector<float> &rewards, const std::vector<float> &next_obs,
                     const std::vector<std::uint8_t> &terminated) const {
        std::size_t n = rewards.size();
        auto expect = [&](const char *name, std::size_t got, std::size_t expected) {
            if (got != expected)
                throw Error(SAC_ERR_LENGTH, std::string("sac::Agent::") + function + ": " + name +
                                                " has " + std::to_string(got) +
                                                " values, expected " + std::to_string(expected));
        };
        expect("obs", obs.size(), n * obs_dim());
        expect("next_obs", next_obs.size(), n * obs_dim());
        expect("terminated", terminated.size(), n);
    }
    static sac_batch make_batch(const std::vector<float> &obs, const float *actions,
                                const std::int32_t *action_indices,
                                const std::vector<float> &rewards,
                                const std::vector<float> &next_obs,
                                const std::vector<std::uint8_t> &terminated) {
        sac_batch batch{};
        batch.struct_size = sizeof batch;
        batch.n = rewards.size();
        batch.obs = obs.data();
        batch.actions = actions;
        batch.action_indices = action_indices;
        batch.rewards = rewards.data();
        batch.next_obs = next_obs.data();
        batch.terminated = terminated.data();
        return batch;
    }
    // Takes ownership of agent, reading its config; destroys it if that fails.
    void adopt(sac_agent *agent) {
        int status = sac_agent_config(agent, &config_.raw(), sizeof(sac_config));
        if (status != SAC_OK) {
            Error error(status, sac_last_error());
            sac_agent_destroy(agent);
            throw error;
        }
        agent_ = agent;
    }

    sac_agent *agent_ = nullptr;
    Config config_;
};

} // namespace sac

#endif // SAC_HPP
