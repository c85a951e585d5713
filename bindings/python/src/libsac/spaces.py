"""Mapping Gymnasium spaces to a `Config`.

- Observations: a flat Box (shape (obs_dim,)).
- Box actions (flat, finite bounds): continuous SAC, `algorithm="continuous"` by default or
  `"continuous_v1"`; the bounds become `action_low`/`action_high`.
- Discrete actions: `algorithm="discrete"` (discrete SAC) by default or `"soft_q"` (soft
  Q-learning); `n_actions` is the space's `n`. libsac's action indices are 0 .. n-1, so a Discrete
  space with another `start` is refused rather than shifted silently: wrap the environment, e.g.
  `gymnasium.wrappers.TransformAction(env, lambda a: a + start, gymnasium.spaces.Discrete(n))`.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .config import Algorithm, AlgorithmLike, Config
from .errors import ConfigError


def config_for_env(env: Any, algorithm: Optional[AlgorithmLike] = None) -> Config:
    """obs_dim from `env.observation_space` (flat Box) and the action settings from
    `env.action_space` (Box or Discrete, see the module docstring). `algorithm` None picks
    "continuous" for a Box and "discrete" for a Discrete action space."""
    obs_space, action_space = env.observation_space, env.action_space
    obs_shape = getattr(obs_space, "shape", None)
    if not obs_shape or len(obs_shape) != 1:
        raise ConfigError(f"libsac needs a flat Box observation space, got {obs_space}")
    obs_dim = int(obs_shape[0])
    chosen = None if algorithm is None else Algorithm.parse(algorithm)
    kind = type(action_space).__name__
    if kind == "Discrete":
        chosen = chosen or Algorithm.DISCRETE
        if not chosen.is_discrete:
            raise ConfigError(f"algorithm {chosen.value!r} needs a Box action space, got {action_space}; "
                              "use 'discrete' or 'soft_q' for a Discrete one")
        start = int(getattr(action_space, "start", 0))
        if start != 0:
            raise ConfigError(f"libsac's discrete actions are 0 .. n-1, but the action space {action_space} starts "
                              f"at {start}; wrap the environment to shift the actions (e.g. gymnasium.wrappers."
                              "TransformAction with `lambda a: a + start` and a Discrete(n) space)")
        return Config(obs_dim=obs_dim, algorithm=chosen, n_actions=int(action_space.n))
    if kind != "Box" or len(action_space.shape) != 1:
        raise ConfigError(f"libsac needs a flat Box action space (continuous SAC) or a Discrete one (discrete SAC, "
                          f"soft Q-learning), got {action_space}")
    chosen = chosen or Algorithm.CONTINUOUS
    if chosen.is_discrete:
        raise ConfigError(f"algorithm {chosen.value!r} needs a Discrete action space, got {action_space}; "
                          "use 'continuous' or 'continuous_v1' for a Box one")
    low = np.asarray(action_space.low, dtype=np.float64)
    high = np.asarray(action_space.high, dtype=np.float64)
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        raise ConfigError(f"the action space must have finite bounds, got low={low} high={high}")
    return Config(obs_dim=obs_dim, action_dim=int(action_space.shape[0]), action_low=low.tolist(),
                  action_high=high.tolist(), algorithm=chosen)
