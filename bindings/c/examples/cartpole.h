/*
 * A 50-line cart-pole: Gymnasium's CartPole-v1 (same Euler dynamics with 0.02 s steps, observation
 * [x, x_dot, theta, theta_dot], actions 0 = push left and 1 = push right with 10 N, reward 1 per step,
 * termination when |x| > 2.4 or |theta| > 12 degrees, 500-step time limit, start state uniform in
 * +-0.05) in plain C, so that the discrete examples need nothing but sac.h and libsac.so.
 */
#ifndef SAC_EXAMPLE_CARTPOLE_H
#define SAC_EXAMPLE_CARTPOLE_H

#include <math.h>

typedef struct { float x, x_dot, theta, theta_dot; int steps; unsigned rng; } cartpole;

static float cartpole_uniform(unsigned *state, float lo, float hi) {
    *state = *state * 1664525u + 1013904223u;            /* LCG: fine for start states */
    return lo + (hi - lo) * (float)(*state >> 8) / 16777216.0f;
}

static void cartpole_observe(const cartpole *c, float obs[4]) {
    obs[0] = c->x; obs[1] = c->x_dot; obs[2] = c->theta; obs[3] = c->theta_dot;
}

static void cartpole_reset(cartpole *c, float obs[4]) {
    c->x = cartpole_uniform(&c->rng, -0.05f, 0.05f);
    c->x_dot = cartpole_uniform(&c->rng, -0.05f, 0.05f);
    c->theta = cartpole_uniform(&c->rng, -0.05f, 0.05f);
    c->theta_dot = cartpole_uniform(&c->rng, -0.05f, 0.05f);
    c->steps = 0;
    cartpole_observe(c, obs);
}

/* Applies action 0 (left) or 1 (right) for one 0.02 s step and returns the reward (1). Sets
 * *terminated when the pole falls past 12 degrees or the cart leaves [-2.4, 2.4], and otherwise
 * *truncated at the 500-step time limit. */
static float cartpole_step(cartpole *c, int action, float obs[4], int *terminated, int *truncated) {
    const float gravity = 9.8f, cart_mass = 1.0f, pole_mass = 0.1f, half_length = 0.5f;
    const float force_mag = 10.0f, dt = 0.02f, angle_limit = 12 * 2 * 3.14159265f / 360;
    const float total_mass = cart_mass + pole_mass, pole_mass_length = pole_mass * half_length;
    float force = action == 1 ? force_mag : -force_mag;
    float cos_t = cosf(c->theta), sin_t = sinf(c->theta);
    float temp = (force + pole_mass_length * c->theta_dot * c->theta_dot * sin_t) / total_mass;
    float theta_acc = (gravity * sin_t - cos_t * temp) /
                      (half_length * (4.0f / 3.0f - pole_mass * cos_t * cos_t / total_mass));
    float x_acc = temp - pole_mass_length * theta_acc * cos_t / total_mass;
    c->x += dt * c->x_dot;                                /* Euler, in Gymnasium's order */
    c->x_dot += dt * x_acc;
    c->theta += dt * c->theta_dot;
    c->theta_dot += dt * theta_acc;
    c->steps++;
    *terminated = fabsf(c->x) > 2.4f || fabsf(c->theta) > angle_limit;
    *truncated = !*terminated && c->steps >= 500;
    cartpole_observe(c, obs);
    return 1.0f;
}

#endif
