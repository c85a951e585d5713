"""Agent.update_from_batch (one gradient step on the caller's own minibatch) and Agent.observe_batch (n
transitions stored at once), for every algorithm."""
import math

import numpy as np
import pytest

import libsac
from conftest import ACTION_DIM, ACTION_HIGH, ACTION_LOW, ALGORITHMS, N_ACTIONS, OBS_DIM

BATCH = 16  # small_config's batch_size


def make_batch(algorithm, n=BATCH, seed=0):
    """(obs, actions, rewards, next_obs, terminated) as numpy arrays of the documented shapes."""
    rng = np.random.default_rng(seed)
    obs = rng.standard_normal((n, OBS_DIM)).astype(np.float32)
    if algorithm in ("discrete", "soft_q"):
        actions = rng.integers(0, N_ACTIONS, n).astype(np.int32)
    else:
        actions = rng.uniform(ACTION_LOW, ACTION_HIGH, (n, ACTION_DIM)).astype(np.float32)
    rewards = rng.standard_normal(n).astype(np.float32)
    next_obs = rng.standard_normal((n, OBS_DIM)).astype(np.float32)
    terminated = rng.random(n) < 0.2
    return obs, actions, rewards, next_obs, terminated


@pytest.fixture(params=ALGORITHMS)
def algorithm(request):
    return request.param


def test_update_from_batch_takes_one_step_without_touching_the_replay_buffer(make_agent, algorithm):
    agent = make_agent(algorithm=algorithm)
    before = agent.to_json()
    stats = agent.update_from_batch(*make_batch(algorithm))
    assert isinstance(stats, libsac.Stats)
    assert all(math.isfinite(v) for v in vars(stats).values()), stats
    assert stats.critic_loss > 0.0
    assert (stats.value_loss > 0.0) == (algorithm == "continuous_v1")
    assert agent.gradient_steps == 1
    assert agent.env_steps == 0 and agent.replay_size == 0
    assert agent.to_json() != before


def test_same_seed_and_same_batches_give_identical_stats_and_weights(make_agent, algorithm):
    a, b = make_agent(algorithm=algorithm), make_agent(algorithm=algorithm)
    for seed in range(5):
        batch = make_batch(algorithm, seed=seed)
        assert a.update_from_batch(*batch) == b.update_from_batch(*batch)
    assert a.to_json() == b.to_json()
    obs = make_batch(algorithm, seed=99)[0]
    np.testing.assert_array_equal(a.act_batch(obs, deterministic=True), b.act_batch(obs, deterministic=True))


def test_a_different_batch_gives_different_weights(make_agent, algorithm):
    a, b = make_agent(algorithm=algorithm), make_agent(algorithm=algorithm)
    a.update_from_batch(*make_batch(algorithm, seed=1))
    b.update_from_batch(*make_batch(algorithm, seed=2))
    assert a.to_json() != b.to_json()


def test_lists_and_other_dtypes_are_converted_to_the_same_batch(make_agent, algorithm):
    a, b, c = (make_agent(algorithm=algorithm) for _ in range(3))
    obs, actions, rewards, next_obs, terminated = make_batch(algorithm, n=5)
    expected = a.update_from_batch(obs, actions, rewards, next_obs, terminated)
    as_lists = b.update_from_batch(obs.tolist(), actions.tolist(), rewards.tolist(), next_obs.tolist(),
                                   terminated.tolist())
    wide_actions = actions.astype(np.int64 if actions.dtype.kind == "i" else np.float64)
    strided_next_obs = np.repeat(next_obs, 2, axis=0)[::2]  # not contiguous
    other = c.update_from_batch(np.asfortranarray(obs.astype(np.float64)), wide_actions, rewards.astype(np.float64),
                                strided_next_obs, terminated.astype(np.int64) * 7)
    assert expected == as_lists == other
    assert a.to_json() == b.to_json() == c.to_json()


def test_a_single_row_up_to_batch_size_rows_are_accepted(make_agent, algorithm):
    agent = make_agent(algorithm=algorithm)
    agent.update_from_batch(*make_batch(algorithm, n=1))
    agent.update_from_batch(*make_batch(algorithm, n=BATCH))
    assert agent.gradient_steps == 2


def test_update_from_batch_then_update_from_the_replay_buffer(make_agent, drive, algorithm):
    agent = make_agent(algorithm=algorithm)
    drive(agent, 20)
    steps = agent.gradient_steps
    agent.update_from_batch(*make_batch(algorithm))
    assert agent.gradient_steps == steps + 1 and agent.replay_size == 20
    agent.update()
    assert agent.gradient_steps == steps + 2


# -- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, BATCH + 1])
def test_a_row_count_outside_one_to_batch_size_is_a_shape_error(make_agent, algorithm, n):
    agent = make_agent(algorithm=algorithm)
    with pytest.raises(libsac.ShapeError) as excinfo:
        agent.update_from_batch(*make_batch(algorithm, n=n))
    assert "sac_update_from_batch" in excinfo.value.message and f"n is {n}" in excinfo.value.message
    assert "batch_size" in excinfo.value.message
    assert agent.gradient_steps == 0


