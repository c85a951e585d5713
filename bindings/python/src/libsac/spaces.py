"""Mapping Gymnasium spaces to a `Config`."""
from __future__ import annotations

from typing import Any

import numpy as np

from .config import Config
from .errors import ConfigError


def config_for_env(env: Any) -> Config:
    """obs_dim and action bounds from `env.observation_space` (flat Box) and `env.action_space` (Box)."""
    obs_space, action_space = env.observation_space, env.action_space
    obs_shape = getattr(obs_space, "shape", None)
    if not obs_shape or len(obs_shape) != 1:
        raise ConfigError(f"libsac needs a flat Box observation space, got {obs_space}")
    if type(action_space).__name__ != "Box" or len(action_space.shape) != 1:
        raise ConfigError(f"libsac's continuous SAC needs a flat Box action space, got {action_space}")
    low = np.asarray(action_space.low, dtype=np.float64)
    high = np.asarray(action_space.high, dtype=np.float64)
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        raise ConfigError(f"the action space must have finite bounds, got low={low} high={high}")
    return Config(obs_dim=int(obs_shape[0]), action_dim=int(action_space.shape[0]),
                  action_low=low.tolist(), action_high=high.tolist())
