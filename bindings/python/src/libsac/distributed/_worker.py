"""The rollout worker: N copies of an environment and a policy-only agent, in its own process (a Ray
actor), returning transitions as numpy arrays through Ray's object store."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional

import numpy as np

from .._envs import VectorEnv, make_vector_env
from ..agent import Agent


class RolloutWorker:
    """Collects transitions with the newest policy it was given.

    A plain class: `ray.remote(RolloutWorker)` makes it an actor (the learner does, with restarts),
    and tests can drive it in-process. Before the learner sends a policy (the warm-up), actions are
    uniform samples of the action space, as the single-process trainer's warm-up."""

    def __init__(self, env_id: str, n_envs: int, seed: int):
        self.seed = seed
        self.envs = VectorEnv(make_vector_env(env_id, n_envs))
        self.action_space = self.envs.env.action_space  # the batched space of all copies
        self.action_space.seed(seed)
        self.obs = self.envs.reset(seed)
        self.policy: Optional[Agent] = None
        self.version = -1
        self.returns = np.zeros(self.envs.n)
        self.lengths = np.zeros(self.envs.n, dtype=np.int64)

    def _adopt(self, version: int, policy_json: str) -> None:
        """Loads a published policy. Its sampling noise is seeded per worker and version: every worker
        loading the same file would otherwise draw the same noise."""
        document = json.loads(policy_json)
        document["config"]["seed"] = (self.seed * 1_000_003 + version) % 2**63
        if self.policy is not None:
            self.policy.close()
        self.policy = Agent.from_json(json.dumps(document))
        self.version = version

    def collect(self, steps: int, version: int, policy: List[Any]) -> Dict[str, Any]:
        """About `steps` transitions (whole calls of the vector environment's step, so up to N - 1
        more) with policy `version`; `policy` is [the JSON text, or an object reference to it], or []
        for random warm-up actions. Returns the transitions, the episodes that ended and the version
        that acted."""
        if policy and version != self.version:
            text = policy[0]
            if not isinstance(text, str):  # a reference in the object store, fetched only when new
                import ray

                text = ray.get(text)
            self._adopt(version, text)
        rows: Dict[str, List[np.ndarray]] = {key: [] for key in ("obs", "actions", "rewards", "next_obs", "terminated")}
        episodes: List[List[float]] = []
        collected = 0
        while collected < steps:
            actions = self.policy.act_batch(self.obs) if policy else np.asarray(self.action_space.sample())
            step = self.envs.step(actions)
            valid = step.valid
            for key, value in (("obs", self.obs), ("actions", actions), ("rewards", step.rewards),
                               ("next_obs", step.next_obs), ("terminated", step.terminated)):
                rows[key].append(np.asarray(value)[valid])
            self.returns += np.where(valid, step.rewards, 0.0)
            self.lengths += valid
            for i in np.flatnonzero(valid & (step.terminated | step.truncated)):
                episodes.append([float(self.returns[i]), int(self.lengths[i])])
                self.returns[i], self.lengths[i] = 0.0, 0
            collected += int(np.count_nonzero(valid))
            self.obs = step.obs
        batch = {key: np.concatenate(parts) for key, parts in rows.items()}
        batch["obs"] = batch["obs"].astype(np.float32)
        batch["next_obs"] = batch["next_obs"].astype(np.float32)
        return {**batch, "episodes": episodes, "version": self.version if policy else -1, "steps": collected,
                **_whereabouts()}


def _whereabouts() -> Dict[str, Any]:
    """Where this worker runs: its Ray node (None outside Ray) and its process. The learner logs where
    workers run, and recognises a restart by a new process even when no task was lost with the old one
    (a worker killed between two tasks)."""
    node = None
    try:
        import ray

        if ray.is_initialized():
            node = ray.get_runtime_context().get_node_id()
    except ImportError:
        pass
    return {"node": node, "pid": os.getpid()}
