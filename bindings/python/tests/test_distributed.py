"""libsac.distributed on a local Ray cluster kept on the loopback address: learning with two workers,
a worker killed mid-run, exact step counts, and `import libsac` staying free of Ray."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

from pathlib import Path

import pytest

# Ray binds the machine's network address by default; with this set before Ray is imported, the head,
# the workers and the driver stay on 127.0.0.1 (test_ray_stays_on_the_loopback_address checks it).
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
pytest.importorskip("gymnasium")
ray = pytest.importorskip("ray")

import libsac  # noqa: E402
from libsac.distributed import RolloutWorker, train  # noqa: E402

SMALL = dict(hidden_sizes=(32, 32), batch_size=32, replay_capacity=20_000, learning_starts=300)

# Pendulum-v1 sleeping 2 ms a step: a run of a few thousand steps outlasts a worker's restart on any
# machine, so the restarted worker reports before the run ends. The driver imports it from here and
# Ray's workers through PYTHONPATH. (Not a working_dir: a driver process that uploaded one to a
# cluster assumes the next cluster it joins has it too, and the cluster tests run in this process.)
SLOW_ENV_FOLDER = str(Path(__file__).resolve().parents[1] / "benchmarks" / "ray")
SLOW_ENV = "slow_env:SlowPendulum-v1"
sys.path.insert(0, SLOW_ENV_FOLDER)
RUNTIME_ENV = {"env_vars": {"PYTHONPATH": os.pathsep.join(filter(None, [SLOW_ENV_FOLDER, os.environ.get("PYTHONPATH")]))}}


def ray_processes():
    """Ray's processes still alive (exited ones waiting to be reaped do not count)."""
    table = subprocess.run(["ps", "-eo", "stat=,args="], capture_output=True, text=True).stdout.splitlines()
    return [line for line in table if not line.startswith("Z")
            and any(name in line for name in ("ray::", "raylet", "gcs_server", "ray/dashboard"))]


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning", runtime_env=RUNTIME_ENV)
    yield
    ray.shutdown()
    deadline = time.time() + 30
    while ray_processes() and time.time() < deadline:
        time.sleep(0.5)
    assert not ray_processes(), "Ray processes outlived the test module"


def test_ray_stays_on_the_loopback_address():
    assert ray.util.get_node_ip_address() == "127.0.0.1"
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}


def read_log(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_import_libsac_does_not_import_ray():
    code = "import sys, libsac, libsac.gym, libsac.plot; sys.exit('ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_the_worker_collects_whole_transitions_with_random_then_policy_actions():
    worker = RolloutWorker("Pendulum-v1", 2, seed=5)
    warm = worker.collect(10, version=0, policy=[])
    assert warm["steps"] == 10 and warm["version"] == -1
    assert warm["obs"].shape == warm["next_obs"].shape == (10, 3) and warm["obs"].dtype == "float32"
    assert warm["actions"].shape == (10, 1) and warm["rewards"].shape == warm["terminated"].shape == (10,)
    with libsac.Agent(obs_dim=3, action_dim=1, action_low=[-2], action_high=[2], hidden_sizes=(8,), seed=1) as agent:
        policy = agent.to_json("policy")
    acted = worker.collect(5, version=3, policy=[policy])
    assert acted["version"] == 3 and acted["steps"] == 6  # whole steps of both copies
    assert (abs(acted["actions"]) <= 2).all()


def test_two_workers_learn_pendulum(tmp_path):
    log = tmp_path / "run.jsonl"
    agent, history = train("Pendulum-v1", 20_000, workers=2, seed=1, eval_every=1_000, eval_episodes=5,
                           target_return=-200, log_path=log, hidden_sizes=(64, 64), batch_size=64,
                           actor_lr=1e-3, critic_lr=1e-3, alpha_lr=1e-3, learning_starts=1_000)
    with agent:
        print(history.evaluations)
        assert history.best_evaluation is not None and history.best_evaluation > -200, history.evaluations
        assert agent.env_steps == agent.replay_size == history.steps <= 20_000
    records = read_log(log)
    assert records[0]["event"] == "start" and records[0]["workers"] == 2
    evals = [r for r in records if r["event"] == "eval"]
    assert all(r["policy_version"] >= 1 and r["mean_staleness"] >= 0 for r in evals[1:])


def test_a_killed_worker_is_replaced_and_no_transition_is_counted_twice(tmp_path):
    log = tmp_path / "run.jsonl"

    killed = []

    def kill_a_worker_once_both_reported():
        deadline = time.time() + 60
        while time.time() < deadline:
            if log.exists() and log.read_text().count('"worker_node"') >= 2:
                pids = subprocess.run(["pgrep", "-f", "ray::RolloutWorker"], capture_output=True, text=True)
                for pid in pids.stdout.split()[:1]:
                    os.kill(int(pid), signal.SIGKILL)
                    killed.append(int(pid))
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker_once_both_reported)
    killer.start()
    agent, history = train(SLOW_ENV, 3_000, workers=2, seed=2, eval_every=0, log_path=log,
                           steps_per_task=50, **SMALL)
    killer.join()
    with agent:
        assert agent.env_steps == agent.replay_size == history.steps == 3_000
    assert killed, "no worker process was found to kill"
    records = read_log(log)
    restarts = [r for r in records if r["event"] == "worker_restart"]
    assert len(restarts) == 1, restarts
    assert restarts[0]["lost_batches"] in (0, 1)  # killed between two tasks, or during one
    assert records[-1] == {**records[-1], "event": "end", "step": 3_000}


