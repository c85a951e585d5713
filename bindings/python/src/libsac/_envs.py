"""One environment or N copies stepped together, seen by the trainer the same way.

Both adapters follow Gymnasium's same-step autoreset: `step` returns each copy's transition
(`next_obs` as the episode ended, for the replay buffer) and, separately, the observation to act on
next (the first of a new episode where one ended). A vector environment in Gymnasium's default
next-step mode spends one `step` call per finished episode on the reset; that call's output is not a
transition, so it is reported as not `valid` and stored nowhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Optional

import numpy as np

from .errors import ConfigError


@dataclass
class Step:
    """One `step` of every copy: rows are copies; `valid[i]` False means row i is no transition."""

    next_obs: np.ndarray
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    valid: np.ndarray
    obs: np.ndarray  # what to act on next


def is_vector_env(env: Any) -> bool:
    try:
        from gymnasium.vector import VectorEnv
    except ImportError:
        return False
    return isinstance(env, VectorEnv)


def make_vector_env(env_id: str, n_envs: int) -> Any:
    """N synchronous copies of `env_id` in same-step autoreset mode (one process: the copies share
    the agent's process, and a copy's step is short next to a gradient step)."""
    import gymnasium
    from gymnasium.vector import AutoresetMode

    return gymnasium.make_vec(env_id, num_envs=n_envs, vectorization_mode="sync",
                              vector_kwargs={"autoreset_mode": AutoresetMode.SAME_STEP})


def spaces_of(env: Any) -> Any:
    """What `config_for_env` reads: the spaces of one copy."""
    if is_vector_env(env):
        return SimpleNamespace(observation_space=env.single_observation_space, action_space=env.single_action_space)
    return env


class SingleEnv:
    """A Gymnasium environment as a batch of one."""

    n = 1

    def __init__(self, env: Any):
        self.env = env

    def reset(self, seed: Optional[int]) -> np.ndarray:
        obs, _ = self.env.reset(seed=seed)
        return np.asarray(obs)[None]

    def step(self, action: Any) -> Step:
        next_obs, reward, terminated, truncated, _ = self.env.step(action)
        obs = next_obs
        if terminated or truncated:
            obs, _ = self.env.reset()
        return Step(np.asarray(next_obs)[None], np.array([float(reward)]), np.array([bool(terminated)]),
                    np.array([bool(truncated)]), np.array([True]), np.asarray(obs)[None])


class VectorEnv:
    """A `gymnasium.vector.VectorEnv` in same-step or next-step autoreset mode."""

    def __init__(self, env: Any):
        from gymnasium.vector import AutoresetMode

        mode = env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP)
        if mode not in (AutoresetMode.SAME_STEP, AutoresetMode.NEXT_STEP):
            raise ConfigError(f"the vector environment's autoreset mode is {mode}; training needs "
                              "AutoresetMode.SAME_STEP or NEXT_STEP")
        self.env = env
        self.n = int(env.num_envs)
        self.same_step = mode == AutoresetMode.SAME_STEP
        self.resetting = np.zeros(self.n, dtype=bool)

    def reset(self, seed: Optional[int]) -> np.ndarray:
        obs, _ = self.env.reset(seed=seed)
        self.resetting[:] = False
        return np.asarray(obs)

    def step(self, actions: np.ndarray) -> Step:
        obs, rewards, terminated, truncated, info = self.env.step(actions)
        terminated, truncated = np.asarray(terminated, dtype=bool), np.asarray(truncated, dtype=bool)
        next_obs = np.array(obs, copy=True)
        valid = np.ones(self.n, dtype=bool)
        if self.same_step:
            ended = info.get("_final_obs", np.zeros(self.n, dtype=bool))
            for i in np.flatnonzero(ended):
                next_obs[i] = info["final_obs"][i]
        else:
            valid = ~self.resetting
            self.resetting = terminated | truncated
        return Step(next_obs, np.asarray(rewards, dtype=np.float64), terminated, truncated, valid, np.asarray(obs))
