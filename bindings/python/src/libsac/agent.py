"""`Agent`: one libsac agent, numpy in and out. All computation happens in libsac.so."""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from ._native import c_agent_p, lib, sac_batch, sac_config, sac_update_stats
from .config import Config
from .errors import ClosedError, InvalidArgumentError, ShapeError, check

PathLike = Union[str, "os.PathLike[str]"]
_KINDS = {"policy": 1, "checkpoint": 2}
_INT32_MIN, _INT32_MAX = -2 ** 31, 2 ** 31 - 1


@dataclass(frozen=True)
class Stats:
    """What the last gradient step of `Agent.update` (or `update_from_batch`) measured. Soft
    Q-learning has no actor: actor_loss, alpha_loss and entropy are 0 there. `value_loss` is the
    state-value network's loss of continuous_v1, 0 for the other algorithms."""

    critic_loss: float
    actor_loss: float
    alpha: float
    alpha_loss: float
    entropy: float
    mean_q: float
    value_loss: float = 0.0


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


def _action_index(action: Any) -> Optional[int]:
    """The action index if `action` is an integer scalar (int, numpy integer, 0-d integer array),
    else None (a continuous action vector)."""
    if type(action) is int:
        return action
    if isinstance(action, (int, np.integer)) and not isinstance(action, bool):
        return int(action)
    if isinstance(action, np.ndarray) and action.ndim == 0 and action.dtype.kind in "iu":
        return int(action)
    return None


def _index_out_of_range(function: str, what: str, value: int, n_actions: int) -> InvalidArgumentError:
    """For indices that an int32 cannot hold (ctypes would wrap them silently); the library reports
    every other index outside [0, n_actions) in the same words."""
    return InvalidArgumentError(f"{function}: {what} is {value}; it must be an action index in "
                                f"0...{n_actions - 1} (n_actions is {n_actions})")


def _batch_actions(actions: Any, n: int, action_dim: int, n_actions: int, discrete: bool,
                   function: str) -> "tuple[Optional[np.ndarray], Optional[np.ndarray]]":
    """(float actions, action indices) of a batch, one of them None. A 1-D integer array
    holds action indices, anything else continuous actions; the library refuses the wrong kind for
    the agent (WrongAlgorithmError). Shapes are checked here: sac_batch carries no lengths, so the
    library reads n rows of the agent's width from every array."""
    try:
        raw = np.asarray(actions)
    except (TypeError, ValueError) as error:
        raise ShapeError(f"{function}: actions must be an array: {error}") from None
    if raw.ndim == 1 and (raw.dtype.kind in "iu" or raw.size == 0 and discrete):
        if raw.shape != (n,):
            raise ShapeError(f"{function}: action indices must have shape ({n},), got {raw.shape}")
        if discrete and raw.size and raw.dtype != np.int32:  # a continuous agent refuses any indices
            bad = np.flatnonzero((raw < _INT32_MIN) | (raw > _INT32_MAX))
            if bad.size:
                raise _index_out_of_range(function, f"actions[{bad[0]}]", int(raw[bad[0]]), n_actions)
        return None, np.ascontiguousarray(raw, dtype=np.int32)
    floats = _floats(raw, "actions")
    if discrete:  # the library refuses float actions for a discrete agent without reading them
        if floats.ndim == 0 or floats.shape[0] != n:
            raise ShapeError(f"{function}: actions must have {n} rows, got shape {floats.shape}")
    elif floats.shape != (n, action_dim):
        raise ShapeError(f"{function}: actions must have shape ({n}, {action_dim}), got {floats.shape}")
    return floats, None


def _flags(values: Any, n: int, function: str) -> np.ndarray:
    """`terminated` as a contiguous uint8 array of 0/1."""
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise ShapeError(f"{function}: terminated must be an array: {error}") from None
    if array.shape != (n,):
        raise ShapeError(f"{function}: terminated must have shape ({n},), got {array.shape}")
    return np.ascontiguousarray(array != 0, dtype=np.uint8)


def _kind(kind: str) -> int:
    try:
        return _KINDS[kind]
    except KeyError:
        raise InvalidArgumentError(f"kind must be 'policy' or 'checkpoint', got {kind!r}") from None


