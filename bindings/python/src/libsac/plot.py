"""Learning curves from training logs: libsac's and a Stable-Baselines3 runner's JSON lines.

    from libsac.plot import plot
    plot(["libsac-seed0.jsonl", "libsac-seed1.jsonl", "sb3-seed0.jsonl"], "curve.png", x="seconds")

    python -m libsac plot logs/*.jsonl -o curve.png --x seconds --spread std

Runs are grouped by (env, label): the label is the start record's "label", else its "library". Each
group becomes one line (the mean across its runs, one run per seed) with a band (standard error,
standard deviation or min..max), one subplot per environment. Reading and summarizing need only
numpy; drawing needs matplotlib (`pip install "libsac[plot]"`), imported only when a figure is drawn.

This module imports nothing else from libsac, so it works (and is tested) without the native library.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

PathLike = Union[str, Path]
#: (step, elapsed seconds, return) of one evaluation or one episode.
Point = Tuple[int, float, float]

METRICS = ("eval", "episode")
XS = ("steps", "seconds")
SPREADS = ("stderr", "std", "minmax")
_X_LABELS = {"steps": "environment steps", "seconds": "wall-clock seconds"}
_Y_LABELS = {"eval": "mean evaluation return", "episode": "episode return"}
_VALUE_KEYS = {"eval": "mean_return", "episode": "episode_return"}
_MATPLOTLIB_MISSING = 'plotting needs matplotlib: pip install "libsac[plot]"'


@dataclass
class Run:
    """One training run (one log file), its records deduplicated and sorted by step."""
    path: Path
    library: str
    label: str
    env: str
    seed: Optional[int]
    evals: List[Point] = field(default_factory=list)
    episodes: List[Point] = field(default_factory=list)


@dataclass(eq=False)
class Curve:
    """One (env, label) group summarized across its runs at the steps they all reached.

    `std` is the sample standard deviation across runs (0 for a single run), `stderr` is std/sqrt(n),
    `elapsed` the runs' mean wall-clock seconds at each step (the x of a plot against time)."""
    env: str
    label: str
    n_runs: int
    steps: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    stderr: np.ndarray
    min: np.ndarray
    max: np.ndarray
    elapsed: np.ndarray


def _check(name: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")


# -- reading ---------------------------------------------------------------------------------------

def _records(path: Path) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """(line number, record) for each JSON object in the file.

    A run killed while writing leaves at most one partial line, the last one, so that one is skipped
    when unparsable; anywhere else an unparsable line means a damaged file and is an error rather
    than a silently wrong curve. Undecodable bytes are replaced (not fatal) because a kill can also
    cut a multi-byte character of that last line."""
    lines = [(number, text) for number, text in
             enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1) if text.strip()]
    for index, (number, text) in enumerate(lines):
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        if isinstance(record, dict):
            yield number, record
        elif index < len(lines) - 1:
            raise ValueError(f"{path}, line {number}: not a JSON record: {text[:80]!r}")


def _number(record: Dict[str, Any], key: str, path: Path, line: int) -> float:
    """A record's numeric field; a missing or non-numeric one is an error, not a point at zero.
    (bool is an int to Python, but true is no return.)"""
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{path}, line {line}: {record.get('event')!r} record without a numeric {key!r}")
    return float(value)


class _Latest:
    """The records of each step from the last segment of the file that logged that step.

    A resumed run logs again the steps after its checkpoint, so a later segment replaces an earlier
    one step by step (the last record wins). Within one segment several episodes may end at the same
    step (vectorized environments), and all of those are kept."""

    def __init__(self) -> None:
        self._by_step: Dict[int, Tuple[int, List[Point]]] = {}

    def add(self, segment: int, point: Point) -> None:
        kept = self._by_step.get(point[0])
        if kept is None or kept[0] != segment:
            self._by_step[point[0]] = (segment, [point])
        else:
            kept[1].append(point)

    def all(self) -> List[Point]:
        return [point for step in sorted(self._by_step) for point in self._by_step[step][1]]

    def last(self) -> List[Point]:
        return [self._by_step[step][1][-1] for step in sorted(self._by_step)]


def read_run(path: PathLike, env: Optional[str] = None) -> Run:
    """Reads one JSON-lines log. `env` names the environment of a log without a start record (older
    logs); a start record's "env" takes precedence. Unknown events are ignored.

    A new segment begins at each start record, and also where the step goes backwards, which is how a
    resumed run shows in older logs that have no start records."""
    path = Path(path)
    start: Dict[str, Any] = {}
    latest = {metric: _Latest() for metric in METRICS}
    segment, previous_step = 0, -math.inf
    for line, record in _records(path):
        event = record.get("event")
        if event == "start":
            start.update(record)  # a resumed run's start record repeats and refines the first
            segment += 1
        if event not in latest:
            continue
        step = int(_number(record, "step", path, line))
        if step < previous_step:
            segment += 1
        previous_step = step
        elapsed = float(record["elapsed"]) if isinstance(record.get("elapsed"), (int, float)) else math.nan
        latest[event].add(segment, (step, elapsed, _number(record, _VALUE_KEYS[event], path, line)))
    library = str(start.get("library", "libsac"))
    seed = start.get("seed")
    return Run(path=path, library=library, label=str(start.get("label", library)),
               env=str(start.get("env", env or "unknown")), seed=seed if isinstance(seed, int) else None,
               evals=latest["eval"].last(), episodes=latest["episode"].all())


