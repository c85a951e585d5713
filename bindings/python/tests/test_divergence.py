"""The divergence guard from Python: an update that would poison the weights raises DivergedError and
leaves the agent exactly as it was; acting never returns a non-finite action."""
import re

import numpy as np
import pytest

import libsac
from conftest import ALGORITHMS, OBS_DIM, STATUS_OF


def _observe_all(agent: libsac.Agent, count: int, obs_value: float, reward: float) -> None:
    obs = np.full(OBS_DIM, obs_value, dtype=np.float32)
    for k in range(count):
        action = k % agent.config.n_actions if agent.config.n_actions else np.full(agent.config.action_dim, 0.5)
        agent.observe(obs, action, reward, obs, terminated=False)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_update_on_rewards_of_1e30_raises_and_changes_nothing(make_agent, algorithm):
    agent = make_agent(algorithm=algorithm, replay_capacity=16)  # one batch: all of it huge
    _observe_all(agent, 16, 0.5, 1.0)
    agent.update(2)
    _observe_all(agent, 16, 0.5, 1e30)
    before = agent.to_json("checkpoint")
    with pytest.raises(libsac.DivergedError) as excinfo:
        agent.update(3)
    assert (excinfo.value.status, excinfo.value.status_name) == STATUS_OF[libsac.DivergedError]
    assert "critic_loss" in excinfo.value.message and "exactly as before the call" in excinfo.value.message
    assert isinstance(excinfo.value, ArithmeticError)
    assert agent.to_json("checkpoint") == before
    assert agent.gradient_steps == 2


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_policy_whose_output_overflows_refuses_to_act(make_agent, algorithm):
    # Every weight from the first input of the first layer set to 3.4e38, a finite float32: an
    # observation whose first element is above 1 overflows the hidden layer.
    text = make_agent(algorithm=algorithm).to_json("policy")
    text = re.sub(r'"weight":\[\[[^\]]*\]', '"weight":[[' + ",".join(["3.4e38"] * 16) + "]", text, count=1)
    with libsac.Agent.from_json(text) as policy:
        with pytest.raises(libsac.DivergedError) as excinfo:
            policy.act(np.full(OBS_DIM, 2.0, dtype=np.float32), deterministic=True)
        assert "no action was written" in excinfo.value.message
        policy.act(np.full(OBS_DIM, -1.0, dtype=np.float32))  # where a ReLU cuts the huge weights off
