"""The MuJoCo suite: libsac (and, with --sb3, Stable-Baselines3's SAC) on Gymnasium's MuJoCo tasks,
several seeds, Spinning Up's evaluation protocol, resumable; a Markdown table and figures at the end.

    python bindings/python/benchmarks/mujoco.py                          # 4 tasks x 5 seeds x 100k steps
    python bindings/python/benchmarks/mujoco.py --tasks HalfCheetah-v5 --seeds 1 --budget 5000
    python bindings/python/benchmarks/mujoco.py --sb3 --sb3-tasks HalfCheetah-v5 --sb3-seeds 3
    python bindings/python/benchmarks/mujoco.py --report-only            # table and figures from the logs

Every run (library x task x seed) is a child process with its own log, `OUT/logs/LIBRARY-TASK-seedK.jsonl`
(libsac.gym's JSON lines, with elapsed seconds), and its own checkpoint under WORK. A run whose log
ends at the budget is done and skipped; an interrupted one resumes from its last checkpoint (written
at every evaluation), so the command can be repeated until everything is done. `--jobs` runs (by
default one per core) go at once, each pinned to its own core with one thread, libsac's and SB3's alike.
With `--ray-address` (make results RAY_ADDRESS=...) the libsac runs go to a Ray cluster instead
(libsac.distributed.sweep: spread over its nodes, a run lost with its node restarted from its last
checkpoint); the SB3 runs stay local.

Protocol (Spinning Up's): every `--eval-every` steps (10k) and at the end, the deterministic policy
on a separate evaluation environment for 10 episodes, episode k reset with seed 1_000_000 + 1000 * run
seed + k (the same for both libraries). Hyper-parameters (RL Zoo's for SAC on MuJoCo, both libraries):
hidden [256, 256], learning rate 3e-4 for actor, critics and temperature, batch 256, gamma 0.99,
tau 0.005, learning_starts 10k (1/10 of the budget when that is smaller), one gradient step per
environment step, alpha learned from 1.0 toward -action_dim; the replay buffer holds the whole run
(min(budget, 1e6) transitions, so nothing is ever overwritten, as with RL Zoo's 1e6).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
# This file's name would shadow the `mujoco` package that Gymnasium's environments import.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
DEFAULT_TASKS = ["HalfCheetah-v5", "Hopper-v5", "Walker2d-v5", "Ant-v5"]
COMMITTED_BUDGET = 100_000  # docs/results holds the runs at this budget


@dataclass(frozen=True)
class Run:
    library: str  # "libsac" or "sb3"
    task: str
    seed: int

    @property
    def name(self) -> str:
        return f"{self.library}-{self.task}-seed{self.seed}"


def eval_seed(seed: int) -> int:
    return 1_000_000 + 1000 * seed


def learning_starts(args: argparse.Namespace) -> int:
    return args.learning_starts if args.learning_starts is not None else min(10_000, args.budget // 10)


def log_path(args: argparse.Namespace, run: Run) -> Path:
    return args.out / "logs" / f"{run.name}.jsonl"


def fresh_log(args: argparse.Namespace, run: Run) -> None:
    """A run starting from scratch (no checkpoint, e.g. on another machine) starts its log anew."""
    log_path(args, run).unlink(missing_ok=True)


def finished(args: argparse.Namespace, run: Run) -> bool:
    """A run is done when its log's last complete record is an "end" at the budget or beyond."""
    path = log_path(args, run)
    if not path.is_file():
        return False
    last = None
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            last = json.loads(line)
        except ValueError:
            continue  # a line cut by a kill
    return bool(last) and last.get("event") == "end" and last.get("step", 0) >= args.budget


# -- one run, in its own process ----------------------------------------------------------------------

def libsac_config(args: argparse.Namespace) -> dict:
    """The hyper-parameters of a new libsac agent (see the module docstring)."""
    return dict(hidden_sizes=tuple(args.hidden), actor_lr=3e-4, critic_lr=3e-4, alpha_lr=3e-4, batch_size=256,
                gamma=0.99, tau=0.005, replay_capacity=min(args.budget, 1_000_000),
                learning_starts=learning_starts(args))


def libsac_options(args: argparse.Namespace, run: Run) -> dict:
    """libsac.gym.train's evaluation protocol and threads."""
    return dict(eval_every=args.eval_every, eval_episodes=args.eval_episodes, eval_seed=eval_seed(run.seed),
                threads=args.threads)


def run_libsac(args: argparse.Namespace, run: Run, work: Path) -> None:
    import libsac
    from libsac.gym import train

    checkpoint = work / "checkpoint.json"
    resume = checkpoint if checkpoint.is_file() else None
    done = 0
    if resume is None:
        fresh_log(args, run)
    else:
        with libsac.Agent.load(resume) as saved:
            done = saved.env_steps
    agent, _ = train(run.task, args.budget - done, seed=run.seed, resume_from=resume, log_path=log_path(args, run),
                     checkpoint_every=args.eval_every, checkpoint_path=checkpoint, progress=False,
                     **libsac_options(args, run), **({} if resume else libsac_config(args)))
    agent.close()


