"""libsac on Ray: experience collected by rollout workers (Ray actors, each with its own copies of the
environment and a policy-only agent), one learner with the full agent in the driver.

    from libsac.distributed import train
    agent, history = train("HalfCheetah-v5", 100_000, workers=4)            # local Ray
    agent, history = train("HalfCheetah-v5", 100_000, workers=64, address="auto")   # a cluster

Many runs (tasks x seeds) over a cluster, each restarted from its last checkpoint if its node is lost:

    from libsac.distributed import RunSpec, sweep
    sweep([RunSpec(f"cheetah-{seed}", "HalfCheetah-v5", seed) for seed in range(5)], Path("logs"), address="auto")

Needs `pip install "libsac[ray]"`; `import libsac` alone never imports Ray.
"""
from ._sweep import RunSpec, sweep
from ._training import train
from ._worker import RolloutWorker

__all__ = ["RolloutWorker", "RunSpec", "sweep", "train"]
