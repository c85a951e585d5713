// Trains a SAC agent to swing up a pendulum through sac.hpp, the C++ wrapper of libsac.
//
//   usage: train [total_steps] [policy.json]      (default: 8000 steps)
//
// Prints one line per episode, then the mean return of the deterministic policy over 10 episodes,
// checks that the policy reloaded from JSON acts identically, saves the policy to policy.json when
// given (for bindings/c/examples/infer.c), and finally shows libsac errors arriving as sac::Error.
// Returns 0 on success (solving the task takes about 10,000 steps; a mean above -200 is solved),
// 1 if the reloaded policy differs, 2 on an unexpected error.
//
//   c++ -std=c++17 -Iinclude -Ibindings/cpp train.cpp -Lpath/to/lib -lsac -o train
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "sac.hpp"

// ---- A 30-line pendulum (Gymnasium Pendulum-v1), the simulator of train_pendulum.c in C++ ----

struct Pendulum {
    float theta = 0, theta_dot = 0;
    int steps = 0;
    unsigned rng;

    explicit Pendulum(unsigned seed) : rng(seed) {}

    float uniform(float lo, float hi) {
        rng = rng * 1664525u + 1013904223u; // LCG: fine for start states
        return lo + (hi - lo) * static_cast<float>(rng >> 8) / 16777216.0f;
    }

    std::vector<float> observe() const { return {std::cos(theta), std::sin(theta), theta_dot}; }

    std::vector<float> reset() {
        theta = uniform(-3.14159265f, 3.14159265f);
        theta_dot = uniform(-1.0f, 1.0f);
        steps = 0;
        return observe();
    }

    // Returns the reward; sets truncated at the 200-step time limit (the task never terminates).
    float step(float torque, std::vector<float> &obs, bool &truncated) {
        const float g = 10.0f, m = 1.0f, l = 1.0f, dt = 0.05f, pi = 3.14159265f;
        float u = std::fmin(std::fmax(torque, -2.0f), 2.0f);
        float th = std::fmod(theta + pi, 2 * pi); if (th < 0) th += 2 * pi; th -= pi;
        float cost = th * th + 0.1f * theta_dot * theta_dot + 0.001f * u * u;
        float v = theta_dot + (3 * g / (2 * l) * std::sin(theta) + 3.0f / (m * l * l) * u) * dt;
        v = std::fmin(std::fmax(v, -8.0f), 8.0f);
        theta += v * dt;
        theta_dot = v;
        truncated = ++steps >= 200;
        obs = observe();
        return -cost;
    }
};

// ---- Training with sac.hpp ------------------------------------------------------------------

// Mean return of the deterministic policy (the pointer + length form of act).
static float evaluate(sac::Agent &agent, int episodes, unsigned seed) {
    Pendulum env(seed);
    float total = 0;
    for (int e = 0; e < episodes; e++) {
        std::vector<float> obs = env.reset();
        for (bool truncated = false; !truncated;) {
            float action[1];
            agent.act(obs.data(), obs.size(), action, 1, /*deterministic=*/true);
            total += env.step(action[0], obs, truncated);
        }
    }
    return total / static_cast<float>(episodes);
}

int main(int argc, char **argv) {
    long total_steps = argc > 1 ? std::atol(argv[1]) : 8000;
    const char *policy_path = argc > 2 ? argv[2] : nullptr;
    std::printf("libsac %s (C++): SAC on the pendulum swing-up, %ld steps\n", sac::version(),
                total_steps);
    try {
        sac::Config cfg;
        cfg.dims(3, 1).action_bounds(-2.0f, 2.0f).hidden({64, 64}).learning_rate(1e-3f).seed(1);
        sac::Agent agent(cfg);

        Pendulum env(1 * 7919u + 17u);
        std::vector<float> obs = env.reset(), next_obs;
        sac_update_stats stats{};
        float episode_return = 0;
        int episode = 0;
        for (long step = 0; step < total_steps; step++) {
            bool truncated;
            std::vector<float> action = agent.act(obs);
            float reward = env.step(action[0], next_obs, truncated);
            agent.observe(obs, action, reward, next_obs, /*terminated=*/false, truncated);
            episode_return += reward;
            if (agent.replay_size() >= cfg.raw().batch_size) stats = agent.update();
            if (truncated) {
                std::printf("episode %3d  step %6ld  return %8.1f  alpha %.3f  critic_loss %7.3f  "
                            "actor_loss %8.3f  entropy %6.3f\n",
                            ++episode, step + 1, episode_return, stats.alpha, stats.critic_loss,
                            stats.actor_loss, stats.entropy);
                episode_return = 0;
                obs = env.reset();
            } else {
                obs.swap(next_obs);
            }
        }

        float mean = evaluate(agent, 10, 12345u);
        sac::Counters counters = agent.counters();
        std::printf("final evaluation: mean return %.1f over 10 deterministic episodes "
                    "(%llu env steps, %llu gradient steps)\n",
                    mean, static_cast<unsigned long long>(counters.env_steps),
                    static_cast<unsigned long long>(counters.gradient_steps));

        // The policy as JSON text and back: a policy-only agent that acts bit-identically.
        std::string json = agent.to_json(sac::JsonKind::policy);
        sac::Agent policy = sac::Agent::from_json(json);
        float reloaded = evaluate(policy, 10, 12345u);
        std::printf("policy reloaded from %zu bytes of JSON: mean return %.1f (%s)\n", json.size(),
                    reloaded, reloaded == mean ? "identical" : "DIFFERENT");
        if (policy_path) {
            agent.save(policy_path, sac::JsonKind::policy);
            std::printf("saved the policy to %s\n", policy_path);
        }

        // Every failing call throws sac::Error with the status and libsac's message.
        try {
            policy.update(); // a loaded policy can act, not learn
        } catch (const sac::Error &e) {
            std::printf("caught sac::Error %s: %s\n", e.status_name(), e.what());
        }
        try {
            agent.act(std::vector<float>{1.0f, 0.0f}, true); // obs_dim is 3
        } catch (const sac::Error &e) {
            std::printf("caught sac::Error %s: %s\n", e.status_name(), e.what());
        }
        return reloaded == mean ? 0 : 1;
    } catch (const sac::Error &e) {
        std::fprintf(stderr, "libsac error %s: %s\n", e.status_name(), e.what());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    return 2;
}