def run_on_ray(args: argparse.Namespace, runs: List[Run]) -> int:
    """The libsac runs as Ray tasks on the cluster at --ray-address (libsac.distributed.sweep: one CPU
    each, spread over the nodes, a run lost with its node restarted from its last checkpoint); the
    logs come back to OUT/logs. Returns the number of runs that failed."""
    from libsac.distributed import RunSpec, sweep

    specs = [RunSpec(run.name, run.task, run.seed, args.budget, libsac_config(args), libsac_options(args, run))
             for run in runs]
    try:
        sweep(specs, args.out / "logs", address=args.ray_address, cpus_per_run=args.threads,
              checkpoint_every=args.eval_every,
              on_event=lambda what, spec: print(f"{spec.name}: {what} on Ray", flush=True))
    except RuntimeError as error:
        print(f"the Ray sweep failed: {error}", flush=True)
        return 1
    return 0


class _SB3Actor:
    """An SB3 model seen through `libsac.gym.evaluate`: the same evaluation code for both libraries."""

    def __init__(self, model):
        self.model = model

    def act(self, obs, deterministic=True):
        return self.model.predict(obs, deterministic=deterministic)[0]


def run_sb3(args: argparse.Namespace, run: Run, work: Path) -> None:
    import gymnasium
    import torch
    from stable_baselines3 import SAC
    from stable_baselines3.common.callbacks import BaseCallback

    from libsac import __version__
    from libsac._runlog import RunLog, load_progress, save_progress
    from libsac.gym import evaluate

    torch.set_num_threads(args.threads)
    model_path, replay_path = work / "model.zip", work / "replay.pkl"
    env, eval_env = gymnasium.make(run.task), gymnasium.make(run.task)
    resumed = model_path.is_file() and replay_path.is_file()
    if resumed:
        model = SAC.load(model_path, env=env, device="cpu")
        model.load_replay_buffer(replay_path)
    else:
        fresh_log(args, run)
        model = SAC("MlpPolicy", env, learning_rate=3e-4, buffer_size=min(args.budget, 1_000_000),
                    learning_starts=learning_starts(args), batch_size=256, tau=0.005, gamma=0.99, train_freq=1,
                    gradient_steps=1, policy_kwargs=dict(net_arch=list(args.hidden)), seed=run.seed, device="cpu")
    log = RunLog(log_path(args, run), None, model.num_timesteps, load_progress(model_path) if resumed else 0.0)
    log.record("start", model.num_timesteps, library="sb3", version=_sb3_version(), libsac_version=__version__,
               env=run.task, algorithm="continuous", seed=run.seed, n_envs=1, total_steps=args.budget,
               eval_seed=eval_seed(run.seed), eval_episodes=args.eval_episodes, torch_threads=args.threads)

    class Logging(BaseCallback):
        def _on_step(self) -> bool:
            step = self.num_timesteps
            for info in self.locals["infos"]:
                if "episode" in info:  # SB3's Monitor wrapper
                    log.record("episode", step, episode_return=float(info["episode"]["r"]),
                               length=int(info["episode"]["l"]))
            if step % args.eval_every == 0 or step >= args.budget:
                result = evaluate(_SB3Actor(model), eval_env, args.eval_episodes, seed=eval_seed(run.seed))
                log.record("eval", step, **result)
                _atomic(lambda path: model.save(path), model_path)
                _atomic(lambda path: model.save_replay_buffer(path), replay_path)
                save_progress(model_path, log.elapsed)
            return True

    model.learn(total_timesteps=args.budget - model.num_timesteps, callback=Logging(),
                reset_num_timesteps=not resumed, progress_bar=False)
    log.record("end", model.num_timesteps)
    log.close()


def _sb3_version() -> str:
    import stable_baselines3

    return stable_baselines3.__version__


def _atomic(write, target: Path) -> None:
    """`write(temporary)` then rename: an interrupted save leaves the previous checkpoint whole."""
    temporary = target.with_name(f".{target.stem}.tmp{target.suffix}")
    write(temporary)
    os.replace(temporary, target)


def run_one(args: argparse.Namespace) -> int:
    library, task, seed = args.run
    run = Run(library, task, int(seed))
    work = args.work / run.name
    work.mkdir(parents=True, exist_ok=True)
    log_path(args, run).parent.mkdir(parents=True, exist_ok=True)
    (run_sb3 if library == "sb3" else run_libsac)(args, run, work)
    return 0


# -- the suite: children on the cores, then the report ---------------------------------------------------

def planned_runs(args: argparse.Namespace) -> List[Run]:
    """Task by task, and within a task seed by seed with SB3's (slower) run first: the side-by-side of
    the first task is complete early, and the long runs start while there is work beside them."""
    runs = [Run("libsac", task, seed) for task in args.tasks for seed in range(args.seeds)] if args.libsac else []
    if args.sb3:
        runs += [Run("sb3", task, seed) for task in (args.sb3_tasks or args.tasks)
                 for seed in range(args.sb3_seeds or args.seeds)]
    tasks = list(dict.fromkeys(args.tasks + (args.sb3_tasks or [])))
    return sorted(runs, key=lambda run: (tasks.index(run.task), run.seed, run.library != "sb3"))


