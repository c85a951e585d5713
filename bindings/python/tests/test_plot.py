"""libsac.plot: reading JSON-lines training logs, summarizing seeds, drawing learning curves.

The module is loaded from its file, not through `import libsac`, whose __init__ loads the native
library: reading and summarizing logs must work (and be tested) without it. Expected statistics are
computed here with numpy from the literal numbers written into the logs.
"""
import argparse
import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Sequence

import numpy as np
import pytest

PLOT_PY = Path(__file__).resolve().parents[1] / "src" / "libsac" / "plot.py"


def _load_plot_module() -> Any:
    spec = importlib.util.spec_from_file_location("libsac_plot_under_test", PLOT_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building the classes
    spec.loader.exec_module(module)
    return module


plot = _load_plot_module()

STEPS = [1000, 2000, 3000]
#: Evaluation mean returns at STEPS, one row per seed, by (library, env).
EVALS = {
    ("libsac", "Pendulum-v1"): [[-1200.0, -800.0, -300.0], [-1100.0, -700.0, -250.0], [-1300.0, -900.0, -200.0]],
    ("sb3", "Pendulum-v1"): [[-1250.0, -850.0, -400.0], [-1150.0, -650.0, -150.0]],
    ("libsac", "Hopper-v5"): [[100.0, 500.0, 1500.0], [200.0, 700.0, 1900.0], [150.0, 600.0, 1200.0]],
}


def _seconds(library: str, seed: int, step: int) -> float:
    """A run's clock: SB3 slower than libsac, each seed a little slower than the one before."""
    return step / 1000 * ((30.0 if library == "sb3" else 10.0) + seed)


def _write(path: Path, records: Sequence[Dict[str, Any]], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records) + tail, encoding="utf-8")
    return path


def _start(library: str, env: str, seed: int, step: int = 0, **extra: Any) -> Dict[str, Any]:
    return {"event": "start", "library": library, "version": "1.0", "env": env, "algorithm": "continuous",
            "seed": seed, "n_envs": 1, "total_steps": 3000, "step": step, "elapsed": 0.0, **extra}


def _eval(step: int, mean_return: float, elapsed: float) -> Dict[str, Any]:
    return {"event": "eval", "step": step, "mean_return": mean_return, "std_return": 1.0, "elapsed": elapsed,
            "steps_per_s": 100.0}


def _episode(step: int, episode_return: float, elapsed: float) -> Dict[str, Any]:
    return {"event": "episode", "step": step, "episode_return": episode_return, "length": 500,
            "elapsed": elapsed, "steps_per_s": 100.0, "alpha": 0.2}


@pytest.fixture
def suite(tmp_path: Path) -> List[Path]:
    """One log per (library, env, seed) of EVALS, with an unknown event and an end record."""
    paths = []
    for (library, env), rows in EVALS.items():
        for seed, returns in enumerate(rows):
            records = [_start(library, env, seed), {"event": "checkpoint", "step": 500}]
            records += [_eval(step, value, _seconds(library, seed, step)) for step, value in zip(STEPS, returns)]
            records.append({"event": "end", "step": 3000, "elapsed": 99.0, "steps_per_s": 100.0})
            paths.append(_write(tmp_path / f"{library}-{env}-seed{seed}.jsonl", records))
    return paths


# -- reading ---------------------------------------------------------------------------------------

def test_read_run_takes_identity_from_the_start_record(suite: List[Path]) -> None:
    run = plot.read_run(suite[4])
    assert (run.library, run.label, run.env, run.seed) == ("sb3", "sb3", "Pendulum-v1", 1)
    returns = EVALS["sb3", "Pendulum-v1"][1]
    assert run.evals == [(step, _seconds("sb3", 1, step), value) for step, value in zip(STEPS, returns)]
    assert run.episodes == []


def test_label_comes_from_the_start_record_when_given(tmp_path: Path) -> None:
    path = _write(tmp_path / "run.jsonl", [_start("libsac", "Hopper-v5", 3, label="libsac 2 threads"),
                                           _eval(1000, 5.0, 1.0)])
    run = plot.read_run(path)
    assert (run.library, run.label) == ("libsac", "libsac 2 threads")


