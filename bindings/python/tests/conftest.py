"""Shared fixtures for the libsac binding tests.

The tests import the *installed* package (run pytest from outside the repository, see the Makefile's
test-python target), so nothing here touches sys.path.
"""
from pathlib import Path
from typing import Callable, List, Tuple

import numpy as np
import pytest

import libsac

#: tests/ -> python/ -> bindings/ -> the repository root.
REPO_ROOT = Path(__file__).resolve().parents[3]

#: The status codes of include/sac.h, by the SacError subclass that carries them.
STATUS_OF = {
    libsac.NullArgumentError: (-1, "SAC_ERR_NULL_ARGUMENT"),
    libsac.ConfigError: (-2, "SAC_ERR_INVALID_CONFIG"),
    libsac.ShapeError: (-3, "SAC_ERR_LENGTH"),
    libsac.NonFiniteError: (-4, "SAC_ERR_NON_FINITE"),
    libsac.NotReadyError: (-5, "SAC_ERR_NOT_READY"),
    libsac.StructSizeError: (-6, "SAC_ERR_STRUCT_SIZE"),
    libsac.SacMemoryError: (-7, "SAC_ERR_OUT_OF_MEMORY"),
    libsac.InvalidArgumentError: (-8, "SAC_ERR_INVALID_ARGUMENT"),
    libsac.PolicyOnlyError: (-9, "SAC_ERR_POLICY_ONLY"),
    libsac.FormatError: (-10, "SAC_ERR_FORMAT"),
    libsac.SacIOError: (-11, "SAC_ERR_IO"),
    libsac.BufferTooSmallError: (-12, "SAC_ERR_BUFFER_TOO_SMALL"),
    libsac.WrongAlgorithmError: (-13, "SAC_ERR_WRONG_ALGORITHM"),
    libsac.DivergedError: (-14, "SAC_ERR_DIVERGED"),
}

# A small agent used across the suite: asymmetric action bounds, tiny networks, a small replay
# buffer (the whole buffer is reserved at creation) and a warm-up that ends with the first batch.
OBS_DIM = 3
ACTION_DIM = 2
ACTION_LOW = [-2.0, 0.0]
ACTION_HIGH = [1.0, 3.0]
# The discrete agents' action count.
N_ACTIONS = 3
#: Every member of the SAC family, as Config.algorithm names.
ALGORITHMS = ["continuous", "continuous_v1", "discrete", "soft_q"]
DISCRETE_ALGORITHMS = ["discrete", "soft_q"]


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes longer than the rest of the suite (still runs by default)")


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def small_config() -> libsac.Config:
    return libsac.Config(obs_dim=OBS_DIM, action_dim=ACTION_DIM, action_low=ACTION_LOW, action_high=ACTION_HIGH,
                         hidden_sizes=(16, 16), batch_size=16, replay_capacity=4096, learning_starts=16, seed=7)


def family_config(small_config: libsac.Config, algorithm: str) -> libsac.Config:
    """`small_config` for any member of the family: discrete ones take N_ACTIONS actions instead of
    the action vector."""
    if algorithm in DISCRETE_ALGORITHMS:
        return small_config.replace(algorithm=algorithm, action_dim=0, action_low=None, action_high=None,
                                    n_actions=N_ACTIONS)
    return small_config.replace(algorithm=algorithm)


@pytest.fixture
def make_agent(small_config) -> Callable[..., libsac.Agent]:
    """Creates agents from `small_config` with keyword overrides; closes them after the test.
    `algorithm="discrete"` or `"soft_q"` also switches to N_ACTIONS discrete actions."""
    agents: List[libsac.Agent] = []

    def make(**overrides) -> libsac.Agent:
        base = family_config(small_config, overrides.pop("algorithm", "continuous"))
        agent = libsac.Agent(base, **overrides)
        agents.append(agent)
        return agent

    yield make
    for agent in agents:
        agent.close()


@pytest.fixture
def agent(make_agent) -> libsac.Agent:
    return make_agent()


@pytest.fixture(params=DISCRETE_ALGORITHMS)
def discrete_agent(request, make_agent) -> libsac.Agent:
    """A small discrete SAC or soft Q-learning agent with N_ACTIONS actions."""
    return make_agent(algorithm=request.param)


def random_transitions(obs_dim: int, action_dim: int, steps: int, seed: int):
    """A deterministic stream of (obs, reward, next_obs, terminated) with float32 observations."""
    rng = np.random.default_rng(seed)
    obs = rng.standard_normal(obs_dim).astype(np.float32)
    for step in range(steps):
        next_obs = rng.standard_normal(obs_dim).astype(np.float32)
        reward = float(rng.standard_normal())
        yield obs, reward, next_obs, step % 25 == 24
        obs = next_obs


@pytest.fixture
def drive() -> Callable[..., Tuple[np.ndarray, List[libsac.Stats]]]:
    """drive(agent, steps, seed): act/observe for `steps` steps on synthetic data, one update per
    step once the warm-up is over and a batch is stored. Returns the actions taken and the update statistics. Works for
    every algorithm: discrete agents act and observe with int indices."""

    def run(agent: libsac.Agent, steps: int, seed: int = 0):
        config = agent.config
        actions, stats = [], []
        for obs, reward, next_obs, terminated in random_transitions(config.obs_dim, config.action_dim, steps, seed):
            action = agent.act(obs)
            actions.append(action)
            agent.observe(obs, action, reward, next_obs, terminated)
            if agent.env_steps >= config.learning_starts and agent.replay_size >= config.batch_size:
                stats.append(agent.update())
        return np.array(actions), stats

    return run
