"""libsac: Soft Actor-Critic from a self-contained native library.

    import libsac
    agent = libsac.Agent(obs_dim=3, action_dim=1, action_low=[-2], action_high=[2])
    action = agent.act(obs)
    agent.observe(obs, action, reward, next_obs, terminated, truncated)
    stats = agent.update()

Gymnasium training: `libsac.gym.train("Pendulum-v1", 20_000)`; command line: `python -m libsac --help`.
"""
from ._native import ABI_VERSION, lib as _lib
from .agent import Agent, Stats
from .config import Config
from .errors import (BufferTooSmallError, ClosedError, ConfigError, FormatError, InvalidArgumentError,
                     NonFiniteError, NotReadyError, NullArgumentError, PolicyOnlyError, SacError, SacIOError,
                     SacMemoryError, ShapeError, StructSizeError)

__version__ = _lib.sac_version_string().decode()
__all__ = [
    "ABI_VERSION", "Agent", "BufferTooSmallError", "ClosedError", "Config", "ConfigError", "FormatError",
    "InvalidArgumentError", "NonFiniteError", "NotReadyError", "NullArgumentError", "PolicyOnlyError", "SacError",
    "SacIOError", "SacMemoryError", "ShapeError", "Stats", "StructSizeError", "__version__",
]
