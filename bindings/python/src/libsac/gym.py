"""Training and evaluating libsac agents on Gymnasium environments.

    from libsac.gym import train, evaluate
    agent, history = train("Pendulum-v1", total_steps=20_000, seed=0, actor_lr=1e-3, critic_lr=1e-3)
    print(evaluate(agent, "Pendulum-v1", episodes=10))
    agent, history = train("CartPole-v1", 50_000, hidden_sizes=(64, 64), batch_size=64,
                           eval_every=2_000, target_return=475)    # discrete SAC

The action space picks the algorithm (`Agent.from_env`): a Box gets continuous SAC, a Discrete
space (starting at 0) discrete SAC; pass `algorithm="continuous_v1"` or `algorithm="soft_q"` to
choose the other member of the family.

`train` handles terminated/truncated correctly (a time limit does not cut the bootstrap), takes
random warm-up actions (the agent's `learning_starts`), runs `updates_per_step` gradient steps per
environment step, evaluates the deterministic policy every `eval_every` steps, logs JSON lines,
checkpoints every `checkpoint_every` steps (JSON + replay file) and resumes from such a checkpoint.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

import numpy as np

from .agent import Agent
from .errors import ConfigError

EnvLike = Union[str, Any]


@dataclass
class History:
    """What a training run measured."""

    episode_returns: List[float] = field(default_factory=list)
    evaluations: List[Dict[str, float]] = field(default_factory=list)  # {"step", "mean_return", "std_return"}
    steps: int = 0
    seconds: float = 0.0
    stopped_early: bool = False

    @property
    def best_evaluation(self) -> Optional[float]:
        return max((e["mean_return"] for e in self.evaluations), default=None)


def _make_env(env: EnvLike, render_mode: Optional[str] = None) -> Any:
    if isinstance(env, str):
        import gymnasium

        return gymnasium.make(env, render_mode=render_mode) if render_mode else gymnasium.make(env)
    return env


def _env_id(env: EnvLike) -> Optional[str]:
    if isinstance(env, str):
        return env
    spec = getattr(env, "spec", None)
    return getattr(spec, "id", None)


def evaluate(agent: Agent, env: EnvLike, episodes: int = 10, seed: int = 12345,
             on_frame: Optional[Callable[[Any], None]] = None) -> Dict[str, float]:
    """Mean and standard deviation of the deterministic policy's return over `episodes` episodes.
    A string `env` is made with gymnasium.make and closed afterwards; `on_frame` receives
    `env.render()` after every step (for recording)."""
    if episodes < 1:
        raise ConfigError(f"episodes must be at least 1, got {episodes}")
    environment = _make_env(env, "rgb_array" if on_frame and isinstance(env, str) else None)
    returns = []
    try:
        for episode in range(episodes):
            obs, _ = environment.reset(seed=seed + episode)
            total, done = 0.0, False
            if on_frame:
                on_frame(environment.render())
            while not done:
                obs, reward, terminated, truncated, _ = environment.step(agent.act(obs, deterministic=True))
                total += float(reward)
                done = terminated or truncated
                if on_frame:
                    on_frame(environment.render())
            returns.append(total)
    finally:
        if isinstance(env, str):
            environment.close()
    return {"mean_return": float(np.mean(returns)), "std_return": float(np.std(returns))}


def train(env: EnvLike, total_steps: int, *, seed: int = 0, agent: Optional[Agent] = None,
          updates_per_step: int = 1, eval_every: int = 5_000, eval_episodes: int = 10,
          eval_env: Optional[EnvLike] = None,
          target_return: Optional[float] = None, log_path: Optional[Union[str, Path]] = None,
          checkpoint_every: int = 0, checkpoint_path: Optional[Union[str, Path]] = None,
          resume_from: Optional[Union[str, Path]] = None, progress: bool = True,
          threads: Optional[int] = None, **config_overrides: Any) -> "tuple[Agent, History]":
    """Trains an agent on `env` (a Gymnasium id or environment) for `total_steps` environment steps.

    - `agent`: continue training this agent instead of creating one with `Agent.from_env(env,
      seed=seed, **config_overrides)`; `config_overrides` are `Config` fields, `algorithm`
      included (by default "continuous" for a Box action space, "discrete" for a Discrete one).
    - `eval_every`/`eval_episodes`: deterministic evaluation on a separate environment instance
      (0 disables it): `eval_env`, or else a new one made from the environment's id; an
      environment object without a registered id needs `eval_env`. With `target_return`,
      training stops at the first evaluation reaching it.
    - `log_path`: one JSON object per line, for every episode ({"event": "episode", ...}) and
      every evaluation ({"event": "eval", ...}).
    - `checkpoint_every`/`checkpoint_path`: every that many steps, write `<path>` (JSON
      checkpoint) and `<path>.replay`; `resume_from` loads such a pair and continues the count.
    - `progress`: a tqdm progress bar with the last episode return and alpha (if tqdm is installed).
    - `threads`: 1 or 2 threads for the gradient steps (`Agent.set_threads`; bit-identical results).
      None leaves the agent as it is: a new or loaded agent has 1, a given agent keeps its own.

    Returns the agent and a `History`. The environment is reset with `seed` at the first episode.
    Environments made here from ids are closed at the end; environment objects passed in are not."""
    if total_steps < 0:
        raise ConfigError(f"total_steps must be >= 0, got {total_steps}")
    if checkpoint_every and not checkpoint_path:
        raise ConfigError("checkpoint_every needs a checkpoint_path")
    if threads is not None and (isinstance(threads, bool) or threads not in (1, 2)):
        raise ConfigError(f"threads must be 1 or 2 (or None: leave the agent as it is), got {threads!r}")
    if eval_every and eval_env is None and _env_id(env) is None:
        raise ConfigError("evaluation needs a separate environment: pass eval_env=..., register the "
                          "environment with Gymnasium, or set eval_every=0")
    environment = _make_env(env)
    evaluation = None
    if eval_every:
        evaluation = _make_env(eval_env if eval_env is not None else _env_id(env))
    if resume_from is not None:
        if agent is not None:
            raise ConfigError("pass either agent or resume_from, not both")
        agent = Agent.load(resume_from)
        replay = Path(str(resume_from) + ".replay")
        if replay.is_file():
            agent.load_replay(replay)
    if agent is None:
        agent = Agent.from_env(environment, seed=seed, **config_overrides)
    elif config_overrides:
        raise ConfigError(f"config overrides {sorted(config_overrides)} cannot change an existing agent")
    if threads is not None:
        agent.set_threads(threads)

    history = History()
    log = open(log_path, "a", encoding="utf-8") if log_path else None
    bar = _progress_bar(total_steps) if progress else None
    start = time.perf_counter()
    first_step = agent.env_steps
    batch_size = agent.config.batch_size
    stats = None
    try:
        obs, _ = environment.reset(seed=seed)
        episode_return, episode_length = 0.0, 0
        for step in range(1, total_steps + 1):
            action = agent.act(obs)
            next_obs, reward, terminated, truncated, _ = environment.step(action)
            agent.observe(obs, action, float(reward), next_obs, terminated, truncated)
            episode_return += float(reward)
            episode_length += 1
            obs = next_obs
            if agent.replay_size >= batch_size and updates_per_step > 0:
                stats = agent.update(updates_per_step)
            if terminated or truncated:
                history.episode_returns.append(episode_return)
                _write(log, event="episode", step=first_step + step, episode_return=episode_return,
                       length=episode_length, **(asdict(stats) if stats else {}))
                if bar is not None:
                    bar.set_postfix(ret=f"{episode_return:.1f}", alpha=f"{stats.alpha:.3f}" if stats else "-")
                obs, _ = environment.reset()
                episode_return, episode_length = 0.0, 0
            if bar is not None:
                bar.update(1)
            history.steps = step
            if checkpoint_every and step % checkpoint_every == 0:
                agent.save(checkpoint_path, "checkpoint")
                agent.save_replay(str(checkpoint_path) + ".replay")
            if evaluation is not None and (step % eval_every == 0 or step == total_steps):
                result = evaluate(agent, evaluation, eval_episodes)
                history.evaluations.append({"step": first_step + step, **result})
                _write(log, event="eval", step=first_step + step, **result)
                if target_return is not None and result["mean_return"] >= target_return:
                    history.stopped_early = True
                    break
    finally:
        history.seconds = time.perf_counter() - start
        if bar is not None:
            bar.close()
        if log:
            log.close()
        if isinstance(env, str):
            environment.close()
        if evaluation is not None and (eval_env is None or isinstance(eval_env, str)):
            evaluation.close()  # made here, not the caller's
    return agent, history


def _write(log: Any, **record: Any) -> None:
    if log:
        log.write(json.dumps(record) + "\n")
        log.flush()


def _progress_bar(total: int) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a convenience; training works without it
        return None
    return tqdm(total=total, unit="step", dynamic_ncols=True, disable=None if os.environ.get("CI") else False)
