"""The learner: one full agent in the driver process, fed by rollout workers on Ray.

Each worker always has one collection task in flight. When a batch arrives the learner stores it
(`observe_batch`), hands the worker its next task at once, and only then takes the gradient steps the
update-to-data ratio owes, so collection runs while the learner trains. Every `publish_every`
gradient steps the policy goes into the object store once, as a new version; a worker loads a
version when it starts a task with it, and every batch reports the version that collected it (its
staleness is logged). A worker that dies is restarted by Ray; its lost batch was never counted, and
it gets the current policy with its next task.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import numpy as np

from .. import __version__
from .._runlog import TRAIN_SCALARS, RunLog, load_checkpoint, save_checkpoint
from ..agent import Agent
from ..errors import ConfigError, NotReadyError
from ..gym import History, _make_env, evaluate
from ._worker import RolloutWorker

PathLike = Union[str, Path]


def _ray() -> Any:
    try:
        import ray
    except ImportError as error:
        raise ImportError('distributed training needs Ray: pip install "libsac[ray]"') from error
    return ray


class _Fleet:
    """The rollout workers and their tasks in flight."""

    #: A worker still restarting after this long is lost (e.g. no node can host it any more).
    restart_timeout = 120.0

    def __init__(self, ray: Any, env_id: str, workers: int, envs_per_worker: int, seed: int):
        self.ray = ray
        # SPREAD: workers on as many nodes as there are, so that losing one node loses few of them
        actor = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0,
                           scheduling_strategy="SPREAD")(RolloutWorker)
        self.workers = [actor.remote(env_id, envs_per_worker, seed + 7919 * (k + 1)) for k in range(workers)]
        self.tasks: Dict[Any, int] = {}
        self.down_since: Dict[int, float] = {}  # workers Ray is restarting, since when
        self.places: Dict[int, "tuple[Optional[str], int]"] = {}  # the (node, process) each worker last reported from
        self.lost: Dict[int, int] = {}  # batches each worker lost since it last reported

    def submit(self, k: int, steps: int, version: int, policy: List[Any]) -> None:
        self.tasks[self.workers[k].collect.remote(steps, version, policy)] = k

    def next_result(self) -> "tuple[int, Optional[Dict[str, Any]]]":
        """The worker whose task finished first, and its batch.

        The batch is None while Ray restarts a worker that died (killed, its node lost): its batch
        is lost before anything of it was counted, and the caller resubmits after a pause. A worker
        that can never run again (its constructor fails, e.g. the environment does not exist on its
        node) raises RuntimeError with Ray's error."""
        [done], _ = self.ray.wait(list(self.tasks), num_returns=1)
        k = self.tasks.pop(done)
        try:
            result = self.ray.get(done)
        except self.ray.exceptions.ActorUnavailableError as error:
            if k not in self.down_since:  # the batch in flight is lost; retries while Ray restarts it lose none
                self.lost[k] = self.lost.get(k, 0) + 1
            since = self.down_since.setdefault(k, time.monotonic())
            if time.monotonic() - since > self.restart_timeout:
                raise RuntimeError(f"rollout worker {k} has been restarting for {self.restart_timeout:.0f} s: "
                                   f"{error}") from error
            time.sleep(0.2)  # Ray is starting its replacement
            return k, None
        except self.ray.exceptions.RayActorError as error:
            raise RuntimeError(f"rollout worker {k} cannot run: {error}") from error
        self.down_since.pop(k, None)
        return k, result

    def arrival(self, k: int, batch: Dict[str, Any]) -> "tuple[bool, bool]":
        """Whether worker k reports from a new process since its last batch (Ray restarted it, whether
        or not a task was lost with the old one), and whether from a new node."""
        place, before = (batch["node"], batch["pid"]), self.places.get(k)
        self.places[k] = place
        restarted = place != before if before is not None else self.lost.get(k, 0) > 0
        return restarted, before is None or place[0] != before[0]

    def stop(self) -> None:
        for worker in self.workers:
            self.ray.kill(worker, no_restart=True)


