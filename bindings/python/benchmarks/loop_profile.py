"""Where a libsac.gym.train run spends its wall time: gradient steps, acting, observing, the
environment and the rest (the trainer's own Python), from cProfile's cumulative times.

    python bindings/python/benchmarks/loop_profile.py [--env HalfCheetah-v5] [--steps 3000] [--threads 1]

The warm-up is kept short (learning_starts = steps / 5) so that most steps include a gradient step, as
in the long runs of the MuJoCo suite; no evaluation. cProfile adds a small cost to every Python call,
so the Python-side shares are upper bounds.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

# mujoco.py beside this file would shadow the `mujoco` package that Gymnasium's environments import.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

from libsac.gym import train  # noqa: E402

#: (part, function name as cProfile reports it, file suffix): cumulative time of these calls.
PARTS = [
    ("gradient steps (Agent.update)", "update", "libsac/agent.py"),
    ("acting (Agent.act)", "act", "libsac/agent.py"),
    ("observing (Agent.observe)", "observe", "libsac/agent.py"),
    ("environment step and reset", "step", "libsac/_envs.py"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="HalfCheetah-v5")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    agent, _ = train(args.env, args.steps, seed=0, eval_every=0, progress=False,
                     learning_starts=args.steps // 5, threads=args.threads)
    profile.disable()
    total = time.perf_counter() - start
    agent.close()
    stats = pstats.Stats(profile).stats
    print(f"{args.env}, {args.steps} steps, {args.threads} thread(s): {total:.1f} s, {args.steps / total:.0f} steps/s")
    accounted = 0.0
    for part, function, suffix in PARTS:
        seconds = sum(row[3] for (path, _, name), row in stats.items() if name == function and path.endswith(suffix))
        accounted += seconds
        print(f"  {part:<34} {seconds:7.2f} s  {100 * seconds / total:5.1f}%")
    print(f"  {'the rest (trainer, logging)':<34} {total - accounted:7.2f} s  {100 * (total - accounted) / total:5.1f}%")


if __name__ == "__main__":
    main()
