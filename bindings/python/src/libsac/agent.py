"""`Agent`: one libsac agent, numpy in and out. All computation happens in libsac.so."""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from ._native import c_agent_p, lib, sac_config, sac_update_stats
from .config import Config
from .errors import ClosedError, InvalidArgumentError, ShapeError, check

PathLike = Union[str, "os.PathLike[str]"]
_KINDS = {"policy": 1, "checkpoint": 2}


@dataclass(frozen=True)
class Stats:
    """What the last gradient step of `Agent.update` measured."""

    critic_loss: float
    actor_loss: float
    alpha: float
    alpha_loss: float
    entropy: float
    mean_q: float


def _floats(values: Any, name: str) -> np.ndarray:
    """A C-contiguous float32 array (no copy when `values` already is one)."""
    try:
        return np.ascontiguousarray(values, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise ShapeError(f"{name} must be an array of numbers: {error}") from None


def _vector(values: Any, length: int, name: str, function: str) -> np.ndarray:
    """A float32 vector; an array of the right size but another shape (a scalar, a (1, n) row) is
    refused here, a wrong size is left to the library, whose message names the lengths."""
    array = _floats(values, name)
    if array.ndim != 1 and array.size == length:
        raise ShapeError(f"{function}: {name} must have shape ({length},), got {array.shape}")
    return array


def _address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


def _kind(kind: str) -> int:
    try:
        return _KINDS[kind]
    except KeyError:
        raise InvalidArgumentError(f"kind must be 'policy' or 'checkpoint', got {kind!r}") from None


class Agent:
    """A Soft Actor-Critic agent.

    Create it from a `Config` (or keyword overrides of the defaults), from a Gymnasium environment
    with `Agent.from_env`, or from a saved file with `Agent.load`. Use it as a context manager or
    call `close()` to free the native memory at once; a closed agent raises `ClosedError`.
    One agent must be used by one thread at a time; distinct agents may run in parallel threads
    (the native calls release the GIL)."""

    def __init__(self, config: Optional[Config] = None, **overrides: Any):
        config = (config or Config()).replace(**overrides) if overrides else (config or Config())
        c = config.to_c()
        handle = c_agent_p()
        check(lib.sac_agent_create(ctypes.byref(c), ctypes.byref(handle)))
        self._adopt(handle)

    def _adopt(self, handle: c_agent_p) -> None:
        self._handle: Optional[c_agent_p] = handle
        c = sac_config()
        check(lib.sac_agent_config(handle, ctypes.byref(c), ctypes.sizeof(c)))
        self._config = Config.from_c(c)
        self._obs_dim = c.obs_dim
        self._action_dim = c.action_dim
        self._stats = sac_update_stats(struct_size=ctypes.sizeof(sac_update_stats))
        # `act` copies into these and passes their cached addresses: reading an array's address
        # costs microseconds in numpy, more than the copy of one observation.
        self._obs_shape = (c.obs_dim,)
        self._obs_buffer = np.empty(c.obs_dim, dtype=np.float32)
        self._action_buffer = np.empty(c.action_dim, dtype=np.float32)
        self._obs_address = _address(self._obs_buffer)
        self._action_address = _address(self._action_buffer)

    @classmethod
    def _from_handle(cls, handle: c_agent_p) -> "Agent":
        agent = cls.__new__(cls)
        agent._adopt(handle)
        return agent

    @classmethod
    def from_env(cls, env: Any, **overrides: Any) -> "Agent":
        """An agent sized for a Gymnasium environment with a flat Box observation space and a Box
        action space (bounds taken from the space). Keyword arguments override `Config` fields."""
        from .spaces import config_for_env

        return cls(config_for_env(env).replace(**overrides))

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Frees the native agent. Safe to call more than once."""
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            lib.sac_agent_destroy(handle)

    def __enter__(self) -> "Agent":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    @property
    def _live(self) -> c_agent_p:
        if not self._handle:
            raise ClosedError("this agent has been closed")
        return self._handle

    def __repr__(self) -> str:
        if not self._handle:
            return "<libsac.Agent (closed)>"
        c = self._config
        return (f"<libsac.Agent obs_dim={c.obs_dim} action_dim={c.action_dim} hidden={list(c.hidden_sizes)} "
                f"env_steps={self.env_steps} gradient_steps={self.gradient_steps} replay={self.replay_size}>")

    # -- properties ------------------------------------------------------------------------

    @property
    def config(self) -> Config:
        self._live
        return self._config

    @property
    def replay_size(self) -> int:
        size = ctypes.c_uint64()
        check(lib.sac_replay_size(self._live, ctypes.byref(size)))
        return size.value

    def _counters(self) -> "tuple[int, int]":
        env_steps, gradient_steps = ctypes.c_uint64(), ctypes.c_uint64()
        check(lib.sac_agent_counters(self._live, ctypes.byref(env_steps), ctypes.byref(gradient_steps)))
        return env_steps.value, gradient_steps.value

    @property
    def env_steps(self) -> int:
        return self._counters()[0]

    @property
    def gradient_steps(self) -> int:
        return self._counters()[1]

    # -- acting, observing, learning -------------------------------------------------------

    def act(self, obs: Any, deterministic: bool = False) -> np.ndarray:
        """The action for one observation, float32 of shape (action_dim,), in the environment's
        units. `deterministic=True` gives the mean action (evaluation, deployment)."""
        handle = self._live
        obs = _floats(obs, "obs")
        if obs.shape != self._obs_shape:
            if obs.size == self._obs_dim:
                raise ShapeError(f"act: obs must have shape {self._obs_shape}, got {obs.shape} "
                                 "(act_batch takes several observations)")
            # the library reports the length it got
            check(lib.sac_act(handle, _address(obs), obs.size, 1 if deterministic else 0,
                              self._action_address, self._action_dim))
        self._obs_buffer[...] = obs
        check(lib.sac_act(handle, self._obs_address, self._obs_dim, 1 if deterministic else 0,
                          self._action_address, self._action_dim))
        return self._action_buffer.copy()

    def act_batch(self, obs: Any, deterministic: bool = False) -> np.ndarray:
        """Actions for observations of shape (n, obs_dim): float32 of shape (n, action_dim)."""
        obs = _floats(obs, "obs")
        if obs.ndim != 2:
            raise ShapeError(f"act_batch: obs must have shape (n, {self._obs_dim}), got {obs.shape}")
        n = obs.shape[0]
        actions = np.empty((n, self._action_dim), dtype=np.float32)
        check(lib.sac_act_batch(self._live, _address(obs), n, obs.size, 1 if deterministic else 0,
                                _address(actions), actions.size))
        return actions

    def observe(self, obs: Any, action: Any, reward: float, next_obs: Any, terminated: bool,
                truncated: bool = False) -> None:
        """Stores one transition. `terminated` cuts the bootstrap; `truncated` (a time limit) does not."""
        obs = _vector(obs, self._obs_dim, "obs", "observe")
        action = _vector(action, self._action_dim, "action", "observe")
        next_obs = _vector(next_obs, self._obs_dim, "next_obs", "observe")
        check(lib.sac_observe(self._live, _address(obs), obs.size, _address(action), action.size, float(reward),
                              _address(next_obs), next_obs.size, 1 if terminated else 0, 1 if truncated else 0))

    def update(self, gradient_steps: int = 1) -> Stats:
        """Runs gradient steps on batches from the replay buffer; returns the last step's statistics.
        Raises NotReadyError until the buffer holds batch_size transitions."""
        if isinstance(gradient_steps, bool) or not isinstance(gradient_steps, int) or not 0 <= gradient_steps < 2 ** 32:
            raise InvalidArgumentError(f"gradient_steps must be an integer in 1..2**32-1, got {gradient_steps!r}")
        s = self._stats
        check(lib.sac_update(self._live, gradient_steps, ctypes.byref(s)))
        return Stats(s.critic_loss, s.actor_loss, s.alpha, s.alpha_loss, s.entropy, s.mean_q)

    # -- weights and checkpoints -----------------------------------------------------------

    def to_json(self, kind: str = "checkpoint") -> str:
        """The agent as JSON text ("policy": config + actor; "checkpoint": everything to resume)."""
        needed = ctypes.c_size_t()
        status = lib.sac_to_json(self._live, _kind(kind), None, 0, ctypes.byref(needed))
        if status != -12:  # anything but SAC_ERR_BUFFER_TOO_SMALL is a real error
            check(status)
        buffer = ctypes.create_string_buffer(needed.value)
        check(lib.sac_to_json(self._live, _kind(kind), buffer, needed.value, ctypes.byref(needed)))
        return buffer.value.decode("utf-8")

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> "Agent":
        """An agent from JSON text: trainable from a checkpoint, act-only from a policy."""
        if not isinstance(text, (str, bytes, bytearray, memoryview)):
            raise InvalidArgumentError(f"from_json takes JSON text (str or bytes), got {type(text).__name__}")
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        handle = c_agent_p()
        check(lib.sac_from_json(data, len(data), ctypes.byref(handle)))
        return cls._from_handle(handle)

    def save(self, path: PathLike, kind: str = "checkpoint") -> None:
        """Writes `to_json(kind)` to `path` atomically (an existing file is replaced only on success)."""
        check(lib.sac_save_json(self._live, os.fsencode(path), _kind(kind)))

    @classmethod
    def load(cls, path: PathLike) -> "Agent":
        """An agent from a file written by `save` (or `sac_save_json`)."""
        handle = c_agent_p()
        check(lib.sac_load_json(os.fsencode(path), ctypes.byref(handle)))
        return cls._from_handle(handle)

    def save_replay(self, path: PathLike) -> None:
        """Writes the replay buffer to `path` (libsac's binary replay format), atomically."""
        check(lib.sac_save_replay(self._live, os.fsencode(path)))

    def load_replay(self, path: PathLike) -> None:
        """Replaces the replay buffer with a file written by `save_replay`."""
        check(lib.sac_load_replay(self._live, os.fsencode(path)))