def train(env: str, total_steps: int, *, workers: int = 2, envs_per_worker: int = 1, steps_per_task: int = 100,
          updates_per_step: float = 1.0, publish_every: int = 250, seed: int = 0, address: Optional[str] = None,
          eval_every: int = 5_000, eval_episodes: int = 10, eval_seed: int = 12345,
          target_return: Optional[float] = None, log_path: Optional[PathLike] = None,
          tensorboard: Optional[PathLike] = None, checkpoint_every: int = 0, checkpoint_path: Optional[PathLike] = None,
          resume_from: Optional[PathLike] = None, threads: Optional[int] = None,
          **config_overrides: Any) -> "tuple[Agent, History]":
    """Trains on `env` (a Gymnasium id) with `workers` Ray actors collecting experience, each
    stepping `envs_per_worker` copies and returning about `steps_per_task` transitions per task.

    - `updates_per_step`: gradient steps per ingested transition (the update-to-data ratio); none
      before `learning_starts` transitions (workers act at random until then).
    - `publish_every`: gradient steps between two published policy versions. Publishing serializes
      the policy (0.9 MB of JSON, about 40-75 ms, at hidden [256, 256]) in the learner, and every
      worker loads each version it acts with; fewer versions cost less, staler ones act worse.
    - `address`: None starts (or joins the already started) local Ray; "auto" or "ray://..." a cluster.
    - Evaluation, logging (JSON lines, TensorBoard), checkpoints, resume and the returned `History` as
      `libsac.gym.train`. The log also has "worker_node" records (where each worker runs),
      "worker_restart" records (written when a restarted worker's first batch arrives: its node,
      and `lost_batches`, 1 if a task died with the old process, 0 if it died between tasks), and
      in each evaluation record the mean staleness (policy versions between the one that collected
      a batch and the newest) since the last evaluation.
    Environment steps are counted from the transitions the learner stored: a batch lost with its
    worker is not counted, and none is counted twice."""
    if workers < 1 or envs_per_worker < 1 or steps_per_task < 1 or publish_every < 1 or updates_per_step < 0:
        raise ConfigError("workers, envs_per_worker, steps_per_task and publish_every must be >= 1 and "
                          "updates_per_step >= 0")
    if checkpoint_every and not checkpoint_path:
        raise ConfigError("checkpoint_every needs a checkpoint_path")
    ray = _ray()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, logging_level="warning")
    prior_elapsed = 0.0
    if resume_from is not None:
        if config_overrides:
            raise ConfigError(f"config overrides {sorted(config_overrides)} cannot change a resumed agent")
        agent, prior_elapsed = load_checkpoint(resume_from)
    else:
        with_spaces = _make_env(env)
        agent = Agent.from_env(with_spaces, seed=seed, **config_overrides)
        with_spaces.close()
    if threads is not None:
        agent.set_threads(threads)
    evaluation = _make_env(env) if eval_every else None
    first_step = agent.env_steps
    fleet = _Fleet(ray, env, workers, envs_per_worker, seed + first_step)
    log = RunLog(log_path, tensorboard, first_step, prior_elapsed)
    history, start = History(), time.perf_counter()
    learning_starts = agent.config.learning_starts
    version, policy_ref, published_at = 0, None, agent.gradient_steps
    owed, staleness, stats = 0.0, [], None

    def policy_for_task() -> List[Any]:
        return [] if agent.env_steps < learning_starts else [policy_ref]

    try:
        log.record("start", first_step, library="libsac", version=__version__, env=env,
                   algorithm=agent.config.algorithm.value, seed=seed, n_envs=workers * envs_per_worker,
                   workers=workers, total_steps=total_steps, eval_seed=eval_seed, eval_episodes=eval_episodes)
        policy_ref = ray.put(agent.to_json("policy"))
        for k in range(workers):
            fleet.submit(k, steps_per_task, version, policy_for_task())
        steps = 0
        while steps < total_steps:
            k, batch = fleet.next_result()
            if batch is None:
                fleet.submit(k, steps_per_task, version, policy_for_task())
                continue
            restarted, moved = fleet.arrival(k, batch)
            if restarted:
                log.record("worker_restart", first_step + steps, worker=k, node=batch["node"],
                           lost_batches=fleet.lost.pop(k, 0))
            if moved:
                log.record("worker_node", first_step + steps, worker=k, node=batch["node"])
            n = min(batch["steps"], total_steps - steps)
            agent.observe_batch(batch["obs"][:n], batch["actions"][:n], batch["rewards"][:n],
                                batch["next_obs"][:n], batch["terminated"][:n])
            steps_before, steps = steps, steps + n
            if steps < total_steps:
                fleet.submit(k, steps_per_task, version, policy_for_task())
            if batch["version"] >= 0:
                staleness.append(version - batch["version"])
            for episode_return, length in batch["episodes"]:
                history.episode_returns.append(episode_return)
                log.record("episode", first_step + steps, episode_return=episode_return, length=length, worker=k)
                log.scalars(first_step + steps, "rollout", {"episode_return": episode_return, "episode_length": length})
            owed += n * updates_per_step
            if owed >= 1:
                due, owed = int(owed), owed - int(owed)
                try:
                    stats = agent.update(due)
                except NotReadyError:
                    owed = 0.0  # the warm-up: nothing is owed for it
            if agent.gradient_steps - published_at >= publish_every:
                version, published_at = version + 1, agent.gradient_steps
                policy_ref = ray.put(agent.to_json("policy"))
            history.steps = steps
            now, before = first_step + steps, first_step + steps_before
            if checkpoint_every and now // checkpoint_every > before // checkpoint_every:
                save_checkpoint(agent, checkpoint_path, log.elapsed)
            if evaluation is not None and (now // eval_every > before // eval_every or steps >= total_steps):
                result = evaluate(agent, evaluation, eval_episodes, seed=eval_seed)
                history.evaluations.append({"step": now, **result})
                log.record("eval", now, **result, policy_version=version,
                           mean_staleness=float(np.mean(staleness)) if staleness else 0.0,
                           gradient_steps=agent.gradient_steps, **({"alpha": stats.alpha} if stats else {}))
                log.scalars(now, "eval", result)
                if stats:
                    log.scalars(now, "train", {name: getattr(stats, name) for name in TRAIN_SCALARS})
                log.flush()
                staleness = []
                if target_return is not None and result["mean_return"] >= target_return:
                    history.stopped_early = True
                    break
        log.record("end", first_step + history.steps)
    finally:
        history.seconds = time.perf_counter() - start
        fleet.stop()
        log.close()
        if evaluation is not None:
            evaluation.close()
    return agent, history