class Agent:
    """A Soft Actor-Critic agent: continuous SAC (v2, or v1 with `algorithm="continuous_v1"`) or,
    with `algorithm="discrete"` or `"soft_q"` and `n_actions`, discrete SAC or soft Q-learning.

    Continuous agents act with float32 action vectors; discrete ones with int action indices (`act`
    returns an int, `act_batch` an int32 array, `observe` takes an int).

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
        self._discrete = self._config.algorithm.is_discrete
        self._stats = sac_update_stats(struct_size=ctypes.sizeof(sac_update_stats))
        # `act` copies into these and passes their cached addresses: reading an array's address
        # costs microseconds in numpy, more than the copy of one observation.
        self._obs_shape = (c.obs_dim,)
        self._obs_buffer = np.empty(c.obs_dim, dtype=np.float32)
        self._action_buffer = np.empty(c.action_dim, dtype=np.float32)
        self._obs_address = _address(self._obs_buffer)
        self._action_address = _address(self._action_buffer)
        self._index = ctypes.c_int32()  # a discrete agent's action
        self._index_address = ctypes.addressof(self._index)

    @classmethod
    def _from_handle(cls, handle: c_agent_p) -> "Agent":
        agent = cls.__new__(cls)
        agent._adopt(handle)
        return agent

    @classmethod
    def from_env(cls, env: Any, **overrides: Any) -> "Agent":
        """An agent sized for a Gymnasium environment with a flat Box observation space and a Box
        action space (bounds taken from the space; algorithm "continuous", or "continuous_v1") or a
        Discrete one (n_actions from the space, which must start at 0; algorithm "discrete", or
        "soft_q"). Keyword arguments override `Config` fields, `algorithm` included."""
        from .spaces import config_for_env

        algorithm = overrides.pop("algorithm", None)
        return cls(config_for_env(env, algorithm).replace(**overrides))

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
        actions = f"n_actions={c.n_actions}" if self._discrete else f"action_dim={c.action_dim}"
        return (f"<libsac.Agent {c.algorithm} obs_dim={c.obs_dim} {actions} hidden={list(c.hidden_sizes)} "
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

    def obs_normalization(self) -> "Optional[tuple[np.ndarray, np.ndarray, int]]":
        """The observation statistics `(mean, var, count)` of an agent made with
        `Config(normalize_observations=True)`, or None for one without: the float64 running mean and
        population variance (numpy's `var`, ddof 0) of every observation given to `observe`, and how
        many there were. `act` and the gradient steps feed the networks
        `clip((obs - mean) / sqrt(var + obs_epsilon), -obs_clip, obs_clip)`; the statistics are saved
        with the weights, so a policy file is complete."""
        if not self.config.normalize_observations:
            return None
        n = self.config.obs_dim
        mean, var, count = np.empty(n, dtype=np.float64), np.empty(n, dtype=np.float64), ctypes.c_uint64()
        check(lib.sac_agent_obs_normalization(self._live, mean.ctypes.data, var.ctypes.data, n, ctypes.byref(count)))
        return mean, var, count.value

    def set_threads(self, threads: int) -> None:
        """Use 1 (the default) to 64 threads for gradient steps.

        With 2, a helper thread owned by the agent runs the second critic of each twin pair and half
        of each large matrix product of the actor (also in large `act_batch` calls). A step gets about
        1.9x faster for hidden layers of 256 units and 1.2x for 64, given a free second core. With
        more, large products (hidden 256 and batch 256 are large enough) are cut between all the
        threads. Use no more threads than free cores. Results are bit-identical for every count; the
        setting is not saved with the weights.
        """
        if not isinstance(threads, (int, np.integer)) or isinstance(threads, bool) or not 1 <= threads <= 64:
            raise ValueError(f"threads must be an integer from 1 to 64, got {threads!r}")
        check(lib.sac_agent_set_threads(self._live, int(threads)))

    @property
    def env_steps(self) -> int:
        return self._counters()[0]

    @property
    def gradient_steps(self) -> int:
        return self._counters()[1]

    # -- acting, observing, learning -------------------------------------------------------

    def act(self, obs: Any, deterministic: bool = False) -> Union[np.ndarray, int]:
        """The action for one observation.

        Continuous agents: float32 of shape (action_dim,), in the environment's units;
        `deterministic=True` gives the mean action (evaluation, deployment).
        Discrete agents: an int in [0, n_actions); `deterministic=True` gives the most probable
        action. Before `learning_starts` transitions were observed, stochastic calls return
        uniform random actions (warm-up exploration; `update` waits for the same count). Raises DivergedError if the network's output
        is NaN or infinite (absurd weights, or an observation beyond what float32 carries)."""
        handle = self._live
        obs = _floats(obs, "obs")
        flag = 1 if deterministic else 0
        if obs.shape != self._obs_shape:
            if obs.size == self._obs_dim:
                raise ShapeError(f"act: obs must have shape {self._obs_shape}, got {obs.shape} "
                                 "(act_batch takes several observations)")
            # the library reports the length it got
            if self._discrete:
                check(lib.sac_act_discrete(handle, _address(obs), obs.size, flag, self._index_address))
            else:
                check(lib.sac_act(handle, _address(obs), obs.size, flag, self._action_address, self._action_dim))
        self._obs_buffer[...] = obs
        if self._discrete:
            check(lib.sac_act_discrete(handle, self._obs_address, self._obs_dim, flag, self._index_address))
            return self._index.value
        check(lib.sac_act(handle, self._obs_address, self._obs_dim, flag, self._action_address, self._action_dim))
        return self._action_buffer.copy()

    def act_batch(self, obs: Any, deterministic: bool = False) -> np.ndarray:
        """Actions for observations of shape (n, obs_dim): float32 of shape (n, action_dim) for a
        continuous agent, int32 of shape (n,) for a discrete one. Row i equals `act(obs[i],
        deterministic=True)`; stochastic rows draw their noise in row order."""
        obs = _floats(obs, "obs")
        if obs.ndim != 2:
            raise ShapeError(f"act_batch: obs must have shape (n, {self._obs_dim}), got {obs.shape}")
        n = obs.shape[0]
        if self._discrete:
            indices = np.empty(n, dtype=np.int32)
            check(lib.sac_act_discrete_batch(self._live, _address(obs), n, obs.size, 1 if deterministic else 0,
                                             _address(indices), n))
            return indices
        actions = np.empty((n, self._action_dim), dtype=np.float32)
        check(lib.sac_act_batch(self._live, _address(obs), n, obs.size, 1 if deterministic else 0,
                                _address(actions), actions.size))
        return actions

    def observe(self, obs: Any, action: Any, reward: float, next_obs: Any, terminated: bool,
                truncated: bool = False) -> None:
        """Stores one transition. `terminated` cuts the bootstrap; `truncated` (a time limit) does not.

        `action` is what `act` returned: an action index (int or numpy integer) for a discrete
        agent, an action vector in the environment's units for a continuous one (clipped to the
        bounds). The other kind raises WrongAlgorithmError; an index outside [0, n_actions)
        raises InvalidArgumentError."""
        obs = _vector(obs, self._obs_dim, "obs", "observe")
        index = _action_index(action)
        if index is None:
            action = _vector(action, self._action_dim, "action", "observe")
        elif not _INT32_MIN <= index <= _INT32_MAX:
            if self._discrete:
                raise _index_out_of_range("observe", "action", index, self._config.n_actions)
            index = 0  # a continuous agent refuses any index (WrongAlgorithmError), whatever its value
        next_obs = _vector(next_obs, self._obs_dim, "next_obs", "observe")
        if index is None:
            check(lib.sac_observe(self._live, _address(obs), obs.size, _address(action), action.size, float(reward),
                                  _address(next_obs), next_obs.size, 1 if terminated else 0, 1 if truncated else 0))
        else:
            check(lib.sac_observe_discrete(self._live, _address(obs), obs.size, index, float(reward),
                                           _address(next_obs), next_obs.size, 1 if terminated else 0,
                                           1 if truncated else 0))

    def update(self, gradient_steps: int = 1) -> Stats:
        """Runs gradient steps on batches from the replay buffer; returns the last step's statistics.
        Raises NotReadyError until `learning_starts` transitions were observed (the warm-up, as in
        Stable-Baselines3 and CleanRL) and the buffer holds batch_size, and DivergedError if a
        loss or new weight of any of the steps is NaN or infinite: the agent is then exactly as it was
        before the call (the steps are one transaction)."""
        if isinstance(gradient_steps, bool) or not isinstance(gradient_steps, int) or not 0 <= gradient_steps < 2 ** 32:
            raise InvalidArgumentError(f"gradient_steps must be an integer in 1..2**32-1, got {gradient_steps!r}")
        check(lib.sac_update(self._live, gradient_steps, ctypes.byref(self._stats)))
        return self._last_stats()

    def update_from_batch(self, obs: Any, actions: Any, rewards: Any, next_obs: Any, terminated: Any) -> Stats:
        """One gradient step on your own minibatch instead of a sample of the agent's replay buffer
        (for offline data, prioritized or external replay); the replay buffer is neither read nor
        changed, so `replay_size` may be 0. Returns the step's statistics; `gradient_steps` grows by 1.

        - `obs`, `next_obs`: shape (n, obs_dim), 1 <= n <= batch_size.
        - `actions`: continuous agents: shape (n, action_dim) floats in the environment's units
          (clipped to the bounds, as `observe` does); discrete agents: shape (n,) integer action
          indices in [0, n_actions). A 1-D integer array is taken as indices, anything else as
          continuous actions: the wrong kind for the agent raises WrongAlgorithmError.
        - `rewards`: shape (n,); `terminated`: shape (n,), truthy where the episode ended in a
          terminal state (no bootstrapping from next_obs; pass False for time-limit truncations).

        Arrays are converted to contiguous float32 (indices to int32, terminated to uint8) when
        they are not already. Wrong shapes raise ShapeError, NaN or infinity NonFiniteError, an
        index out of range InvalidArgumentError, n above batch_size ShapeError; a policy-only agent
        raises PolicyOnlyError. On any failure the agent is unchanged."""
        handle = self._live
        batch, _arrays = self._batch("update_from_batch", obs, actions, rewards, next_obs, terminated)
        check(lib.sac_update_from_batch(handle, ctypes.byref(batch), ctypes.byref(self._stats)))
        return self._last_stats()

    def observe_batch(self, obs: Any, actions: Any, rewards: Any, next_obs: Any, terminated: Any) -> None:
        """Stores n transitions at once (from several environments, or from workers), exactly as n
        `observe` calls in row order would. The arrays are as in `update_from_batch`, with
        0 <= n <= replay_capacity; the whole batch is checked first and nothing is stored on any
        error (ShapeError, NonFiniteError, InvalidArgumentError, WrongAlgorithmError, PolicyOnlyError)."""
        handle = self._live
        batch, _arrays = self._batch("observe_batch", obs, actions, rewards, next_obs, terminated)
        check(lib.sac_observe_batch(handle, ctypes.byref(batch)))

    def _batch(self, function: str, obs: Any, actions: Any, rewards: Any, next_obs: Any,
               terminated: Any) -> "tuple[sac_batch, tuple]":
        """A sac_batch over contiguous copies of the arrays (shapes checked here: sac_batch carries
        no lengths), and the arrays, which must outlive the call."""
        obs, next_obs = _floats(obs, "obs"), _floats(next_obs, "next_obs")
        if obs.ndim != 2 or obs.shape[1] != self._obs_dim:
            raise ShapeError(f"{function}: obs must have shape (n, {self._obs_dim}), got {obs.shape}")
        n = obs.shape[0]
        if next_obs.shape != obs.shape:
            raise ShapeError(f"{function}: next_obs must have the shape of obs, {obs.shape}, got {next_obs.shape}")
        floats, indices = _batch_actions(actions, n, self._action_dim, self._config.n_actions, self._discrete,
                                         function)
        rewards = _floats(rewards, "rewards")
        if rewards.shape != (n,):
            raise ShapeError(f"{function}: rewards must have shape ({n},), got {rewards.shape}")
        flags = _flags(terminated, n, function)
        batch = sac_batch(struct_size=ctypes.sizeof(sac_batch), n=n, obs=_address(obs),
                          actions=None if floats is None else _address(floats),
                          action_indices=None if indices is None else _address(indices),
                          rewards=_address(rewards), next_obs=_address(next_obs), terminated=_address(flags))
        return batch, (obs, next_obs, floats, indices, rewards, flags)

    def _last_stats(self) -> Stats:
        s = self._stats
        return Stats(s.critic_loss, s.actor_loss, s.alpha, s.alpha_loss, s.entropy, s.mean_q, s.value_loss)

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
