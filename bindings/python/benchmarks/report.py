"""The MuJoCo suite's report: results.md (a table per task and library, and every run) and the figures
returns.png (against environment steps) and returns-time.png (against wall-clock seconds), all from the
runs' JSON-lines logs through libsac.plot. Only runs that reached the budget are summarized; the others
are listed as in progress."""
from __future__ import annotations

import math
from pathlib import Path
from typing import List, Sequence

import numpy as np

from libsac.plot import Curve, Run, plot, read_run, summarize


def _at(curve: Curve, step: int) -> str:
    """mean ± standard error across seeds at `step` (or "-" if the runs have no evaluation there)."""
    where = np.flatnonzero(curve.steps == step)
    if not len(where):
        return "-"
    k = where[0]
    return f"{curve.mean[k]:.0f} ± {curve.stderr[k]:.0f}" if curve.n_runs > 1 else f"{curve.mean[k]:.0f}"


def _wall(runs: Sequence[Run]) -> str:
    """Mean wall-clock seconds per run to its last evaluation (which includes the evaluations)."""
    seconds = [run.evals[-1][1] for run in runs]
    if any(math.isnan(s) for s in seconds):
        return "-"
    return f"{np.mean(seconds):.0f} s" + (f" ({min(seconds):.0f}-{max(seconds):.0f})" if len(seconds) > 1 else "")


def _summary_table(curves: List[Curve], complete: List[Run], budget: int) -> List[str]:
    # midway: the last evaluation at or before half the budget (all runs evaluate on the same grid)
    half = max((int(s) for s in curves[0].steps if s <= budget // 2), default=None)
    steps = [half, budget] if half else [budget]
    lines = ["| task | library | seeds | " + " | ".join(f"return at {s:,} steps" for s in steps)
             + " | wall time per run (range) | environment steps/s |",
             "|---|---|---|" + "---|" * len(steps) + "---|---|"]
    for curve in sorted(curves, key=lambda c: (c.env, c.label)):
        runs = [run for run in complete if (run.env, run.label) == (curve.env, curve.label)]
        seconds = np.mean([run.evals[-1][1] for run in runs])
        returns = " | ".join(_at(curve, s) for s in steps)
        lines.append(f"| {curve.env} | {curve.label} | {curve.n_runs} | {returns} | {_wall(runs)} | {budget / seconds:.0f} |")
    return lines


def _run_table(runs: List[Run], budget: int) -> List[str]:
    lines = ["| task | library | seed | final evaluation | best evaluation | steps | wall time |",
             "|---|---|---|---|---|---|---|"]
    for run in sorted(runs, key=lambda r: (r.env, r.label, r.seed if r.seed is not None else -1)):
        step, elapsed, value = run.evals[-1] if run.evals else (0, math.nan, math.nan)
        best = max((v for _, _, v in run.evals), default=math.nan)
        state = "" if step >= budget else " (in progress)"
        lines.append(f"| {run.env} | {run.label} | {run.seed} | {value:.0f} | {best:.0f} | {step:,}{state} "
                     f"| {elapsed:.0f} s |")
    return lines


def write(logs: Sequence[Path], out: Path, budget: int) -> None:
    runs = [read_run(path) for path in logs if path.is_file()]
    complete = [run for run in runs if run.evals and run.evals[-1][0] >= budget]
    curves = summarize(complete)
    text = ["# MuJoCo results", "",
            "Written by `bindings/python/benchmarks/mujoco.py` (`make results`) from the logs in `logs/`: the "
            "deterministic policy's mean return over the evaluation episodes, mean ± standard error over the "
            "seeds; wall time per run to its last evaluation, evaluations included. Protocol, hyper-parameters "
            "and how the runs share the machine: the docstring of `bindings/python/benchmarks/mujoco.py`.", ""]
    if curves:
        text += _summary_table(curves, complete, budget) + [""]
        finished = [path for path in logs if any(run.path == Path(path) for run in complete)]
        plot(finished, out / "returns.png", x="steps", title="evaluation return, mean ± s.e. over seeds")
        plot(finished, out / "returns-time.png", x="seconds", title="the same against wall-clock time")
        text += ["![returns](returns.png)", "", "![returns against time](returns-time.png)", ""]
    text += ["## Every run", ""] + _run_table(runs, budget) + [""]
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text("\n".join(text), encoding="utf-8")
    print(f"wrote {out / 'results.md'} ({len(complete)} finished runs of {len(runs)})")
