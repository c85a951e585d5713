"""`Config`, the Python mirror of `sac_config`, with its defaults read from the library, and `Algorithm`,
the members of the SAC family (`sac_config.algorithm`)."""
from __future__ import annotations

import ctypes
import enum
import math
from dataclasses import dataclass, fields
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from ._native import AUTO_ALPHA_DEFAULT, MAX_ACTION_DIM, MAX_HIDDEN_LAYERS, lib, sac_config
from .errors import ConfigError, check


def _f32(value: float) -> float:
    """A float32 as the shortest Python float that names it (0.0003, not 0.0003000000142492354)."""
    return float(str(np.float32(value)))


def _library_defaults() -> sac_config:
    config = sac_config()
    check(lib.sac_config_default(ctypes.byref(config), ctypes.sizeof(config)))
    return config


_D = _library_defaults()


class Algorithm(str, enum.Enum):
    """The members of the SAC family (`Config.algorithm`, `sac_config.algorithm` in C).

    - ``"continuous"``: SAC for continuous actions (SAC-v2, arXiv 1812.05905): twin Q critics,
      alpha learned. The default.
    - ``"continuous_v1"``: the original SAC (arXiv 1801.01290) with a state-value network;
      alpha fixed at 0.2 by default.
    - ``"discrete"``: discrete SAC (arXiv 1910.07207) for a finite set of actions: softmax
      policy, alpha learned toward ``target_entropy_scale * log(n_actions)``.
    - ``"soft_q"``: discrete soft Q-learning (arXiv 1702.08165): no actor, actions drawn from
      exp(Q/alpha); alpha fixed (0.05 by default).

    A member is also its name as a string (``Algorithm.DISCRETE == "discrete"``), so configs compare
    and print naturally. `Algorithm.parse` (and so `Config(algorithm=...)`) also accepts the C enum
    values 0..3, the names of the JSON files' "algorithm" key ("continuous_sac", "discrete_sac",
    "soft_q_learning", ...), any letter case and "-" for "_"."""

    CONTINUOUS = "continuous"
    CONTINUOUS_V1 = "continuous_v1"
    DISCRETE = "discrete"
    SOFT_Q = "soft_q"

    @property
    def code(self) -> int:
        """The C `sac_algorithm` value."""
        return _CODES[self]

    @property
    def is_discrete(self) -> bool:
        """True for the algorithms that take action indices (discrete SAC, soft Q-learning)."""
        return self in (Algorithm.DISCRETE, Algorithm.SOFT_Q)

    @classmethod
    def parse(cls, value: Any) -> "Algorithm":
        """An `Algorithm` from a member, a name (see the class docstring) or a C enum value."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower().replace("-", "_")
            if key in _ALIASES:
                return _ALIASES[key]
        elif not isinstance(value, bool) and isinstance(value, (int, np.integer)) and int(value) in _BY_CODE:
            return _BY_CODE[int(value)]
        raise ConfigError(f"Config.algorithm is {value!r}; it must be one of "
                          f"{', '.join(repr(a.value) for a in cls)} (or a C enum value 0..{len(cls) - 1})")

    def __str__(self) -> str:
        return self.value


_CODES = {Algorithm.CONTINUOUS: 0, Algorithm.CONTINUOUS_V1: 1, Algorithm.DISCRETE: 2, Algorithm.SOFT_Q: 3}
_BY_CODE = {code: algorithm for algorithm, code in _CODES.items()}
_ALIASES = {
    **{a.value: a for a in Algorithm},
    # the "algorithm" key of libsac's JSON files
    "continuous_sac": Algorithm.CONTINUOUS, "continuous_sac_v1": Algorithm.CONTINUOUS_V1,
    "discrete_sac": Algorithm.DISCRETE, "soft_q_learning": Algorithm.SOFT_Q,
}
AlgorithmLike = Union[Algorithm, str, int]


@dataclass
class Config:
    """Agent configuration; every default comes from `sac_config_default`.

    - `algorithm`: which member of the SAC family (see `Algorithm`): "continuous" (the default),
      "continuous_v1", "discrete" or "soft_q"; an `Algorithm` member or a C enum value works too.
      It is stored as an `Algorithm`, which compares equal to its name.
    - Continuous algorithms set `action_dim` (and optionally `action_low`/`action_high`, -1/1 per
      dimension by default) and leave `n_actions` at 0; discrete ones set `n_actions` (actions are
      the indices 0 .. n_actions-1) and leave `action_dim` at 0 and the bounds at None.
    - `initial_alpha` None: the algorithm's default (1.0 when alpha is learned, 0.2 for
      continuous_v1, 0.05 for soft_q). `auto_alpha` None: the algorithm's default (learned for
      continuous and discrete, fixed for continuous_v1 and soft_q, which refuses True).
    - `target_entropy` None: -action_dim for continuous algorithms, target_entropy_scale *
      log(n_actions) for discrete ones.
    - `normalize_observations` True: the agent keeps the running mean and variance of the
      observations it observes and feeds its networks clip((obs - mean) / sqrt(var + obs_epsilon),
      -obs_clip, obs_clip), like Stable-Baselines3's VecNormalize, but inside the weights file (see
      `Agent.obs_normalization`).
    - `target_update_interval` N: the target networks blend toward the trained ones (with `tau`)
      every N-th gradient step; with tau=1.0 they are hard copies every N steps.

    An agent's `config` holds the resolved values (initial_alpha, auto_alpha and target_entropy
    are never None there). See include/sac.h for each field's meaning and range."""

    obs_dim: int = _D.obs_dim
    action_dim: int = _D.action_dim
    action_low: Optional[Sequence[float]] = None
    action_high: Optional[Sequence[float]] = None
    hidden_sizes: Tuple[int, ...] = tuple(_D.hidden_sizes[: _D.hidden_layers])
    actor_lr: float = _f32(_D.actor_lr)
    critic_lr: float = _f32(_D.critic_lr)
    alpha_lr: float = _f32(_D.alpha_lr)
    gamma: float = _f32(_D.gamma)
    tau: float = _f32(_D.tau)
    batch_size: int = _D.batch_size
    replay_capacity: int = _D.replay_capacity
    learning_starts: int = _D.learning_starts
    initial_alpha: Optional[float] = None if math.isnan(_D.initial_alpha) else _f32(_D.initial_alpha)
    auto_alpha: Optional[bool] = None if _D.auto_alpha < 0 else bool(_D.auto_alpha)
    target_entropy: Optional[float] = None if math.isnan(_D.target_entropy) else _D.target_entropy
    seed: int = _D.seed
    # appended in 0.2.0, as in sac_config
    algorithm: AlgorithmLike = Algorithm.parse(_D.algorithm)
    n_actions: int = _D.n_actions
    target_entropy_scale: float = _f32(_D.target_entropy_scale)
    # appended in 0.3.0
    normalize_observations: bool = bool(_D.normalize_observations)
    obs_clip: float = _f32(_D.obs_clip)
    obs_epsilon: float = _f32(_D.obs_epsilon)
    target_update_interval: int = _D.target_update_interval

    def __post_init__(self) -> None:
        self.algorithm = Algorithm.parse(self.algorithm)

    def replace(self, **changes) -> "Config":
        names = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ConfigError(f"unknown config field(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Config(**values)

    def to_c(self) -> sac_config:
        """The C struct; range checks are left to the library, which names the field at fault."""
        c = _library_defaults()
        c.obs_dim = _unsigned(self.obs_dim, "obs_dim")
        c.action_dim = _unsigned(self.action_dim, "action_dim")
        for name in ("action_low", "action_high"):
            values = getattr(self, name)
            if values is None or c.action_dim > MAX_ACTION_DIM:  # the library reports action_dim
                continue
            values = [_number(v, name) for v in values]
            if len(values) != self.action_dim or len(values) > MAX_ACTION_DIM:
                raise ConfigError(f"Config.{name} has {len(values)} values but action_dim is {self.action_dim}")
            getattr(c, name)[: len(values)] = values
        try:
            hidden = list(self.hidden_sizes)
        except TypeError:
            raise ConfigError(f"Config.hidden_sizes must be a sequence of layer sizes, got {self.hidden_sizes!r}") from None
        if not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS:
            raise ConfigError(f"Config.hidden_sizes has {len(hidden)} layers; it must have 1 to {MAX_HIDDEN_LAYERS}")
        c.hidden_layers = len(hidden)
        for i, size in enumerate(hidden):
            c.hidden_sizes[i] = _unsigned(size, f"hidden_sizes[{i}]")
        for name in ("actor_lr", "critic_lr", "alpha_lr", "gamma", "tau", "target_entropy_scale"):
            setattr(c, name, _number(getattr(self, name), name))
        c.initial_alpha = math.nan if self.initial_alpha is None else _number(self.initial_alpha, "initial_alpha")
        c.batch_size = _unsigned(self.batch_size, "batch_size")
        c.replay_capacity = _unsigned(self.replay_capacity, "replay_capacity", bits=64)
        c.learning_starts = _unsigned(self.learning_starts, "learning_starts", bits=64)
        c.auto_alpha = AUTO_ALPHA_DEFAULT if self.auto_alpha is None else 1 if self.auto_alpha else 0
        c.target_entropy = math.nan if self.target_entropy is None else _number(self.target_entropy, "target_entropy")
        c.seed = _unsigned(self.seed, "seed", bits=64)
        c.algorithm = Algorithm.parse(self.algorithm).code  # the field may have been assigned after __init__
        c.n_actions = _unsigned(self.n_actions, "n_actions")
        flag = self.normalize_observations
        if isinstance(flag, (str, bytes, float)) or flag is None or flag not in (0, 1):
            raise ConfigError(f"Config.normalize_observations must be True or False, got {flag!r}")
        c.normalize_observations = int(flag)
        c.obs_clip = _number(self.obs_clip, "obs_clip")
        c.obs_epsilon = _number(self.obs_epsilon, "obs_epsilon")
        c.target_update_interval = _unsigned(self.target_update_interval, "target_update_interval")
        return c

    @classmethod
    def from_c(cls, c: sac_config) -> "Config":
        a = c.action_dim
        return cls(obs_dim=c.obs_dim, action_dim=a,
                   action_low=[_f32(v) for v in c.action_low[:a]] if a else None,
                   action_high=[_f32(v) for v in c.action_high[:a]] if a else None,
                   hidden_sizes=tuple(c.hidden_sizes[: c.hidden_layers]),
                   actor_lr=_f32(c.actor_lr), critic_lr=_f32(c.critic_lr), alpha_lr=_f32(c.alpha_lr),
                   gamma=_f32(c.gamma), tau=_f32(c.tau), batch_size=c.batch_size,
                   replay_capacity=c.replay_capacity, learning_starts=c.learning_starts,
                   initial_alpha=None if math.isnan(c.initial_alpha) else _f32(c.initial_alpha),
                   auto_alpha=None if c.auto_alpha < 0 else bool(c.auto_alpha),
                   target_entropy=None if math.isnan(c.target_entropy) else _f32(c.target_entropy), seed=c.seed,
                   algorithm=Algorithm.parse(c.algorithm), n_actions=c.n_actions,
                   target_entropy_scale=_f32(c.target_entropy_scale),
                   normalize_observations=bool(c.normalize_observations), obs_clip=_f32(c.obs_clip),
                   obs_epsilon=_f32(c.obs_epsilon), target_update_interval=c.target_update_interval)


def _number(value, name: str) -> float:
    if isinstance(value, bool):
        raise ConfigError(f"Config.{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"Config.{name} must be a number, got {value!r}") from None


def _unsigned(value, name: str, bits: int = 32) -> int:
    """Refuses what ctypes would silently wrap (a negative obs_dim would become 4294967295)."""
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise ConfigError(f"Config.{name} must be an integer, got {value!r}")
    value = int(value)
    if not 0 <= value < 2 ** bits:
        raise ConfigError(f"Config.{name} is {value}; it must be in 0..{2 ** bits - 1}")
    return value