def test_log_without_start_record_is_libsac_on_an_unknown_env(tmp_path: Path) -> None:
    path = _write(tmp_path / "old.jsonl", [{"event": "eval", "step": 1000, "mean_return": 7.0}])
    run = plot.read_run(path)
    assert (run.library, run.label, run.env, run.seed) == ("libsac", "libsac", "unknown", None)
    assert run.evals[0][0] == 1000 and math.isnan(run.evals[0][1]) and run.evals[0][2] == 7.0
    assert plot.read_run(path, env="Pendulum-v1").env == "Pendulum-v1"


def test_repeated_steps_keep_the_last_record(tmp_path: Path) -> None:
    """An older log (no start record) of a resumed run: the steps go back and are logged again."""
    path = _write(tmp_path / "resumed.jsonl", [
        _eval(1000, 1.0, 1.0), _eval(2000, 2.0, 2.0), _eval(3000, 3.0, 3.0),
        _eval(2000, 20.0, 2.5), _eval(3000, 30.0, 3.5)])
    assert plot.read_run(path).evals == [(1000, 1.0, 1.0), (2000, 2.5, 20.0), (3000, 3.5, 30.0)]


def test_resumed_run_with_two_start_records(tmp_path: Path) -> None:
    """Checkpoint at 2000, killed after 3000 was logged, resumed: 3000 is logged again and wins;
    episodes that ended at the same step of one segment (two environments) are all kept."""
    path = _write(tmp_path / "resumed.jsonl", [
        _start("libsac", "Hopper-v5", 0), _episode(1000, -5.0, 1.0), _episode(1000, -6.0, 1.0),
        _eval(1000, 1.0, 1.0), _eval(2000, 2.0, 2.0), _episode(3000, 8.0, 3.0), _episode(3000, 9.0, 3.0),
        _eval(3000, 3.0, 3.0),
        _start("libsac", "Hopper-v5", 0, step=2000, label="resumed"), _episode(3000, 80.0, 3.4),
        _eval(3000, 30.0, 3.5), _eval(4000, 40.0, 4.5)])
    run = plot.read_run(path)
    assert (run.label, run.env, run.seed) == ("resumed", "Hopper-v5", 0)
    assert run.evals == [(1000, 1.0, 1.0), (2000, 2.0, 2.0), (3000, 3.5, 30.0), (4000, 4.5, 40.0)]
    assert run.episodes == [(1000, 1.0, -5.0), (1000, 1.0, -6.0), (3000, 3.4, 80.0)]


def test_truncated_last_line_is_ignored(tmp_path: Path) -> None:
    path = _write(tmp_path / "killed.jsonl", [_start("libsac", "Hopper-v5", 0), _eval(1000, 1.0, 1.0)],
                  tail='{"event": "eval", "step": 2000, "mean_re')
    assert plot.read_run(path).evals == [(1000, 1.0, 1.0)]


def test_corrupt_middle_line_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "damaged.jsonl", [_start("libsac", "Hopper-v5", 0)],
                  tail='{"event": "eval", "st\n' + json.dumps(_eval(2000, 2.0, 2.0)) + "\n")
    with pytest.raises(ValueError, match=r"damaged\.jsonl, line 2"):
        plot.read_run(path)


def test_record_without_its_value_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "odd.jsonl", [{"event": "eval", "step": 1000}, _eval(2000, 2.0, 2.0)])
    with pytest.raises(ValueError, match=r"odd\.jsonl, line 1: 'eval' record without a numeric 'mean_return'"):
        plot.read_run(path)


# -- summarizing -----------------------------------------------------------------------------------

def test_summarize_eval_statistics_across_seeds(suite: List[Path]) -> None:
    curves = plot.summarize([plot.read_run(path) for path in suite])
    assert [(curve.label, curve.env) for curve in curves] == [(lib, env) for lib, env in EVALS]
    for curve in curves:
        values = np.array(EVALS[curve.label, curve.env])
        n = len(values)
        std = np.sqrt(((values - values.mean(axis=0)) ** 2).sum(axis=0) / (n - 1))
        seconds = [[_seconds(curve.label, seed, step) for step in STEPS] for seed in range(n)]
        assert curve.n_runs == n
        assert curve.steps.tolist() == STEPS
        np.testing.assert_allclose(curve.mean, values.sum(axis=0) / n)
        np.testing.assert_allclose(curve.std, std)
        np.testing.assert_allclose(curve.stderr, std / np.sqrt(n))
        np.testing.assert_allclose(curve.min, values.min(axis=0))
        np.testing.assert_allclose(curve.max, values.max(axis=0))
        np.testing.assert_allclose(curve.elapsed, np.mean(seconds, axis=0))