def reshaped(algorithm, field, shape_of):
    """A batch of 4 rows with one array replaced by `shape_of(array)`."""
    batch = list(make_batch(algorithm, n=4))
    index = ["obs", "actions", "rewards", "next_obs", "terminated"].index(field)
    batch[index] = shape_of(batch[index])
    return batch


BAD_SHAPES = [
    ("obs", lambda a: a[:, :2], "obs"),
    ("obs", lambda a: a[0], "obs"),
    ("obs", lambda a: a[None], "obs"),
    ("next_obs", lambda a: a[:3], "next_obs"),
    ("next_obs", lambda a: a.T, "next_obs"),
    ("rewards", lambda a: a[:3], "rewards"),
    ("rewards", lambda a: a[:, None], "rewards"),
    ("rewards", lambda a: 1.0, "rewards"),
    ("terminated", lambda a: a[:2], "terminated"),
    ("terminated", lambda a: a[:, None], "terminated"),
    ("actions", lambda a: a[:3], "action"),
    ("actions", lambda a: np.concatenate([a, a]), "action"),
]


@pytest.mark.parametrize("field, change, needle", BAD_SHAPES,
                         ids=[f"{field}-{i}" for i, (field, _, _) in enumerate(BAD_SHAPES)])
def test_arrays_of_the_wrong_shape_are_shape_errors_and_change_nothing(make_agent, algorithm, field, change, needle):
    agent = make_agent(algorithm=algorithm)
    before = agent.to_json()
    with pytest.raises(libsac.ShapeError) as excinfo:
        agent.update_from_batch(*reshaped(algorithm, field, change))
    assert "update_from_batch" in excinfo.value.message and needle in excinfo.value.message
    assert excinfo.value.status_name == "SAC_ERR_LENGTH"
    assert agent.gradient_steps == 0 and agent.to_json() == before


@pytest.mark.parametrize("algorithm", ["continuous", "continuous_v1"])
def test_continuous_actions_need_action_dim_columns(make_agent, algorithm):
    agent = make_agent(algorithm=algorithm)
    obs, actions, rewards, next_obs, terminated = make_batch(algorithm, n=4)
    for bad in (actions[:, :1], actions[:, 0], np.zeros((4, ACTION_DIM + 1), np.float32)):
        with pytest.raises(libsac.ShapeError) as excinfo:
            agent.update_from_batch(obs, bad, rewards, next_obs, terminated)
        assert f"(4, {ACTION_DIM})" in excinfo.value.message
    assert agent.gradient_steps == 0


NON_FINITE_CASES = [
    ("obs", (2, 1), "batch->obs[7]"),
    ("next_obs", (0, 0), "batch->next_obs[0]"),
    ("rewards", (3,), "batch->rewards[3]"),
]


