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
random warm-up actions and no gradient step for the agent's `learning_starts` transitions, trains
on Stable-Baselines3's schedule (`train_freq`, `gradient_steps`), steps `n_envs` copies of the
environment together, evaluates the deterministic policy every `eval_every` steps, logs JSON lines
and TensorBoard scalars, checkpoints every `checkpoint_every` steps and resumes from a checkpoint.
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

import numpy as np

from . import __version__
from ._envs import SingleEnv, VectorEnv, is_vector_env, make_vector_env, spaces_of
from ._runlog import TRAIN_SCALARS, RunLog, load_checkpoint, save_checkpoint
from ._schedule import Schedule, TrainFreq
from .agent import Agent, Stats
from .errors import ConfigError, NotReadyError

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
          train_freq: TrainFreq = 1, gradient_steps: int = 1, updates_per_step: Optional[int] = None,
          n_envs: int = 1, eval_every: int = 5_000, eval_episodes: int = 10,
          eval_env: Optional[EnvLike] = None, eval_seed: int = 12345,
          target_return: Optional[float] = None, log_path: Optional[Union[str, Path]] = None,
          tensorboard: Optional[Union[str, Path]] = None,
          checkpoint_every: int = 0, checkpoint_path: Optional[Union[str, Path]] = None,
          resume_from: Optional[Union[str, Path]] = None,
          on_checkpoint: Optional[Callable[[Path], None]] = None, progress: bool = True,
          threads: Optional[int] = None, **config_overrides: Any) -> "tuple[Agent, History]":
    """Trains an agent on `env` (a Gymnasium id, environment or vector environment) for
    `total_steps` environment steps (transitions, summed over copies).

    - `agent`: continue training this agent instead of creating one with `Agent.from_env(env,
      seed=seed, **config_overrides)`; `config_overrides` are `Config` fields, `algorithm`
      included (by default "continuous" for a Box action space, "discrete" for a Discrete one).
      `learning_starts` (default 100) is the warm-up: uniform random actions and no gradient step
      before that many transitions, as in Stable-Baselines3 and CleanRL (the library enforces it).
    - `train_freq`/`gradient_steps`, as in Stable-Baselines3: after every `train_freq` steps of the
      environment (or `(N, "episode")`: N finished episodes), `gradient_steps` gradient steps (-1: one
      per transition collected since). `updates_per_step=K` instead means K gradient steps per
      transition (with `n_envs` copies, K * n_envs after each step).
    - `n_envs`: step that many copies of the environment together (`gymnasium.make_vec`, synchronous)
      and act on them with one `act_batch`; or pass a `gymnasium.vector.VectorEnv` as `env`.
    - `eval_every`/`eval_episodes`/`eval_seed`: deterministic evaluation on a separate environment
      instance (0 disables it): `eval_env`, or else a new one made from the environment's id;
      episode k of every evaluation starts from `reset(seed=eval_seed + k)`. With `target_return`,
      training stops at the first evaluation reaching it.
    - `log_path`: JSON lines: a "start" record, one per episode and per evaluation, an "end"
      record; each with `step`, `elapsed` wall seconds and `steps_per_s` (see `libsac._runlog`).
      `tensorboard`: a directory for TensorBoard scalars (episode returns, evaluations, losses,
      alpha, entropy), written with the `tensorboard` package (`pip install "libsac[tensorboard]"`).
    - `checkpoint_every`/`checkpoint_path`: every that many steps, write `<path>` (JSON
      checkpoint), `<path>.replay` and `<path>.train.json` (the clock); `resume_from` loads them
      and continues the count (the environment restarts with `reset(seed=seed + steps so far)`).
      `on_checkpoint(path)` is called after each checkpoint is written (e.g. to copy it elsewhere).
    - `progress`: a tqdm progress bar with the last episode return and alpha (if tqdm is installed).
    - `threads`: 1 to 64 threads for the gradient steps (`Agent.set_threads`; bit-identical results).
      None leaves the agent as it is: a new or loaded agent has 1, a given agent keeps its own.

    Returns the agent and a `History`. The environment is reset with `seed` at the first episode
    (copy i of a vector environment with `seed + i`). Environments made here from ids are closed at
    the end; environment objects passed in are not."""
    if total_steps < 0:
        raise ConfigError(f"total_steps must be >= 0, got {total_steps}")
    if checkpoint_every and not checkpoint_path:
        raise ConfigError("checkpoint_every needs a checkpoint_path")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= 64):
        raise ConfigError(f"threads must be an integer from 1 to 64 (or None: leave the agent as it is), got {threads!r}")
    if isinstance(n_envs, bool) or not isinstance(n_envs, int) or n_envs < 1:
        raise ConfigError(f"n_envs must be an integer >= 1, got {n_envs!r}")
    if n_envs > 1 and not isinstance(env, str):
        raise ConfigError("n_envs needs an environment id; pass a gymnasium.vector.VectorEnv to step your own copies")
    if updates_per_step is not None:
        if (train_freq, gradient_steps) != (1, 1):
            raise ConfigError("pass either updates_per_step or train_freq/gradient_steps, not both")
        if isinstance(updates_per_step, bool) or not isinstance(updates_per_step, int) or updates_per_step < 0:
            raise ConfigError(f"updates_per_step must be an integer >= 0, got {updates_per_step!r}")
    if eval_every and eval_env is None and _env_id(env) is None:
        raise ConfigError("evaluation needs a separate environment: pass eval_env=..., register the "
                          "environment with Gymnasium, or set eval_every=0")
    environment = make_vector_env(env, n_envs) if n_envs > 1 else _make_env(env)
    envs = VectorEnv(environment) if is_vector_env(environment) else SingleEnv(environment)
    if updates_per_step is not None:
        gradient_steps = updates_per_step * envs.n
    schedule = Schedule(train_freq, gradient_steps)
    evaluation = None
    if eval_every:
        evaluation = _make_env(eval_env if eval_env is not None else _env_id(env))
    prior_elapsed = 0.0
    if resume_from is not None:
        if agent is not None:
            raise ConfigError("pass either agent or resume_from, not both")
        agent, prior_elapsed = load_checkpoint(resume_from)
    if agent is None:
        agent = Agent.from_env(spaces_of(environment), seed=seed, **config_overrides)
    elif config_overrides:
        raise ConfigError(f"config overrides {sorted(config_overrides)} cannot change an existing agent")
    if threads is not None:
        agent.set_threads(threads)

    first_step = agent.env_steps
    history = History()
    log = RunLog(log_path, tensorboard, first_step, prior_elapsed)
    bar = _progress_bar(total_steps) if progress else None
    start = time.perf_counter()
    stats: Optional[Stats] = None
    try:
        log.record("start", first_step, library="libsac", version=__version__, env=_env_id(env),
                   algorithm=agent.config.algorithm.value, seed=seed, n_envs=envs.n, total_steps=total_steps,
                   eval_seed=eval_seed, eval_episodes=eval_episodes)
        obs = envs.reset(seed + first_step if resume_from is not None else seed)
        episode_returns, episode_lengths = np.zeros(envs.n), np.zeros(envs.n, dtype=np.int64)
        steps = 0
        while steps < total_steps:
            actions = agent.act(obs[0]) if isinstance(envs, SingleEnv) else agent.act_batch(obs)
            step = envs.step(actions)
            if isinstance(envs, SingleEnv):
                agent.observe(obs[0], actions, step.rewards[0], step.next_obs[0], step.terminated[0], step.truncated[0])
            else:  # the copies' transitions in one call, as many observe calls in copy order would store them
                rows = step.valid
                agent.observe_batch(obs[rows], actions[rows], step.rewards[rows], step.next_obs[rows],
                                    step.terminated[rows])
            episode_returns += np.where(step.valid, step.rewards, 0.0)
            episode_lengths += step.valid
            steps_before, steps = steps, steps + int(np.count_nonzero(step.valid))
            due = schedule.after_step(steps - steps_before, int(np.count_nonzero(step.terminated | step.truncated)))
            if due:
                try:
                    stats = agent.update(due)
                except NotReadyError:
                    pass  # the warm-up: gradient steps due before learning_starts are skipped
            for i in np.flatnonzero(step.valid & (step.terminated | step.truncated)):
                _end_episode(log, history, bar, first_step + steps, float(episode_returns[i]),
                             int(episode_lengths[i]), stats)
                episode_returns[i], episode_lengths[i] = 0.0, 0
            obs = step.obs
            if bar is not None:
                bar.update(steps - steps_before)
            history.steps = steps
            reached = None
            if evaluation is not None and (_crossed(first_step + steps_before, first_step + steps, eval_every)
                                           or steps >= total_steps):
                result = evaluate(agent, evaluation, eval_episodes, seed=eval_seed)
                history.evaluations.append({"step": first_step + steps, **result})
                log.record("eval", first_step + steps, **result)
                log.scalars(first_step + steps, "eval", result)
                log.flush()
                reached = target_return is not None and result["mean_return"] >= target_return
            # after the evaluation of the same step, so that a log copied with the checkpoint holds it
            if checkpoint_every and _crossed(first_step + steps_before, first_step + steps, checkpoint_every):
                save_checkpoint(agent, checkpoint_path, log.elapsed)
                if on_checkpoint is not None:
                    on_checkpoint(Path(checkpoint_path))
            if reached:
                history.stopped_early = True
                break
        log.record("end", first_step + history.steps)
    finally:
        history.seconds = time.perf_counter() - start
        if bar is not None:
            bar.close()
        log.close()
        if isinstance(env, str):
            environment.close()
        if evaluation is not None and (eval_env is None or isinstance(eval_env, str)):
            evaluation.close()  # made here, not the caller's
    return agent, history


def _crossed(before: int, after: int, every: int) -> bool:
    """Whether the agent's step count passed a multiple of `every` (a vector step adds several at
    once; a resumed run keeps the multiples of the run it continues)."""
    return every > 0 and after // every > before // every


def _end_episode(log: RunLog, history: History, bar: Any, step: int, episode_return: float, length: int,
                 stats: Optional[Stats]) -> None:
    history.episode_returns.append(episode_return)
    train_stats = asdict(stats) if stats else {}
    log.record("episode", step, episode_return=episode_return, length=length, **train_stats)
    log.scalars(step, "rollout", {"episode_return": episode_return, "episode_length": length})
    log.scalars(step, "train", {name: train_stats.get(name) for name in TRAIN_SCALARS})
    if bar is not None:
        bar.set_postfix(ret=f"{episode_return:.1f}", alpha=f"{stats.alpha:.3f}" if stats else "-")


def _progress_bar(total: int) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a convenience; training works without it
        return None
    return tqdm(total=total, unit="step", dynamic_ncols=True, disable=None if os.environ.get("CI") else False)
