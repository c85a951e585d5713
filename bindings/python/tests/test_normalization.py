"""Config(normalize_observations=True): the running statistics against numpy, saved with the weights,
and the new config fields' errors. (The learning test on a badly scaled Pendulum is in
test_learning.py.)"""
import numpy as np
import pytest

import libsac

OBS_DIM = 4
SCALE = np.array([1e3, 1e-3, 1.0, 50.0])
OFFSET = np.array([-5e3, 2.0, 0.0, 1e4])


def observations(n, seed):
    return (np.random.default_rng(seed).standard_normal((n, OBS_DIM)) * SCALE + OFFSET).astype(np.float32)


def make_agent(**config):
    return libsac.Agent(obs_dim=OBS_DIM, action_dim=2, hidden_sizes=(16, 16), batch_size=16, replay_capacity=4096,
                        learning_starts=0, seed=3, normalize_observations=True, **config)


def observe_all(agent, obs, batch=False):
    n = len(obs)
    actions = np.random.default_rng(1).uniform(-1, 1, (n, 2)).astype(np.float32)
    rewards = np.linspace(-1, 1, n, dtype=np.float32)
    next_obs = np.roll(obs, -1, axis=0)
    done = np.arange(n) % 50 == 49
    if batch:
        agent.observe_batch(obs, actions, rewards, next_obs, done)
    else:
        for i in range(n):
            agent.observe(obs[i], actions[i], float(rewards[i]), next_obs[i], bool(done[i]))


@pytest.mark.parametrize("batch", [False, True], ids=["observe", "observe_batch"])
def test_the_statistics_equal_numpys_mean_and_variance(batch):
    obs = observations(3000, seed=4)
    with make_agent() as agent:
        mean, var, count = agent.obs_normalization()
        assert count == 0 and mean.tolist() == [0.0] * OBS_DIM and var.tolist() == [1.0] * OBS_DIM
        observe_all(agent, obs, batch=batch)
        mean, var, count = agent.obs_normalization()
    reference = obs.astype(np.float64)
    assert count == 3000 and mean.dtype == var.dtype == np.float64
    np.testing.assert_allclose(mean, reference.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(var, reference.var(axis=0), rtol=1e-6)


def test_an_agent_without_normalisation_has_no_statistics():
    with libsac.Agent(obs_dim=3, action_dim=1) as agent:
        assert agent.obs_normalization() is None


def test_a_saved_policy_acts_the_same_after_reload_bit_for_bit(tmp_path):
    obs = observations(500, seed=5)
    with make_agent() as agent:
        observe_all(agent, obs)
        agent.update(20)
        probes = observations(64, seed=6)
        expected = agent.act_batch(probes, deterministic=True)
        for kind in ("policy", "checkpoint"):
            path = tmp_path / f"{kind}.json"
            agent.save(path, kind)
            with libsac.Agent.load(path) as loaded:
                np.testing.assert_array_equal(loaded.act_batch(probes, deterministic=True), expected)
                for got, want in zip(loaded.obs_normalization(), agent.obs_normalization()):
                    np.testing.assert_array_equal(got, want)


def test_acting_sees_the_normalised_observation():
    """The same weights (same seed) without normalisation, given the observation normalised by hand
    (the formula of docs/weights-format.md), act identically."""
    obs = observations(200, seed=7)
    with make_agent(obs_clip=3.0) as agent, libsac.Agent(obs_dim=OBS_DIM, action_dim=2, hidden_sizes=(16, 16),
                                                          batch_size=16, replay_capacity=4096, seed=3) as plain:
        observe_all(agent, obs)
        mean, var, _ = agent.obs_normalization()
        probes = observations(10, seed=8)
        by_hand = np.clip((probes - mean.astype(np.float32)) / np.sqrt(var + np.float32(1e-8)).astype(np.float32),
                          np.float32(-3), np.float32(3))
        np.testing.assert_array_equal(agent.act_batch(probes, deterministic=True),
                                      plain.act_batch(by_hand.astype(np.float32), deterministic=True))


@pytest.mark.parametrize("field, value", [
    ("obs_clip", 0.0), ("obs_clip", -1.0), ("obs_clip", float("nan")), ("obs_epsilon", 0.0),
    ("obs_epsilon", float("inf")), ("target_update_interval", 0),
])
def test_bad_values_of_the_new_fields_name_the_field(field, value):
    with pytest.raises(libsac.ConfigError, match=field):
        libsac.Agent(obs_dim=3, action_dim=1, **{field: value})


@pytest.mark.parametrize("value", [2, -1, "yes", None])
def test_normalize_observations_takes_only_a_boolean(value):
    with pytest.raises(libsac.ConfigError, match="normalize_observations"):
        libsac.Agent(obs_dim=3, action_dim=1, normalize_observations=value)


def test_the_new_fields_round_trip_through_the_config_and_the_files():
    with libsac.Agent(obs_dim=3, action_dim=1, normalize_observations=True, obs_clip=5.0, obs_epsilon=1e-6,
                      target_update_interval=8) as agent:
        config = agent.config
        assert (config.normalize_observations, config.obs_clip, config.target_update_interval) == (True, 5.0, 8)
        assert config.obs_epsilon == np.float32(1e-6)
        with libsac.Agent.from_json(agent.to_json("checkpoint")) as loaded:
            assert loaded.config == config
