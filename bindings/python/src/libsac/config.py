"""`Config`, the Python mirror of `sac_config`, with its defaults read from the library."""
from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field, fields
from typing import Optional, Sequence, Tuple

import numpy as np

from ._native import MAX_ACTION_DIM, MAX_HIDDEN_LAYERS, lib, sac_config
from .errors import ConfigError, check


def _f32(value: float) -> float:
    """A float32 as the shortest Python float that names it (0.0003, not 0.0003000000142492354)."""
    return float(str(np.float32(value)))


def _library_defaults() -> sac_config:
    config = sac_config()
    check(lib.sac_config_default(ctypes.byref(config), ctypes.sizeof(config)))
    return config


_D = _library_defaults()


@dataclass
class Config:
    """Agent configuration; every default comes from `sac_config_default`.

    `action_low`/`action_high` default to -1/1 per dimension; `target_entropy` None means
    -action_dim. See include/sac.h for each field's meaning and range."""

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
    initial_alpha: float = _f32(_D.initial_alpha)
    auto_alpha: bool = bool(_D.auto_alpha)
    target_entropy: Optional[float] = None if math.isnan(_D.target_entropy) else _D.target_entropy
    seed: int = _D.seed

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
        for name in ("actor_lr", "critic_lr", "alpha_lr", "gamma", "tau", "initial_alpha"):
            setattr(c, name, _number(getattr(self, name), name))
        c.batch_size = _unsigned(self.batch_size, "batch_size")
        c.replay_capacity = _unsigned(self.replay_capacity, "replay_capacity", bits=64)
        c.learning_starts = _unsigned(self.learning_starts, "learning_starts", bits=64)
        c.auto_alpha = 1 if self.auto_alpha else 0
        c.target_entropy = math.nan if self.target_entropy is None else _number(self.target_entropy, "target_entropy")
        c.seed = _unsigned(self.seed, "seed", bits=64)
        return c

    @classmethod
    def from_c(cls, c: sac_config) -> "Config":
        a = c.action_dim
        return cls(obs_dim=c.obs_dim, action_dim=a, action_low=[_f32(v) for v in c.action_low[:a]],
                   action_high=[_f32(v) for v in c.action_high[:a]],
                   hidden_sizes=tuple(c.hidden_sizes[: c.hidden_layers]),
                   actor_lr=_f32(c.actor_lr), critic_lr=_f32(c.critic_lr), alpha_lr=_f32(c.alpha_lr),
                   gamma=_f32(c.gamma), tau=_f32(c.tau), batch_size=c.batch_size,
                   replay_capacity=c.replay_capacity, learning_starts=c.learning_starts,
                   initial_alpha=_f32(c.initial_alpha), auto_alpha=bool(c.auto_alpha),
                   target_entropy=None if math.isnan(c.target_entropy) else _f32(c.target_entropy), seed=c.seed)


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