def test_libsac_pendulum_numbers_worked_by_hand(suite: List[Path]) -> None:
    """Step 1000 of libsac on Pendulum: -1200, -1100, -1300 -> mean -1200, std 100, stderr 100/sqrt(3)."""
    curve = plot.summarize([plot.read_run(path) for path in suite])[0]
    first = (curve.mean[0], curve.std[0], curve.min[0], curve.max[0])
    assert first == pytest.approx((-1200.0, 100.0, -1300.0, -1100.0))
    assert curve.stderr[0] == pytest.approx(100.0 / math.sqrt(3))
    assert plot.band(curve, "stderr")[0][0] == pytest.approx(-1200.0 - 100.0 / math.sqrt(3))
    assert [edge[0] for edge in plot.band(curve, "std")] == pytest.approx([-1300.0, -1100.0])
    assert [edge[0] for edge in plot.band(curve, "minmax")] == pytest.approx([-1300.0, -1100.0])


def test_only_steps_common_to_all_runs_are_summarized(suite: List[Path], tmp_path: Path) -> None:
    short = _write(tmp_path / "short.jsonl", [_start("sb3", "Pendulum-v1", 2), _eval(1000, -1000.0, 30.0),
                                              _eval(2000, -600.0, 60.0)])
    curve = plot.summarize([plot.read_run(path) for path in suite[3:5] + [short]])[0]
    assert (curve.n_runs, curve.steps.tolist()) == (3, [1000, 2000])
    np.testing.assert_allclose(curve.mean, np.mean([[-1250.0, -850.0], [-1150.0, -650.0], [-1000.0, -600.0]], axis=0))


def test_single_run_has_no_spread(suite: List[Path]) -> None:
    curve = plot.summarize([plot.read_run(suite[0])])[0]
    assert curve.n_runs == 1
    assert not curve.std.any() and not curve.stderr.any()


def test_episode_returns_are_averaged_per_run_in_step_windows(tmp_path: Path) -> None:
    """bins=2 over (0, 4000]: windows (0, 2000] and (2000, 4000], centres 1000 and 3000."""
    first = _write(tmp_path / "a.jsonl", [_start("libsac", "Hopper-v5", 0), _episode(500, 1.0, 1.0),
                                          _episode(2000, 3.0, 3.0), _episode(4000, 10.0, 7.0)])
    second = _write(tmp_path / "b.jsonl", [_start("libsac", "Hopper-v5", 1), _episode(1500, 5.0, 2.0),
                                           _episode(2500, 20.0, 4.0), _episode(3000, 30.0, 6.0)])
    curve = plot.summarize([plot.read_run(first), plot.read_run(second)], metric="episode", bins=2)[0]
    per_run = np.array([[np.mean([1.0, 3.0]), 10.0], [5.0, np.mean([20.0, 30.0])]])
    assert curve.steps.tolist() == [1000, 3000]
    np.testing.assert_allclose(curve.mean, per_run.mean(axis=0))
    np.testing.assert_allclose(curve.std, per_run.std(axis=0, ddof=1))
    np.testing.assert_allclose(curve.elapsed, [np.mean([2.0, 2.0]), np.mean([7.0, 5.0])])


