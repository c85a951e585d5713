"""libsac.distributed on a two-node Ray cluster on this machine (ray.cluster_utils.Cluster, loopback
only): workers spread over both nodes, and training goes on, with an exact step count, when one node
is removed mid-run. Its own module: the cluster cannot share a process with test_distributed's
local Ray."""
import os
import threading
import time

import pytest

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # see test_distributed.py
pytest.importorskip("gymnasium")
ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

from libsac.distributed import train  # noqa: E402
from test_distributed import SMALL, ray_processes, read_log  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 2})
    second = nodes.add_node(num_cpus=2)
    nodes.wait_for_nodes()
    ray.init(address=nodes.address, logging_level="warning")
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
    agent, history = train("Pendulum-v1", 4_000, workers=2, seed=3, eval_every=0, log_path=log, steps_per_task=50,
                           **SMALL)
    remover.join()
    with agent:
        assert agent.env_steps == agent.replay_size == history.steps == 4_000
    records = read_log(log)
    placements = [r for r in records if r["event"] == "worker_node"]
    assert len({r["node"] for r in placements[:2]}) == 2, placements  # one worker per node at first
    assert second.node_id in {r["node"] for r in placements}
    restarts = [r for r in records if r["event"] == "worker_restart"]
    assert restarts, "the worker on the removed node was not restarted"
    assert placements[-1]["node"] != second.node_id  # it runs on the remaining node now
    assert records[-1]["event"] == "end" and records[-1]["step"] == 4_000
