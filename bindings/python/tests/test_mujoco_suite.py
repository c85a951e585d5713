"""bindings/python/benchmarks/mujoco.py's machinery (children per run, logs, resume, the report), on
Pendulum-v1 with tiny networks so that it needs neither MuJoCo nor minutes: the suite's own runs are
benchmarks and never part of the tests."""
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("gymnasium")
pytest.importorskip("matplotlib")


def suite_command(repo_root, out, *options):
    return [sys.executable, str(repo_root / "bindings/python/benchmarks/mujoco.py"), "--tasks", "Pendulum-v1",
            "--seeds", "2", "--eval-every", "200", "--eval-episodes", "1", "--hidden", "16", "16",
            "--learning-starts", "100", "--out", str(out), "--work", str(out / "work"), *options]


def suite(repo_root, out, *options):
    return subprocess.run(suite_command(repo_root, out, *options), capture_output=True, text=True, timeout=600)


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_suite_runs_every_seed_writes_the_report_then_resumes_to_a_larger_budget(repo_root, tmp_path):
    out = tmp_path / "results"
    first = suite(repo_root, out, "--budget", "400")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "2 runs to do (0 already done)" in first.stdout
    for seed in (0, 1):
        log = records(out / "logs" / f"libsac-Pendulum-v1-seed{seed}.jsonl")
        assert log[0]["event"] == "start" and log[0]["seed"] == seed and log[0]["eval_seed"] == 1_000_000 + 1000 * seed
        assert [r["step"] for r in log if r["event"] == "eval"] == [200, 400]
        assert log[-1]["event"] == "end" and log[-1]["step"] == 400
    table = (out / "results.md").read_text(encoding="utf-8")
    assert "Pendulum-v1" in table and "| libsac |" in table and "| 2 |" in table
    png = out / "returns.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    again = suite(repo_root, out, "--budget", "400")
    assert "0 runs to do (2 already done)" in again.stdout, again.stdout + again.stderr

    longer = suite(repo_root, out, "--budget", "600", "--seeds", "1")
    assert longer.returncode == 0, longer.stdout + longer.stderr
    log = records(out / "logs" / "libsac-Pendulum-v1-seed0.jsonl")
    starts = [r for r in log if r["event"] == "start"]
    assert [r["step"] for r in starts] == [0, 400]  # resumed from the checkpoint at 400
    assert starts[1]["elapsed"] > 0
    assert [r["step"] for r in log if r["event"] == "eval"] == [200, 400, 600]
    assert log[-1]["event"] == "end" and log[-1]["step"] == 600


def test_the_suite_runs_its_libsac_runs_on_ray(repo_root, tmp_path):
    pytest.importorskip("ray")
    out = tmp_path / "results"
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}  # a local Ray on the loopback address only
    result = subprocess.run(suite_command(repo_root, out, "--budget", "400", "--ray-address", "local"),
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "libsac-Pendulum-v1-seed0: finished on Ray" in result.stdout
    for seed in (0, 1):
        log = records(out / "logs" / f"libsac-Pendulum-v1-seed{seed}.jsonl")
        assert log[0]["seed"] == seed and log[-1]["event"] == "end" and log[-1]["step"] == 400
    assert "| libsac |" in (out / "results.md").read_text(encoding="utf-8")