# -- summarizing -----------------------------------------------------------------------------------

def _groups(runs: Sequence[Run]) -> Dict[Tuple[str, str], List[Run]]:
    """Runs by (env, label), in the order they were given: that order sets the figure's."""
    groups: Dict[Tuple[str, str], List[Run]] = {}
    for one in runs:
        groups.setdefault((one.env, one.label), []).append(one)
    return groups


def _eval_table(runs: Sequence[Run]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps evaluated by every run, and (runs x steps) returns and elapsed seconds at those steps.

    Evaluations of all seeds fall on the same grid, so only a run cut short loses steps here."""
    common = sorted(set.intersection(*({step for step, _, _ in one.evals} for one in runs)))
    values = np.empty((len(runs), len(common)))
    elapsed = np.empty_like(values)
    for row, one in enumerate(runs):
        at = {step: (seconds, value) for step, seconds, value in one.evals}
        elapsed[row], values[row] = np.array([at[step] for step in common]).reshape(-1, 2).T
    return np.array(common, dtype=np.int64), values, elapsed


def _episode_table(runs: Sequence[Run], bins: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Episode returns averaged per run in `bins` equal step windows over (0, last step of the
    group], at the windows' centres; only windows in which every run finished an episode are kept.

    Episodes end at different steps in different runs, so they have no common grid to average on;
    per-run window means give one, and weigh each run equally whatever its episode lengths."""
    last = max((step for one in runs for step, _, _ in one.episodes), default=0)
    edges = np.linspace(0.0, last, bins + 1)
    values = np.full((len(runs), bins), np.nan)
    elapsed = np.full_like(values, np.nan)
    for row, one in enumerate(runs):
        if not one.episodes:
            continue
        steps, seconds, returns = (np.array(column, dtype=float) for column in zip(*one.episodes))
        window = np.clip(np.searchsorted(edges, steps, side="left") - 1, 0, bins - 1)
        counts = np.bincount(window, minlength=bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            values[row] = np.bincount(window, returns, bins) / counts
            elapsed[row] = np.bincount(window, seconds, bins) / counts
    complete = ~np.isnan(values).any(axis=0)
    centres = (edges[:-1] + edges[1:]) / 2
    return np.round(centres[complete]).astype(np.int64), values[:, complete], elapsed[:, complete]


def summarize(runs: Sequence[Run], metric: str = "eval", bins: int = 20) -> List[Curve]:
    """One Curve per (env, label) group of `runs` that has at least one step common to all its runs.

    `metric` "eval" uses the evaluation records; "episode" the training episodes' returns, binned
    into `bins` step windows (see `_episode_table`)."""
    _check("metric", metric, METRICS)
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    curves = []
    for (env, label), group in _groups(runs).items():
        steps, values, elapsed = _eval_table(group) if metric == "eval" else _episode_table(group, bins)
        if not len(steps):
            continue
        n = len(group)
        std = values.std(axis=0, ddof=1) if n > 1 else np.zeros(len(steps))
        curves.append(Curve(env=env, label=label, n_runs=n, steps=steps, mean=values.mean(axis=0), std=std,
                            stderr=std / math.sqrt(n), min=values.min(axis=0), max=values.max(axis=0),
                            elapsed=elapsed.mean(axis=0)))
    return curves


def band(curve: Curve, spread: str) -> Tuple[np.ndarray, np.ndarray]:
    """Lower and upper edges of the shaded band around the mean."""
    _check("spread", spread, SPREADS)
    if spread == "minmax":
        return curve.min, curve.max
    width = curve.std if spread == "std" else curve.stderr
    return curve.mean - width, curve.mean + width


# -- drawing ---------------------------------------------------------------------------------------

def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend: figures go to files, never to a window, so plotting
    works on a headless machine and never blocks."""
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(_MATPLOTLIB_MISSING) from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot
    return pyplot


def _legend(curve: Curve) -> str:
    return f"{curve.label} ({curve.n_runs} seed{'s' if curve.n_runs != 1 else ''})"


def _subplot(ax: Any, curves: Sequence[Curve], labels: List[str], x: str, spread: str) -> None:
    """One environment's lines. A label's colour comes from its place in `labels` (all the figure's
    labels), so a library keeps one colour across subplots even where another library is missing."""
    for curve in curves:
        colour = f"C{labels.index(curve.label) % 10}"
        xs = curve.steps if x == "steps" else curve.elapsed
        low, high = band(curve, spread)
        ax.plot(xs, curve.mean, color=colour, label=_legend(curve))
        ax.fill_between(xs, low, high, color=colour, alpha=0.2, linewidth=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")


def plot(paths: Sequence[PathLike], out: PathLike, x: str = "steps", metric: str = "eval",
         title: Optional[str] = None, spread: str = "stderr", bins: int = 20,
         env: Optional[str] = None) -> List[Curve]:
    """Draws the learning curves of the runs logged in `paths` into `out` (format from its suffix:
    .png, .svg, .pdf) and returns the curves drawn.

    One subplot per environment, up to 3 per row; one line per label. With x="seconds" each line's x
    is its runs' mean elapsed seconds at each step, which compares libraries by wall-clock cost rather
    than by samples. `env` as in `read_run`."""
    _check("x", x, XS)
    _check("spread", spread, SPREADS)
    pyplot = _pyplot()
    curves = summarize([read_run(path, env) for path in paths], metric, bins)
    if not curves:
        raise ValueError(f"no {metric} records common to the runs of any group in: {', '.join(map(str, paths))}")
    if x == "seconds" and any(np.isnan(curve.elapsed).all() for curve in curves):
        raise ValueError("some logs have no elapsed seconds (older logs); plot them against steps")
    envs = list(dict.fromkeys(curve.env for curve in curves))
    labels = list(dict.fromkeys(curve.label for curve in curves))
    columns = min(3, len(envs))
    rows = math.ceil(len(envs) / columns)
    figure, axes = pyplot.subplots(rows, columns, figsize=(5.2 * columns, 3.8 * rows), squeeze=False)
    try:
        for ax, name in zip(axes.flat, envs):
            _subplot(ax, [curve for curve in curves if curve.env == name], labels, x, spread)
            ax.set(title=name, xlabel=_X_LABELS[x], ylabel=_Y_LABELS[metric])
        for ax in axes.flat[len(envs):]:
            ax.set_visible(False)
        if title:
            figure.suptitle(title)
        figure.tight_layout()
        figure.savefig(out, dpi=120)
    finally:
        pyplot.close(figure)  # pyplot keeps every open figure alive otherwise
    return curves


# -- command line ----------------------------------------------------------------------------------

def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds the `plot` command to the CLI's subparsers (the action `add_subparsers` returned)."""
    parser = subparsers.add_parser(
        "plot", help="plot learning curves from training logs",
        description="Learning curves (mean across seeds, with a band) from JSON-lines training logs "
                    "(libsac's --log, or a Stable-Baselines3 runner's). Runs are grouped by environment "
                    "and label (the start record's label, else its library); one subplot per environment.")
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN.jsonl", help="training logs, one per run")
    parser.add_argument("-o", "--out", type=Path, required=True, help="figure to write (.png, .svg, .pdf)")
    parser.add_argument("--x", choices=XS, default="steps",
                        help="x axis: environment steps (default) or wall-clock seconds")
    parser.add_argument("--metric", choices=METRICS, default="eval",
                        help="evaluation returns (default), or training episode returns averaged in step windows")
    parser.add_argument("--spread", choices=SPREADS, default="stderr",
                        help="band: standard error (default), standard deviation or min..max across runs")
    parser.add_argument("--bins", type=int, default=20, help="step windows for --metric episode (default 20)")
    parser.add_argument("--title", default=None, help="figure title")
    parser.add_argument("--env", default=None, help="environment of logs without a start record")
    return parser


def _final(curve: Curve, spread: str) -> str:
    """The last point of a curve, in words: a line of the command's summary."""
    mean = curve.mean[-1]
    if spread == "minmax":
        extent = f"{mean:.1f} (min {curve.min[-1]:.1f}, max {curve.max[-1]:.1f})"
    else:
        extent = f"{mean:.1f} ± {(curve.std if spread == 'std' else curve.stderr)[-1]:.1f} ({spread})"
    runs = f"{curve.n_runs} run{'s' if curve.n_runs != 1 else ''}"
    return f"{curve.label}  {curve.env}  {runs}  step {curve.steps[-1]}  {extent}"


def run(args: argparse.Namespace) -> int:
    """The `plot` command: draws the figure and prints one line per curve. Exit status 2 (with the
    reason on stderr) for a missing log, unusable logs or a missing matplotlib."""
    missing = [str(path) for path in args.runs if not Path(path).is_file()]
    if missing:
        print(f"libsac plot: no such log file: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        curves = plot(args.runs, args.out, x=args.x, metric=args.metric, title=args.title, spread=args.spread,
                      bins=args.bins, env=args.env)
    except (ImportError, OSError, ValueError) as error:
        print(f"libsac plot: {error}", file=sys.stderr)
        return 2
    for curve in curves:
        print(_final(curve, args.spread))
    print(f"wrote {args.out}")
    return 0