@pytest.mark.parametrize("field, position, needle", NON_FINITE_CASES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_values_are_refused_and_change_nothing(make_agent, algorithm, field, position, needle, bad):
    check_non_finite(make_agent(algorithm=algorithm), algorithm, field, position, needle, bad)


@pytest.mark.parametrize("algorithm", ["continuous", "continuous_v1"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_continuous_actions_are_refused_and_change_nothing(make_agent, algorithm, bad):
    check_non_finite(make_agent(algorithm=algorithm), algorithm, "actions", (1, 1), "batch->actions[3]", bad)


def check_non_finite(agent, algorithm, field, position, needle, bad):
    before = agent.to_json()
    batch = [np.array(a) for a in make_batch(algorithm, n=4)]
    batch[["obs", "actions", "rewards", "next_obs", "terminated"].index(field)][position] = bad
    with pytest.raises(libsac.NonFiniteError) as excinfo:
        agent.update_from_batch(*batch)
    assert "sac_update_from_batch" in excinfo.value.message and needle in excinfo.value.message
    assert agent.gradient_steps == 0 and agent.to_json() == before


def test_a_reward_that_overflows_float32_is_non_finite(make_agent):
    agent = make_agent()
    obs, actions, rewards, next_obs, terminated = make_batch("continuous", n=2)
    with pytest.raises(libsac.NonFiniteError) as excinfo:
        with np.errstate(over="ignore"):
            agent.update_from_batch(obs, actions, [0.0, 1e39], next_obs, terminated)
    assert "rewards[1]" in excinfo.value.message


@pytest.mark.parametrize("algorithm", ["discrete", "soft_q"])
@pytest.mark.parametrize("bad", [N_ACTIONS, -1, 2 ** 31 - 1, 2 ** 31, -2 ** 40], ids=repr)
def test_an_action_index_out_of_range_is_an_invalid_argument(make_agent, algorithm, bad):
    agent = make_agent(algorithm=algorithm)
    before = agent.to_json()
    obs, actions, rewards, next_obs, terminated = make_batch(algorithm, n=4)
    actions = actions.astype(np.int64)
    actions[2] = bad
    with pytest.raises(libsac.InvalidArgumentError) as excinfo:
        agent.update_from_batch(obs, actions, rewards, next_obs, terminated)
    assert "update_from_batch" in excinfo.value.message and f"[2] is {bad}" in excinfo.value.message
    assert f"n_actions is {N_ACTIONS}" in excinfo.value.message
    assert agent.gradient_steps == 0 and agent.to_json() == before


@pytest.mark.parametrize("algorithm", ["discrete", "soft_q"])
@pytest.mark.parametrize("actions", [
    np.zeros((4, 1), np.float32), np.zeros(4, np.float32), [0.0, 1.0, 2.0, 0.0], np.zeros((4, 2), np.int32),
], ids=["float-column", "float-vector", "float-list", "int-matrix"])
def test_float_actions_for_a_discrete_agent_are_the_wrong_algorithm(make_agent, algorithm, actions):
    agent = make_agent(algorithm=algorithm)
    obs, _, rewards, next_obs, terminated = make_batch(algorithm, n=4)
    with pytest.raises(libsac.WrongAlgorithmError) as excinfo:
        agent.update_from_batch(obs, actions, rewards, next_obs, terminated)
    assert "sac_update_from_batch" in excinfo.value.message and "action_indices" in excinfo.value.message
    assert excinfo.value.status_name == "SAC_ERR_WRONG_ALGORITHM"
    assert agent.gradient_steps == 0


@pytest.mark.parametrize("algorithm", ["continuous", "continuous_v1"])
@pytest.mark.parametrize("actions", [np.array([0, 1, 1, 0]), [0, 1, 1, 0], np.array([0, 2 ** 40, 1, 0])],
                         ids=["int64", "int-list", "huge"])
def test_action_indices_for_a_continuous_agent_are_the_wrong_algorithm(make_agent, algorithm, actions):
    agent = make_agent(algorithm=algorithm)
    obs, _, rewards, next_obs, terminated = make_batch(algorithm, n=4)
    with pytest.raises(libsac.WrongAlgorithmError) as excinfo:
        agent.update_from_batch(obs, actions, rewards, next_obs, terminated)
    assert "sac_update_from_batch" in excinfo.value.message and "SAC_ALGO_CONTINUOUS" in excinfo.value.message
    assert agent.gradient_steps == 0


def test_a_policy_only_agent_cannot_update_from_a_batch(make_agent, algorithm):
    with libsac.Agent.from_json(make_agent(algorithm=algorithm).to_json("policy")) as policy:
        with pytest.raises(libsac.PolicyOnlyError) as excinfo:
            policy.update_from_batch(*make_batch(algorithm))
        assert "sac_update_from_batch" in excinfo.value.message
        assert policy.gradient_steps == 0


def test_arrays_that_are_not_numbers_are_shape_errors(make_agent):
    agent = make_agent()
    obs, actions, rewards, next_obs, terminated = make_batch("continuous", n=2)
    for args in ((obs, actions, ["a", "b"], next_obs, terminated), ("obs", actions, rewards, next_obs, terminated),
                 (obs, [[0.0, 1.0], [0.0]], rewards, next_obs, terminated)):
        with pytest.raises(libsac.ShapeError):
            agent.update_from_batch(*args)
    assert agent.gradient_steps == 0


# -- observe_batch: the same arrays, stored in the replay buffer ---------------------------------------

def test_observe_batch_stores_what_single_observes_store(make_agent, algorithm, tmp_path):
    batched, single = make_agent(algorithm=algorithm), make_agent(algorithm=algorithm)
    obs, actions, rewards, next_obs, terminated = make_batch(algorithm, 40, seed=3)
    batched.observe_batch(obs[:0], actions[:0], rewards[:0], next_obs[:0], terminated[:0])
    batched.observe_batch(obs[:25], actions[:25], rewards[:25], next_obs[:25], terminated[:25])
    batched.observe_batch(obs[25:], actions[25:], rewards[25:], next_obs[25:], terminated[25:])
    for row in range(40):
        single.observe(obs[row], actions[row], rewards[row], next_obs[row], terminated[row])
    assert batched.env_steps == single.env_steps == 40
    assert batched.to_json() == single.to_json()
    batched.save_replay(tmp_path / "b.replay")
    single.save_replay(tmp_path / "s.replay")
    assert (tmp_path / "b.replay").read_bytes() == (tmp_path / "s.replay").read_bytes()


def test_observe_batch_refuses_the_whole_batch_for_one_bad_row(make_agent):
    agent = make_agent()
    obs, actions, rewards, next_obs, terminated = make_batch("continuous", 10, seed=4)
    before = agent.to_json()
    rewards[9] = np.nan
    with pytest.raises(libsac.NonFiniteError) as excinfo:
        agent.observe_batch(obs, actions, rewards, next_obs, terminated)
    assert "sac_observe_batch" in excinfo.value.message and "batch->rewards[9]" in excinfo.value.message
    with pytest.raises(libsac.ShapeError, match="observe_batch: next_obs"):
        agent.observe_batch(obs, actions, rewards, next_obs[:5], terminated)
    assert agent.replay_size == 0 and agent.to_json() == before