def test_episode_windows_missing_a_run_are_dropped(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.jsonl", [_episode(1000, 1.0, 1.0), _episode(4000, 4.0, 4.0)])
    second = _write(tmp_path / "b.jsonl", [_episode(3000, 3.0, 3.0), _episode(4000, 8.0, 4.0)])
    curve = plot.summarize([plot.read_run(first), plot.read_run(second)], metric="episode", bins=4)[0]
    assert (curve.steps.tolist(), curve.mean.tolist()) == ([3500], [6.0])


def test_groups_without_common_steps_yield_no_curve(tmp_path: Path) -> None:
    path = _write(tmp_path / "no-evals.jsonl", [_start("libsac", "Hopper-v5", 0), _episode(1000, 1.0, 1.0)])
    assert plot.summarize([plot.read_run(path)]) == []


def test_bad_choices_are_rejected(suite: List[Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="metric must be one of eval, episode"):
        plot.summarize([], metric="returns")
    with pytest.raises(ValueError, match="spread must be one of"):
        plot.plot(suite, tmp_path / "x.png", spread="iqr")
    with pytest.raises(ValueError, match="x must be one of"):
        plot.plot(suite, tmp_path / "x.png", x="episodes")


# -- drawing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("x", ["steps", "seconds"])
def test_plot_writes_a_png(suite: List[Path], tmp_path: Path, x: str) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / f"curve-{x}.png"
    curves = plot.plot(suite, out, x=x, title="libsac vs SB3", spread="std")
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000
    assert [(curve.label, curve.env, curve.n_runs) for curve in curves] == [
        ("libsac", "Pendulum-v1", 3), ("sb3", "Pendulum-v1", 2), ("libsac", "Hopper-v5", 3)]


def test_plot_of_episode_returns_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    paths = [_write(tmp_path / f"s{seed}.jsonl", [_start("libsac", "Hopper-v5", seed)] +
                    [_episode(step, step / 100 + seed, step / 1000) for step in range(100, 5001, 100)])
             for seed in range(3)]
    out = tmp_path / "episodes.png"
    plot.plot(paths, out, metric="episode", spread="minmax")
    assert out.read_bytes().startswith(b"\x89PNG") and out.stat().st_size > 10_000


def test_plot_without_matplotlib_says_how_to_install_it(suite: List[Path], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError, match=r'^plotting needs matplotlib: pip install "libsac\[plot\]"$'):
        plot.plot(suite, tmp_path / "curve.png")


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = ("import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('p', {str(PLOT_PY)!r})\n"
            "module = importlib.util.module_from_spec(spec); sys.modules['p'] = module\n"
            "spec.loader.exec_module(module)\n"
            "assert 'matplotlib' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- command line ----------------------------------------------------------------------------------

def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m libsac")
    plot.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["plot", *argv])


def test_run_prints_one_line_per_curve(suite: List[Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "curve.png"
    assert plot.run(_args(*map(str, suite), "-o", str(out), "--x", "seconds")) == 0
    expected = []
    for (library, env), rows in EVALS.items():
        final = np.array(rows)[:, -1]
        stderr = final.std(ddof=1) / math.sqrt(len(final))
        expected.append(f"{library}  {env}  {len(final)} runs  step 3000  {final.mean():.1f} ± {stderr:.1f} (stderr)")
    assert capsys.readouterr().out.splitlines() == expected + [f"wrote {out}"]
    assert out.read_bytes().startswith(b"\x89PNG")


def test_run_with_minmax_spread(suite: List[Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("matplotlib")
    assert plot.run(_args(*map(str, suite[3:5]), "-o", str(tmp_path / "c.png"), "--spread", "minmax")) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "sb3  Pendulum-v1  2 runs  step 3000  -275.0 (min -400.0, max -150.0)"


def test_run_missing_file_exits_2(suite: List[Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "nope.jsonl"
    assert plot.run(_args(str(suite[0]), str(missing), "-o", str(tmp_path / "c.png"))) == 2
    assert capsys.readouterr().err == f"libsac plot: no such log file: {missing}\n"
    assert not (tmp_path / "c.png").exists()


def test_run_without_usable_records_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("matplotlib")
    empty = _write(tmp_path / "empty.jsonl", [_start("libsac", "Hopper-v5", 0)])
    assert plot.run(_args(str(empty), "-o", str(tmp_path / "c.png"))) == 2
    assert capsys.readouterr().err.startswith("libsac plot: no eval records")


def test_run_with_a_corrupt_log_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("matplotlib")
    damaged = _write(tmp_path / "damaged.jsonl", [], tail="garbage\n" + json.dumps(_eval(1000, 1.0, 1.0)) + "\n")
    assert plot.run(_args(str(damaged), "-o", str(tmp_path / "c.png"))) == 2
    assert "damaged.jsonl, line 1: not a JSON record" in capsys.readouterr().err
