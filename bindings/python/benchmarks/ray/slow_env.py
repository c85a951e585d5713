"""A simulator made slow on purpose: Pendulum-v1 that sleeps 2 ms in every step, the way a robot
simulator with many contacts spends its time outside the learner. `gymnasium.make("slow_env:SlowPendulum-v1")`
imports this module (and so registers the id) in whichever process makes it: Ray's workers get the
folder through the runtime environment's working_dir."""
import time

import gymnasium

SLEEP_SECONDS = 0.002


class SlowStep(gymnasium.Wrapper):
    def step(self, action):
        time.sleep(SLEEP_SECONDS)
        return self.env.step(action)


def make(**kwargs):
    from gymnasium.envs.classic_control.pendulum import PendulumEnv

    return SlowStep(PendulumEnv(**kwargs))


if "SlowPendulum-v1" not in gymnasium.registry:
    gymnasium.register("SlowPendulum-v1", entry_point="slow_env:make", max_episode_steps=200)
