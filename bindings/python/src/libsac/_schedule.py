"""When the trainer takes gradient steps, and how many: Stable-Baselines3's train_freq and
gradient_steps.

- `train_freq` N or (N, "step"): train after every N calls of the environment's step (with N copies
  stepped together, one call collects N transitions); (N, "episode"): after every N finished episodes.
- `gradient_steps` G >= 0: G gradient steps each time; -1: as many as transitions were collected
  since the last time.
Gradient steps that fall due during the warm-up (`learning_starts`) are skipped, not owed.
"""
from __future__ import annotations

from typing import Any, Tuple, Union

from .errors import ConfigError

TrainFreq = Union[int, Tuple[int, str]]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Schedule:
    def __init__(self, train_freq: TrainFreq = 1, gradient_steps: int = 1):
        every, unit = (train_freq, "step") if _is_count(train_freq) else tuple(train_freq)
        if not _is_count(every) or every < 1 or unit not in ("step", "episode"):
            raise ConfigError(f"train_freq must be N >= 1 or (N, 'step' | 'episode'), got {train_freq!r}")
        if not _is_count(gradient_steps) or gradient_steps < -1:
            raise ConfigError(f"gradient_steps must be an integer >= 0, or -1 (one per transition collected), "
                              f"got {gradient_steps!r}")
        self.every, self.per_episode, self.gradient_steps = every, unit == "episode", gradient_steps
        self.calls = self.episodes = self.transitions = 0

    def after_step(self, transitions: int, finished_episodes: int) -> int:
        """Counts one step call of the environment; returns how many gradient steps are due now."""
        self.calls += 1
        self.episodes += finished_episodes
        self.transitions += transitions
        if (self.episodes if self.per_episode else self.calls) < self.every:
            return 0
        due = self.transitions if self.gradient_steps == -1 else self.gradient_steps
        self.calls = self.episodes = self.transitions = 0
        return due
