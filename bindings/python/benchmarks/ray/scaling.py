"""Environment steps/s of libsac.gym.train (one process) against libsac.distributed.train with 1 and 2
rollout workers, on a simulator made slow on purpose (slow_env.py: Pendulum-v1 sleeping 2 ms a step)
and on HalfCheetah-v5. Hidden [256, 256], batch 256, one gradient step per transition, learning_starts
1000; the rate is measured between the first and the last episode of each run (Ray's start-up is not
counted). Run it on a quiet machine: the learner and the workers share its cores.

    python bindings/python/benchmarks/ray/scaling.py [--steps 4000] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # Ray on the loopback address only
sys.path.insert(0, str(HERE))  # slow_env for this process; Ray's workers get HERE as working_dir

CONFIG = dict(hidden_sizes=(256, 256), batch_size=256, learning_starts=1_000)


def rate(log: Path) -> float:
    """Environment steps per second between the first and the last episode record."""
    episodes = [json.loads(line) for line in log.read_text().splitlines() if '"episode"' in line]
    if len(episodes) < 2:
        sys.exit(f"{len(episodes)} episode(s) ended: too few to time; give more --steps")
    first, last = episodes[0], episodes[-1]
    return (last["step"] - first["step"]) / (last["elapsed"] - first["elapsed"])


def measure(env: str, steps: int, workers: int) -> float:
    from libsac import distributed, gym

    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "run.jsonl"
        if workers == 0:
            agent, _ = gym.train(env, steps, eval_every=0, log_path=log, progress=False, **CONFIG)
        else:
            agent, _ = distributed.train(env, steps, workers=workers, eval_every=0, log_path=log, **CONFIG)
        agent.close()
        return rate(log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=4_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import ray

    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level="warning",
             runtime_env={"working_dir": str(HERE)})
    results: List[Dict] = []
    try:
        for env in ("slow_env:SlowPendulum-v1", "HalfCheetah-v5"):
            single = measure(env, args.steps, 0)
            results.append(dict(env=env, setup="one process (libsac.gym.train)", steps_per_s=single, speedup=1.0))
            for workers in (1, 2):
                value = measure(env, args.steps, workers)
                results.append(dict(env=env, setup=f"{workers} worker(s) + learner", steps_per_s=value,
                                    speedup=value / single))
    finally:
        ray.shutdown()
    if args.json:
        print(json.dumps(results))
        return
    print("| environment | setup | environment steps/s | × one process |\n|---|---|---|---|")
    for row in results:
        print(f"| {row['env']} | {row['setup']} | {row['steps_per_s']:.0f} | {row['speedup']:.2f} |")


if __name__ == "__main__":
    main()
