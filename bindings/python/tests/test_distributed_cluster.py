"""libsac.distributed on a two-node Ray cluster on this machine (ray.cluster_utils.Cluster, loopback
only): workers spread over both nodes, and training goes on, with an exact step count, when one node
is removed mid-run. Its own module: the cluster cannot share a process with test_distributed's
local Ray."""
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # see test_distributed.py
pytest.importorskip("gymnasium")
ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

from libsac.distributed import train  # noqa: E402
from test_distributed import RUNTIME_ENV, SLOW_ENV, SMALL, ray_processes, read_log  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 2})
    second = nodes.add_node(num_cpus=2)
    nodes.wait_for_nodes()
    ray.init(address=nodes.address, logging_level="warning", runtime_env=RUNTIME_ENV)
    yield nodes, second
    ray.shutdown()
    nodes.shutdown()
    deadline = time.time() + 30
    while ray_processes() and time.time() < deadline:
        time.sleep(0.5)
    assert not ray_processes(), "Ray processes outlived the cluster"


def test_workers_spread_over_both_nodes_and_survive_losing_one(cluster, tmp_path):
    nodes, second = cluster
    assert {node["NodeManagerAddress"] for node in ray.nodes() if node["Alive"]} == {"127.0.0.1"}
    log = tmp_path / "run.jsonl"

    def remove_the_second_node_once_both_workers_reported():
        deadline = time.time() + 120
        while time.time() < deadline:
            if log.exists() and sum('"worker_node"' in line for line in log.read_text().splitlines()) >= 2:
                nodes.remove_node(second)
                return
            time.sleep(0.05)

    remover = threading.Thread(target=remove_the_second_node_once_both_workers_reported)
    remover.start()
    agent, history = train(SLOW_ENV, 4_000, workers=2, seed=3, eval_every=0, log_path=log, steps_per_task=50,
                           **SMALL)
    remover.join()
    with agent:
        assert agent.env_steps == agent.replay_size == history.steps == 4_000
    records = read_log(log)
    placements = [r for r in records if r["event"] == "worker_node"]
    assert len({r["node"] for r in placements[:2]}) == 2, placements  # one worker per node at first
    assert second.node_id in {r["node"] for r in placements}
    restarts = [r for r in records if r["event"] == "worker_restart"]
    assert len(restarts) == 1 and restarts[0]["node"] != second.node_id, restarts
    assert placements[-1]["node"] != second.node_id  # it runs on the remaining node now
    assert records[-1]["event"] == "end" and records[-1]["step"] == 4_000


def test_a_sweep_run_lost_with_its_node_restarts_from_its_last_checkpoint(cluster, tmp_path):
    from libsac.distributed import RunSpec, sweep

    nodes, _ = cluster
    third = nodes.add_node(num_cpus=1)
    nodes.wait_for_nodes()
    # Every node of this cluster is this machine: each run's working folder is visible here.
    tag = uuid.uuid4().hex[:8]
    folders = Path(tempfile.gettempdir())

    def in_the_vault(log: Path) -> bool:
        # the evaluation at 1000 is logged after the checkpoint at 500 reached the vault
        try:
            return any(r.get("event") == "eval" and r["step"] >= 1_000 for r in read_log(log))
        except (OSError, ValueError):  # being written
            return False

    def remove_the_third_node_once_every_run_has_a_checkpoint():
        deadline = time.time() + 120
        while time.time() < deadline:
            logs = list(folders.glob(f"libsac-{tag}-*/log.jsonl"))
            if len(logs) == 2 and all(in_the_vault(log) for log in logs):
                nodes.remove_node(third)
                return
            time.sleep(0.05)

    remover = threading.Thread(target=remove_the_third_node_once_every_run_has_a_checkpoint)
    remover.start()
    events = []
    specs = [RunSpec(f"{tag}-{seed}", SLOW_ENV, seed, total_steps=3_000, config=SMALL,
                     options=dict(eval_every=500, eval_episodes=1)) for seed in (0, 1)]
    logs = sweep(specs, tmp_path / "logs", checkpoint_every=500, on_event=lambda what, spec: events.append(what))
    remover.join()
    assert events.count("restarted") == 1, events
    starts = {name: [r["step"] for r in read_log(path) if r["event"] == "start"] for name, path in logs.items()}
    assert sorted(map(len, starts.values())) == [1, 2], starts  # one run went on from a checkpoint
    resumed = next(steps for steps in starts.values() if len(steps) == 2)
    assert resumed[0] == 0 and resumed[1] >= 500 and resumed[1] % 500 == 0
    for path in logs.values():
        records = read_log(path)
        assert records[-1]["event"] == "end" and records[-1]["step"] == 3_000