def test_a_worker_that_cannot_start_stops_training_with_its_error():
    # Registered in this process only: the learner can make it, the workers (other processes) cannot.
    import gymnasium

    gymnasium.register("LibsacDriverOnly-v0", entry_point="gymnasium.envs.classic_control.pendulum:PendulumEnv",
                       max_episode_steps=200)
    with pytest.raises(RuntimeError, match="rollout worker 0 cannot run"):
        train("LibsacDriverOnly-v0", 100, workers=1, eval_every=0, **SMALL)


def test_the_command_line_trains_with_workers(tmp_path):
    out, log = tmp_path / "agent.json", tmp_path / "run.jsonl"
    env = {k: v for k, v in os.environ.items() if k not in ("SAC_LIBRARY_PATH", "PYTHONPATH")}
    result = subprocess.run([sys.executable, "-m", "libsac", "train", "Pendulum-v1", "--workers", "2", "--steps", "600",
                             "--hidden", "16", "16", "--batch-size", "16", "--learning-starts", "100",
                             "--eval-every", "300", "--eval-episodes", "1", "--log", str(log), "--out", str(out),
                             "--no-progress", "--address", "auto"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    records = read_log(log)
    assert records[0]["workers"] == 2 and [r["step"] for r in records if r["event"] == "eval"] == [300, 600]
    with libsac.Agent.load(out) as agent:
        assert agent.env_steps == 600


def test_a_run_resumes_from_its_checkpoint_and_replay_file(tmp_path):
    checkpoint, log = tmp_path / "ckpt.json", tmp_path / "run.jsonl"
    first, _ = train("Pendulum-v1", 1_000, workers=2, seed=4, eval_every=0, checkpoint_every=500,
                     checkpoint_path=checkpoint, log_path=log, **SMALL)
    first.close()
    with libsac.Agent.load(checkpoint) as saved:
        assert saved.env_steps == 1_000
    resumed, history = train("Pendulum-v1", 500, workers=2, seed=4, eval_every=0, resume_from=checkpoint, log_path=log)
    with resumed:
        assert resumed.env_steps == resumed.replay_size == 1_500 and history.steps == 500
        assert resumed.config.hidden_sizes == (32, 32)
    starts = [r for r in read_log(log) if r["event"] == "start"]
    assert [r["step"] for r in starts] == [0, 1_000] and starts[1]["elapsed"] > 0


def test_a_sweep_runs_every_spec_and_writes_each_log(tmp_path):
    from libsac.distributed import RunSpec, sweep

    events = []
    specs = [RunSpec(f"pendulum-{seed}", "Pendulum-v1", seed, total_steps=400, config=dict(SMALL, learning_starts=100),
                     options=dict(eval_every=200, eval_episodes=1)) for seed in (0, 1)]
    logs = sweep(specs, tmp_path / "logs", checkpoint_every=200, on_event=lambda what, spec: events.append((what, spec.name)))
    assert sorted(logs) == ["pendulum-0", "pendulum-1"]
    for seed in (0, 1):
        records = read_log(logs[f"pendulum-{seed}"])
        assert records[0]["seed"] == seed and [r["step"] for r in records if r["event"] == "eval"] == [200, 400]
        assert records[-1]["event"] == "end" and records[-1]["step"] == 400
    assert sorted(events) == [("finished", "pendulum-0"), ("finished", "pendulum-1"),
                              ("started", "pendulum-0"), ("started", "pendulum-1")]
    with pytest.raises(ValueError, match="its own name"):
        sweep(specs[:1] * 2, tmp_path / "logs")
