/*
 * A 30-line pendulum: Gymnasium's Pendulum-v1 (same dynamics, reward, observation
 * [cos theta, sin theta, theta_dot], torque in [-2, 2] and 200-step episodes) in plain C, shared by
 * the C examples so that they need nothing but sac.h and libsac.so.
 */
#ifndef SAC_EXAMPLE_PENDULUM_H
#define SAC_EXAMPLE_PENDULUM_H

#include <math.h>

typedef struct { float theta, theta_dot; int steps; unsigned rng; } pendulum;

static float uniform(unsigned *state, float lo, float hi) {
    *state = *state * 1664525u + 1013904223u;            /* LCG: fine for start states */
    return lo + (hi - lo) * (float)(*state >> 8) / 16777216.0f;
}

static void pendulum_observe(const pendulum *p, float obs[3]) {
    obs[0] = cosf(p->theta); obs[1] = sinf(p->theta); obs[2] = p->theta_dot;
}

static void pendulum_reset(pendulum *p, float obs[3]) {
    p->theta = uniform(&p->rng, -3.14159265f, 3.14159265f);
    p->theta_dot = uniform(&p->rng, -1.0f, 1.0f);
    p->steps = 0;
    pendulum_observe(p, obs);
}

/* Returns the reward; sets *truncated at the 200-step time limit (the task never terminates). */
static float pendulum_step(pendulum *p, float torque, float obs[3], int *truncated) {
    const float g = 10.0f, m = 1.0f, l = 1.0f, dt = 0.05f, pi = 3.14159265f;
    float u = fminf(fmaxf(torque, -2.0f), 2.0f);
    float th = fmodf(p->theta + pi, 2 * pi); if (th < 0) th += 2 * pi; th -= pi;
    float cost = th * th + 0.1f * p->theta_dot * p->theta_dot + 0.001f * u * u;
    float v = p->theta_dot + (3 * g / (2 * l) * sinf(p->theta) + 3.0f / (m * l * l) * u) * dt;
    v = fminf(fmaxf(v, -8.0f), 8.0f);
    p->theta += v * dt;
    p->theta_dot = v;
    *truncated = ++p->steps >= 200;
    pendulum_observe(p, obs);
    return -cost;
}

#endif
