"""libsac: Soft Actor-Critic from a self-contained native library.

    import libsac
    agent = libsac.Agent(obs_dim=3, action_dim=1, action_low=[-2], action_high=[2])
    action = agent.act(obs)
    agent.observe(obs, action, reward, next_obs, terminated, truncated)
    stats = agent.update()

Discrete actions: `libsac.Agent(obs_dim=4, algorithm="discrete", n_actions=2)` acts with int indices
(also "soft_q" for soft Q-learning; "continuous_v1" is the original SAC with a value network).
Your own replay: `agent.update_from_batch(obs, actions, rewards, next_obs, terminated)`.

Gymnasium training: `libsac.gym.train("Pendulum-v1", 20_000)`; command line: `python -m libsac --help`.
"""
from ._native import ABI_VERSION, lib as _lib
from .agent import Agent, Stats
from .config import Algorithm, Config
from .errors import (BufferTooSmallError, ClosedError, ConfigError, DivergedError, FormatError,
                     InvalidArgumentError, NonFiniteError, NotReadyError, NullArgumentError, PolicyOnlyError,
                     SacError, SacIOError, SacMemoryError, ShapeError, StructSizeError, WrongAlgorithmError)

__version__ = _lib.sac_version_string().decode()
_SUBMODULES = ("gym", "onnx", "plot", "distributed")


def __getattr__(name: str):
    """`libsac.onnx.export(...)` after a plain `import libsac`: the submodules load on first use, so
    that importing libsac needs none of their optional packages (gymnasium, onnx, matplotlib, ray)."""
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
__all__ = [
    "ABI_VERSION", "Agent", "Algorithm", "BufferTooSmallError", "ClosedError", "Config", "ConfigError",
    "DivergedError", "FormatError", "InvalidArgumentError", "NonFiniteError", "NotReadyError", "NullArgumentError", "PolicyOnlyError", "SacError",
    "SacIOError", "SacMemoryError", "ShapeError", "Stats", "StructSizeError", "WrongAlgorithmError",
    "__version__",
]