def child_command(args: argparse.Namespace, run: Run) -> List[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "--run", run.library, run.task, str(run.seed),
               "--budget", str(args.budget), "--eval-every", str(args.eval_every), "--eval-episodes",
               str(args.eval_episodes), "--threads", str(args.threads), "--out", str(args.out), "--work",
               str(args.work), "--hidden", *map(str, args.hidden)]
    if args.learning_starts is not None:
        command += ["--learning-starts", str(args.learning_starts)]
    return command


def run_suite(args: argparse.Namespace) -> int:
    """Runs every unfinished run, `--jobs` at a time; slot k is pinned to core k (mod the cores)."""
    pending = [run for run in planned_runs(args) if not finished(args, run)]
    print(f"{len(pending)} runs to do ({len(planned_runs(args)) - len(pending)} already done)", flush=True)
    failures = 0
    if args.ray_address:  # the SB3 runs (torch) stay in local processes
        failures += run_on_ray(args, [run for run in pending if run.library == "libsac"])
        pending = [run for run in pending if run.library != "libsac"]
    cores = sorted(os.sched_getaffinity(0))
    slots: List[Optional[tuple]] = [None] * args.jobs
    while pending or any(slots):
        for k, slot in enumerate(slots):
            if slot is not None and slot[1].poll() is not None:
                run, process, started = slot
                status = "done" if process.returncode == 0 and finished(args, run) else f"FAILED ({process.returncode})"
                failures += status != "done"
                print(f"{run.name}: {status} after {time.time() - started:.0f} s (output: "
                      f"{args.work / run.name / 'output.txt'})", flush=True)
                slots[k] = None
            if slots[k] is None and pending:
                run = pending.pop(0)
                (args.work / run.name).mkdir(parents=True, exist_ok=True)
                output = open(args.work / run.name / "output.txt", "a")
                core = cores[k % len(cores)]
                process = subprocess.Popen(child_command(args, run), stdout=output, stderr=subprocess.STDOUT,
                                           preexec_fn=lambda core=core: os.sched_setaffinity(0, {core}))
                output.close()
                print(f"{run.name}: started on core {core}", flush=True)
                slots[k] = (run, process, time.time())
        time.sleep(1)
    return failures


def write_report(args: argparse.Namespace, runs: List[Run]) -> None:
    """results.md and the figures, from `report.py` beside this file (loaded by path: this folder is
    not on sys.path, see above)."""
    spec = importlib.util.spec_from_file_location("mujoco_report", HERE / "report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    report.write([log_path(args, run) for run in runs], args.out, args.budget)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", default=DEFAULT_TASKS, help="Gymnasium ids (Humanoid-v5 on request)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. N-1")
    parser.add_argument("--budget", type=int, default=100_000, help="environment steps per run")
    parser.add_argument("--no-libsac", dest="libsac", action="store_false", help="only the SB3 runs")
    parser.add_argument("--sb3", action="store_true", help="also run Stable-Baselines3's SAC (needs SB3 and torch)")
    parser.add_argument("--sb3-tasks", nargs="+", default=None, help="tasks for SB3 (default: --tasks)")
    parser.add_argument("--sb3-seeds", type=int, default=None, help="seeds 0 .. N-1 for SB3 (default: --seeds)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="runs at once")
    parser.add_argument("--threads", type=int, default=1, help="threads per run (libsac's and torch's)")
    parser.add_argument("--eval-every", type=int, default=10_000)
    parser.add_argument("--eval-episodes", type=int, default=10)
    parser.add_argument("--learning-starts", type=int, default=None, help="default: min(10000, budget / 10)")
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256])
    parser.add_argument("--out", type=Path, default=None,
                        help="logs (OUT/logs), the table and the figures (default: docs/results at the committed "
                             f"budget of {COMMITTED_BUDGET}, WORK otherwise)")
    parser.add_argument("--work", type=Path, default=None,
                        help="checkpoints and each run's output (default: .results-work/budget-N)")
    parser.add_argument("--report-only", action="store_true", help="only the table and figures from existing logs")
    parser.add_argument("--ray-address", default=None,
                        help="run the libsac runs as Ray tasks on this cluster (auto, ray://HOST:PORT, or local "
                             "for a local Ray); needs ray")
    parser.add_argument("--run", nargs=3, metavar=("LIBRARY", "TASK", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Checkpoints belong to one budget: a smoke run must never resume a long run's checkpoint.
    args.work = args.work or REPO / ".results-work" / f"budget-{args.budget}"
    args.out = args.out or (REPO / "docs" / "results" if args.budget == COMMITTED_BUDGET else args.work)
    if args.run:
        return run_one(args)
    if args.sb3 and not args.report_only:
        missing = [name for name in ("stable_baselines3", "torch") if importlib.util.find_spec(name) is None]
        if missing:
            sys.exit(f"--sb3 needs {' and '.join(missing)} in this interpreter ({sys.executable}); nothing is "
                     "installed here: `make bench-venv` builds .venv-bench with them")
    failures = 0 if args.report_only else run_suite(args)
    write_report(args, planned_runs(args))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
