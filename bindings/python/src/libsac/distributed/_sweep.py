"""Many independent runs (tasks x seeds x settings) as Ray tasks spread over whatever cluster is there.

Each run is `libsac.gym.train` in a Ray task that declares its CPUs. Its checkpoints (agent, replay
buffer, clock and the log so far) are copied, as they are written, to a vault: an actor pinned to the
driver's node, so a run whose node is lost restarts on another node from its last checkpoint instead
of from scratch. When a run ends, its log is written to the driver's `out` folder.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from ._training import _ray

#: The files of a run's checkpoint, by their suffix on the checkpoint's name, and its log.
_CHECKPOINT_FILES = ("", ".replay", ".train.json")
_CHECKPOINT, _LOG = "checkpoint.json", "log.jsonl"


@dataclass(frozen=True)
class RunSpec:
    """One run: `name` (unique; its log is `out/NAME.jsonl`), the environment id, the seed, the
    budget, `config` (Config fields for a new agent) and `options` (other `libsac.gym.train` keyword
    arguments: eval_every, eval_episodes, eval_seed, threads, ...)."""

    name: str
    env: str
    seed: int = 0
    total_steps: int = 100_000
    config: Dict[str, Any] = field(default_factory=dict)
    options: Dict[str, Any] = field(default_factory=dict)


class _Vault:
    """The newest checkpoint of every run, as file contents (a Ray actor on the driver's node)."""

    def __init__(self) -> None:
        self.files: Dict[str, Dict[str, bytes]] = {}

    def put(self, name: str, files: Dict[str, bytes]) -> None:
        self.files[name] = files

    def get(self, name: str) -> Optional[Dict[str, bytes]]:
        return self.files.get(name)

    def names(self) -> List[str]:
        return sorted(self.files)


def _run(spec: RunSpec, vault: Any, checkpoint_every: int) -> str:
    """One run in a Ray task, resumed from the vault's checkpoint if there is one; returns its log."""
    import ray

    from ..agent import Agent
    from ..gym import train

    with tempfile.TemporaryDirectory(prefix=f"libsac-{spec.name}-") as folder:
        work = Path(folder)
        checkpoint, log = work / _CHECKPOINT, work / _LOG
        saved = ray.get(vault.get.remote(spec.name))
        done = 0
        if saved:
            for name, content in saved.items():
                (work / name).write_bytes(content)
            with Agent.load(checkpoint) as agent:
                done = agent.env_steps

        def keep(path: Path) -> None:
            files = {_CHECKPOINT + suffix: Path(str(path) + suffix).read_bytes() for suffix in _CHECKPOINT_FILES}
            files[_LOG] = log.read_bytes()
            ray.get(vault.put.remote(spec.name, files))  # stored before training goes on

        agent, _ = train(spec.env, spec.total_steps - done, seed=spec.seed, resume_from=checkpoint if saved else None,
                         log_path=log, checkpoint_every=checkpoint_every, checkpoint_path=checkpoint,
                         on_checkpoint=keep, progress=False, **spec.options, **({} if saved else spec.config))
        agent.close()
        return log.read_text(encoding="utf-8")


def sweep(runs: Sequence[RunSpec], out: Path, *, address: Optional[str] = None, cpus_per_run: float = 1,
          checkpoint_every: int = 10_000, max_attempts: int = 3,
          on_event: Optional[Callable[[str, RunSpec], None]] = None) -> Dict[str, Path]:
    """Runs `runs` as Ray tasks (`cpus_per_run` CPUs each) on the cluster at `address` (None: local
    Ray), spread over its nodes; writes each run's log to `out/NAME.jsonl` as it ends and returns
    those paths. A run whose worker or node is lost is restarted from its last checkpoint, up to
    `max_attempts` times in all; an error inside a run (a bad setting, a diverged update) is raised.
    `on_event(what, spec)` hears "started", "restarted" and "finished"."""
    ray = _ray()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, logging_level="warning")
    names = [spec.name for spec in runs]
    if len(set(names)) != len(names):
        raise ValueError("every run needs its own name")
    out.mkdir(parents=True, exist_ok=True)
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    here = ray.get_runtime_context().get_node_id()
    vault = ray.remote(num_cpus=0)(_Vault).options(
        scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=here, soft=False)).remote()
    task = ray.remote(num_cpus=cpus_per_run, max_retries=0, scheduling_strategy="SPREAD")(_run)
    notify = on_event or (lambda what, spec: None)
    pending: Dict[Any, RunSpec] = {}
    attempts: Dict[str, int] = {}

    def start(spec: RunSpec) -> None:
        attempts[spec.name] = attempts.get(spec.name, 0) + 1
        pending[task.remote(spec, vault, checkpoint_every)] = spec
        notify("started" if attempts[spec.name] == 1 else "restarted", spec)

    for spec in runs:
        start(spec)
    written: Dict[str, Path] = {}
    try:
        while pending:
            [done], _ = ray.wait(list(pending), num_returns=1)
            spec = pending.pop(done)
            try:
                log = ray.get(done)
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                    ray.exceptions.OwnerDiedError) as error:
                if attempts[spec.name] >= max_attempts:
                    raise RuntimeError(f"run {spec.name} was lost {attempts[spec.name]} times: {error}") from error
                time.sleep(1)  # let the cluster notice the lost node before placing the run again
                start(spec)
                continue
            written[spec.name] = out / f"{spec.name}.jsonl"
            written[spec.name].write_text(log, encoding="utf-8")
            notify("finished", spec)
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        ray.kill(vault)
    return written
