"""Agent and Config behaviour: defaults, acting, observing, learning, determinism, persistence."""
import ctypes
import dataclasses
import math

import numpy as np
import pytest

import libsac
from conftest import ACTION_DIM, ACTION_HIGH, ACTION_LOW, OBS_DIM, random_transitions
from libsac._native import lib, sac_config

LOW = np.array(ACTION_LOW, dtype=np.float32)
HIGH = np.array(ACTION_HIGH, dtype=np.float32)


def observations(n, seed=3, scale=1.0):
    return (np.random.default_rng(seed).standard_normal((n, OBS_DIM)) * scale).astype(np.float32)


# -- Config ------------------------------------------------------------------------------------


def test_config_defaults_are_the_documented_library_defaults():
    config = libsac.Config()
    assert config.batch_size == 256
    assert config.gamma == 0.99
    assert config.tau == 0.005
    assert config.actor_lr == config.critic_lr == config.alpha_lr == 3e-4
    assert config.hidden_sizes == (256, 256)
    assert config.replay_capacity == 1_000_000
    assert config.learning_starts == 100
    assert config.initial_alpha is None  # the algorithm's default (1.0 for continuous SAC)
    assert config.auto_alpha is None  # the algorithm's default (learned for continuous SAC)
    assert config.target_entropy is None
    assert config.seed == 0
    assert config.obs_dim == 0 and config.action_dim == 0
    assert config.action_low is None and config.action_high is None
    assert config.algorithm == "continuous" and config.algorithm is libsac.Algorithm.CONTINUOUS
    assert config.n_actions == 0
    assert config.target_entropy_scale == 0.98


def test_config_defaults_match_sac_config_default():
    c = sac_config()
    assert lib.sac_config_default(ctypes.byref(c), ctypes.sizeof(c)) == 0
    config = libsac.Config()
    assert config.hidden_sizes == tuple(c.hidden_sizes[: c.hidden_layers])
    for name in ("actor_lr", "critic_lr", "alpha_lr", "gamma", "tau", "target_entropy_scale"):
        assert np.float32(getattr(config, name)) == np.float32(getattr(c, name)), name
    for name in ("obs_dim", "action_dim", "batch_size", "replay_capacity", "learning_starts", "seed", "n_actions"):
        assert getattr(config, name) == getattr(c, name), name
    assert math.isnan(c.initial_alpha) and config.initial_alpha is None
    assert c.auto_alpha == -1 and config.auto_alpha is None  # SAC_AUTO_ALPHA_DEFAULT
    assert math.isnan(c.target_entropy) and config.target_entropy is None
    assert c.algorithm == 0 and config.algorithm.code == 0  # SAC_ALGO_CONTINUOUS
    assert list(c.action_low[:4]) == [-1.0] * 4 and list(c.action_high[:4]) == [1.0] * 4


def test_agent_from_config_and_from_overrides_are_the_same_agent(small_config):
    fields = {f.name: getattr(small_config, f.name) for f in dataclasses.fields(small_config)}
    with libsac.Agent(small_config) as a, libsac.Agent(**fields) as b, \
            libsac.Agent(small_config.replace(seed=0), seed=small_config.seed) as c:
        assert a.config == b.config == c.config
        assert a.to_json() == b.to_json() == c.to_json()


def test_overrides_replace_fields_of_the_given_config(small_config):
    with libsac.Agent(small_config, gamma=0.9, hidden_sizes=(8,)) as agent:
        assert agent.config.gamma == 0.9
        assert agent.config.hidden_sizes == (8,)
        assert agent.config.obs_dim == small_config.obs_dim
    assert small_config.gamma == 0.99  # the caller's config is not modified


def test_config_property_round_trips_with_alpha_and_target_entropy_resolved(small_config, agent):
    config = agent.config
    assert config == dataclasses.replace(small_config, target_entropy=-float(ACTION_DIM), initial_alpha=1.0,
                                         auto_alpha=True)
    assert config.action_low == ACTION_LOW and config.action_high == ACTION_HIGH
    with libsac.Agent(config) as again:
        assert again.config == config
        assert again.to_json() == agent.to_json()


def test_config_property_fills_default_bounds_and_keeps_an_explicit_target_entropy():
    with libsac.Agent(obs_dim=2, action_dim=3, hidden_sizes=(8,), batch_size=4, replay_capacity=8,
                      target_entropy=-0.5, auto_alpha=False, initial_alpha=0.2) as agent:
        config = agent.config
        assert config.action_low == [-1.0] * 3 and config.action_high == [1.0] * 3
        assert config.target_entropy == -0.5
        assert config.auto_alpha is False
        assert config.initial_alpha == 0.2


# -- acting --------------------------------------------------------------------------------------


def check_actions(actions, n=None):
    assert actions.dtype == np.float32
    assert actions.shape == ((ACTION_DIM,) if n is None else (n, ACTION_DIM))
    assert np.all(actions >= LOW) and np.all(actions <= HIGH), actions


def test_act_returns_float32_actions_inside_asymmetric_bounds(agent, drive):
    obs = observations(50)
    for o in obs:  # warm-up: uniform random actions
        check_actions(agent.act(o))
    drive(agent, 40)  # past learning_starts (16): samples from the policy
    extreme = np.concatenate([obs, observations(50, seed=4, scale=1e4)])
    for o in extreme:
        check_actions(agent.act(o))
        check_actions(agent.act(o, deterministic=True))
    check_actions(agent.act_batch(extreme), len(extreme))
    check_actions(agent.act_batch(extreme, deterministic=True), len(extreme))


def test_warm_up_actions_cover_the_whole_box(agent):
    actions = np.array([agent.act(o) for o in observations(400)])
    check_actions(actions, 400)
    span = HIGH - LOW
    assert np.all(actions.min(axis=0) < LOW + 0.05 * span)
    assert np.all(actions.max(axis=0) > HIGH - 0.05 * span)


def test_act_accepts_lists_tuples_and_other_dtypes(agent, drive):
    drive(agent, 30)
    obs64 = np.array([0.25, -1.5, 0.75])
    expected = agent.act(obs64.astype(np.float32), deterministic=True)
    strided = np.zeros(6)
    strided[::2] = obs64
    for variant in ([0.25, -1.5, 0.75], (0.25, -1.5, 0.75), obs64, strided[::2], obs64.astype(np.float16)):
        np.testing.assert_array_equal(agent.act(variant, deterministic=True), expected)
    np.testing.assert_array_equal(agent.act_batch([list(obs64)] * 2, deterministic=True), [expected] * 2)
    np.testing.assert_array_equal(agent.act_batch(np.array([obs64] * 3).T.copy().T, deterministic=True),
                                  [expected] * 3)  # a Fortran-ordered batch


def test_act_returns_a_fresh_array_each_call(agent):
    obs = [0.1, 0.2, 0.3]
    first = agent.act(obs, deterministic=True)
    kept = first.copy()
    first[:] = 99.0  # the caller owns the returned array: writing to it changes nothing inside
    second = agent.act([5.0, -5.0, 5.0], deterministic=True)
    assert second is not first
    np.testing.assert_array_equal(first, 99.0)  # and a later call does not overwrite it
    np.testing.assert_array_equal(agent.act(obs, deterministic=True), kept)


def test_act_does_not_modify_the_observation(agent):
    obs = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    before = obs.copy()
    agent.act(obs)
    agent.act_batch(obs[None, :])
    agent.observe(obs, [0.0, 1.0], 1.0, obs, False)
    np.testing.assert_array_equal(obs, before)


def test_deterministic_act_is_repeatable(agent, drive):
    drive(agent, 40)
    obs = observations(10)
    first = [agent.act(o, deterministic=True) for o in obs]
    agent.act(obs[0])  # a stochastic call in between changes nothing
    for o, expected in zip(obs, first):
        np.testing.assert_array_equal(agent.act(o, deterministic=True), expected)


def test_stochastic_act_varies_but_is_reproducible_from_the_seed(make_agent, drive):
    a, b = make_agent(), make_agent()
    drive(a, 30)
    drive(b, 30)
    obs = observations(1)[0]
    samples_a = np.array([a.act(obs) for _ in range(20)])
    samples_b = np.array([b.act(obs) for _ in range(20)])
    np.testing.assert_array_equal(samples_a, samples_b)
    assert len(np.unique(samples_a[:, 0])) == 20


@pytest.mark.parametrize("n", [1, 7, 16, 50])  # batch_size is 16: 50 is processed in chunks
def test_act_batch_equals_row_wise_deterministic_act(agent, drive, n):
    drive(agent, 40)
    obs = observations(n, seed=n)
    batch = agent.act_batch(obs, deterministic=True)
    check_actions(batch, n)
    np.testing.assert_array_equal(batch, np.stack([agent.act(o, deterministic=True) for o in obs]))


def test_stochastic_act_batch_draws_noise_in_row_order(make_agent, drive):
    a, b = make_agent(), make_agent()
    drive(a, 40)
    drive(b, 40)
    obs = observations(20)
    np.testing.assert_array_equal(a.act_batch(obs), np.stack([b.act(o) for o in obs]))


def test_act_batch_of_zero_observations_is_empty(agent):
    actions = agent.act_batch(np.zeros((0, OBS_DIM), dtype=np.float32))
    assert actions.shape == (0, ACTION_DIM) and actions.dtype == np.float32


# -- observing and learning ----------------------------------------------------------------------


def test_observe_increments_env_steps_and_replay_size(agent):
    assert (agent.env_steps, agent.replay_size, agent.gradient_steps) == (0, 0, 0)
    for i, (obs, reward, next_obs, terminated) in enumerate(random_transitions(OBS_DIM, ACTION_DIM, 5, seed=1)):
        agent.observe(obs, agent.act(obs), reward, next_obs, terminated, truncated=(i == 2))
        assert agent.env_steps == i + 1
        assert agent.replay_size == i + 1
    assert agent.gradient_steps == 0


def test_replay_size_stops_at_the_capacity_while_env_steps_keeps_counting(make_agent):
    agent = make_agent(replay_capacity=16)
    for obs, reward, next_obs, terminated in random_transitions(OBS_DIM, ACTION_DIM, 40, seed=1):
        agent.observe(obs, [0.0, 1.0], reward, next_obs, terminated)
    assert agent.replay_size == 16
    assert agent.env_steps == 40


def test_observe_accepts_out_of_range_actions_by_clipping(agent):
    agent.observe([0.0] * 3, [-100.0, 100.0], 1.0, [0.0] * 3, False)
    assert agent.replay_size == 1


def test_update_returns_finite_stats_and_counts_gradient_steps(agent, drive):
    drive(agent, 15)  # one short of batch_size: no update yet
    assert agent.gradient_steps == 0
    agent.observe([0.0] * 3, [0.0, 1.0], 0.0, [0.0] * 3, True)
    stats = agent.update()
    assert isinstance(stats, libsac.Stats)
    values = dataclasses.asdict(stats)
    assert set(values) == {"critic_loss", "actor_loss", "alpha", "alpha_loss", "entropy", "mean_q", "value_loss"}
    assert stats.value_loss == 0.0  # continuous SAC (v2) has no value network
    assert all(isinstance(v, float) and math.isfinite(v) for v in values.values()), values
    assert stats.critic_loss >= 0.0
    assert 0.0 < stats.alpha <= 1.0  # initial_alpha 1.0, one Adam step on log(alpha)
    assert agent.gradient_steps == 1
    agent.update(5)
    assert agent.gradient_steps == 6
    assert agent.env_steps == 16


@pytest.mark.parametrize("algorithm", ["continuous", "continuous_v1", "discrete", "soft_q"])
@pytest.mark.parametrize("threads", [2, 3, 4])
def test_several_threads_train_exactly_like_one(make_agent, drive, algorithm, threads):
    one, many = make_agent(algorithm=algorithm, seed=5), make_agent(algorithm=algorithm, seed=5)
    many.set_threads(threads)
    _, stats_one = drive(one, 40)
    _, stats_many = drive(many, 40)
    assert stats_many == stats_one and len(stats_one) > 0
    assert many.to_json(kind="checkpoint") == one.to_json(kind="checkpoint")
    many.set_threads(1)


@pytest.mark.parametrize("bad", [0, 65, -1, 2.0, True, None])
def test_set_threads_rejects_anything_but_1_to_64(agent, bad):
    with pytest.raises((libsac.InvalidArgumentError, ValueError)) as excinfo:
        agent.set_threads(bad)
    assert "threads" in str(excinfo.value)


def test_fixed_alpha_stays_put_and_has_zero_alpha_loss(make_agent, drive):
    agent = make_agent(auto_alpha=False, initial_alpha=0.2)
    _, stats = drive(agent, 40)
    assert len(stats) == 25
    assert len({s.alpha for s in stats}) == 1
    # alpha is stored as log(alpha): exp(log(0.2)) in float32 is within one ulp of 0.2
    assert abs(stats[0].alpha - 0.2) <= 2e-8
    assert all(s.alpha_loss == 0.0 for s in stats)


def test_training_changes_the_policy(agent, drive):
    obs = observations(5)
    before = agent.act_batch(obs, deterministic=True)
    drive(agent, 60)
    assert not np.array_equal(agent.act_batch(obs, deterministic=True), before)


def test_same_seed_and_same_calls_give_identical_actions_and_stats(make_agent, drive):
    a, b, other = make_agent(), make_agent(), make_agent(seed=8)
    actions_a, stats_a = drive(a, 120, seed=5)
    actions_b, stats_b = drive(b, 120, seed=5)
    actions_o, _ = drive(other, 120, seed=5)
    assert len(stats_a) == 105
    np.testing.assert_array_equal(actions_a, actions_b)
    assert stats_a == stats_b
    assert a.to_json() == b.to_json()
    assert not np.array_equal(actions_a, actions_o)


# -- saving and loading --------------------------------------------------------------------------


@pytest.fixture
def trained(agent, drive):
    drive(agent, 80)
    return agent


@pytest.mark.parametrize("kind", ["checkpoint", "policy"])
def test_save_load_save_gives_identical_files(tmp_path, trained, kind):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    trained.save(first, kind)
    with libsac.Agent.load(first) as loaded:
        loaded.save(second, kind)
        assert loaded.config == trained.config
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text(encoding="utf-8") == trained.to_json(kind)


@pytest.mark.parametrize("kind", ["checkpoint", "policy"])
def test_to_json_from_json_round_trip(trained, kind):
    text = trained.to_json(kind)
    for source in (text, text.encode("utf-8")):
        with libsac.Agent.from_json(source) as loaded:
            assert loaded.to_json(kind) == text
            assert loaded.config == trained.config


def test_save_accepts_str_and_pathlike(tmp_path, trained):
    trained.save(str(tmp_path / "a.json"))
    trained.save(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_save_replaces_an_existing_file_atomically(tmp_path, trained):
    path = tmp_path / "agent.json"
    path.write_text("old contents")
    trained.save(path, "policy")
    assert path.read_text() == trained.to_json("policy")
    assert [p.name for p in tmp_path.iterdir()] == ["agent.json"]  # no temporary file left behind


def test_loaded_policy_acts_bit_identically(tmp_path, trained):
    trained.save(tmp_path / "policy.json", "policy")
    obs = observations(30, scale=3.0)
    with libsac.Agent.load(tmp_path / "policy.json") as policy:
        np.testing.assert_array_equal(policy.act_batch(obs, deterministic=True),
                                      trained.act_batch(obs, deterministic=True))
        for o in obs[:5]:
            np.testing.assert_array_equal(policy.act(o, deterministic=True), trained.act(o, deterministic=True))


def test_policy_only_agent_cannot_learn(tmp_path, trained):
    with libsac.Agent.from_json(trained.to_json("policy")) as policy:
        for call in (lambda: policy.update(), lambda: policy.update(3),
                     lambda: policy.observe([0.0] * 3, [0.0, 1.0], 1.0, [0.0] * 3, False),
                     lambda: policy.to_json("checkpoint"), lambda: policy.save(tmp_path / "c.json"),
                     lambda: policy.save_replay(tmp_path / "r.replay")):
            with pytest.raises(libsac.PolicyOnlyError) as excinfo:
                call()
            assert excinfo.value.status == -9 and excinfo.value.status_name == "SAC_ERR_POLICY_ONLY"
            assert "policy" in excinfo.value.message
        assert policy.replay_size == 0
        check_actions(policy.act(observations(1)[0]))  # it can still act (stochastically too)
    assert not (tmp_path / "c.json").exists() and not (tmp_path / "r.replay").exists()


def test_checkpoint_and_replay_continue_training_bit_identically(tmp_path, trained, drive):
    trained.save(tmp_path / "agent.json")
    trained.save_replay(tmp_path / "agent.replay")
    with libsac.Agent.load(tmp_path / "agent.json") as resumed:
        assert resumed.env_steps == trained.env_steps
        assert resumed.gradient_steps == trained.gradient_steps
        assert resumed.replay_size == 0
        resumed.load_replay(tmp_path / "agent.replay")
        assert resumed.replay_size == trained.replay_size
        actions_a, stats_a = drive(trained, 30, seed=11)
        actions_b, stats_b = drive(resumed, 30, seed=11)
        np.testing.assert_array_equal(actions_a, actions_b)
        assert stats_a == stats_b
        assert resumed.to_json() == trained.to_json()


def test_save_replay_load_replay_round_trip(tmp_path, trained, make_agent):
    trained.save_replay(tmp_path / "first.replay")
    fresh = make_agent(seed=99, learning_starts=0)  # learns from the file alone, no warm-up
    fresh.load_replay(tmp_path / "first.replay")
    assert fresh.replay_size == trained.replay_size == 80
    assert fresh.env_steps == 0  # counters belong to the checkpoint, not the replay file
    fresh.save_replay(tmp_path / "second.replay")
    assert (tmp_path / "first.replay").read_bytes() == (tmp_path / "second.replay").read_bytes()
    fresh.update()  # enough transitions to learn from


def test_replay_file_layout_matches_the_documented_header(tmp_path, trained):
    path = tmp_path / "agent.replay"
    trained.save_replay(path)
    data = path.read_bytes()
    assert data[:8] == b"SACRPLY\0"
    header = np.frombuffer(data[8:24], dtype="<u4")
    assert list(header) == [1, OBS_DIM, ACTION_DIM, 0]
    capacity, count, _next_slot = np.frombuffer(data[24:48], dtype="<u8")
    assert (capacity, count) == (4096, 80)
    record = OBS_DIM + ACTION_DIM + 1 + OBS_DIM + 1
    assert len(data) == 48 + count * record * 4 + 8


def test_loading_a_smaller_replay_buffer_keeps_the_newest_transitions(tmp_path, trained, make_agent):
    trained.save_replay(tmp_path / "agent.replay")
    small = make_agent(replay_capacity=32)
    small.load_replay(tmp_path / "agent.replay")
    assert small.replay_size == 32


# -- Gymnasium spaces ----------------------------------------------------------------------------


def test_from_env_sizes_the_agent_for_pendulum():
    gymnasium = pytest.importorskip("gymnasium")
    env = gymnasium.make("Pendulum-v1")
    try:
        with libsac.Agent.from_env(env, hidden_sizes=(16, 16), batch_size=16, replay_capacity=64, seed=3) as agent:
            config = agent.config
            assert config.obs_dim == 3 and config.action_dim == 1
            assert config.action_low == [-2.0] and config.action_high == [2.0]
            assert config.hidden_sizes == (16, 16) and config.seed == 3
            obs, _ = env.reset(seed=0)
            action = agent.act(obs)
            assert action.shape == (1,) and -2.0 <= action[0] <= 2.0
            env.step(action)
    finally:
        env.close()


def test_from_env_sizes_a_discrete_sac_agent_for_cartpole():
    gymnasium = pytest.importorskip("gymnasium")
    env = gymnasium.make("CartPole-v1")
    try:
        with libsac.Agent.from_env(env, hidden_sizes=(16,), batch_size=16, replay_capacity=64) as agent:
            config = agent.config
            assert config.algorithm == "discrete" and config.n_actions == 2
            assert config.obs_dim == 4 and config.action_dim == 0
            assert config.action_low is None and config.action_high is None
            obs, _ = env.reset(seed=0)
            action = agent.act(obs)
            assert type(action) is int and action in (0, 1)
            next_obs, reward, terminated, truncated, _ = env.step(action)
            agent.observe(obs, action, reward, next_obs, terminated, truncated)
            assert agent.replay_size == 1
        with libsac.Agent.from_env(env, algorithm="soft_q", hidden_sizes=(16,), replay_capacity=256) as agent:
            assert agent.config.algorithm == "soft_q" and agent.config.n_actions == 2
    finally:
        env.close()


def test_from_env_picks_continuous_sac_for_a_box_and_accepts_v1():
    gymnasium = pytest.importorskip("gymnasium")
    env = gymnasium.make("Pendulum-v1")
    try:
        for algorithm, expected in [(None, "continuous"), ("continuous_v1", "continuous_v1"),
                                    (libsac.Algorithm.CONTINUOUS_V1, "continuous_v1")]:
            overrides = {} if algorithm is None else {"algorithm": algorithm}
            with libsac.Agent.from_env(env, hidden_sizes=(16,), replay_capacity=256, **overrides) as agent:
                assert agent.config.algorithm == expected
                assert agent.config.action_low == [-2.0] and agent.config.n_actions == 0
    finally:
        env.close()


@pytest.mark.parametrize("env_id, algorithm, needle", [
    ("CartPole-v1", "continuous", "Box"),
    ("CartPole-v1", "continuous_v1", "Box"),
    ("Pendulum-v1", "discrete", "Discrete"),
    ("Pendulum-v1", "soft_q", "Discrete"),
    ("CartPole-v1", "dqn", "'soft_q'"),
])
def test_from_env_refuses_an_algorithm_that_does_not_fit_the_action_space(env_id, algorithm, needle):
    gymnasium = pytest.importorskip("gymnasium")
    env = gymnasium.make(env_id)
    try:
        with pytest.raises(libsac.ConfigError) as excinfo:
            libsac.Agent.from_env(env, algorithm=algorithm)
        assert needle in excinfo.value.message and algorithm in excinfo.value.message
    finally:
        env.close()


class _Spaces:
    """A stand-in environment: only the two spaces `from_env` reads."""

    def __init__(self, observation_space, action_space):
        self.observation_space, self.action_space = observation_space, action_space


def test_from_env_refuses_a_discrete_space_that_does_not_start_at_zero():
    gymnasium = pytest.importorskip("gymnasium")
    box = gymnasium.spaces.Box(-1.0, 1.0, (3,))
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Agent.from_env(_Spaces(box, gymnasium.spaces.Discrete(4, start=1)))
    assert "start" in excinfo.value.message and "0 .. n-1" in excinfo.value.message
    with libsac.Agent.from_env(_Spaces(box, gymnasium.spaces.Discrete(4, start=0)), replay_capacity=256) as agent:
        assert agent.config.n_actions == 4


def test_from_env_refuses_other_action_spaces():
    gymnasium = pytest.importorskip("gymnasium")
    box = gymnasium.spaces.Box(-1.0, 1.0, (3,))
    for space in (gymnasium.spaces.MultiDiscrete([2, 3]), gymnasium.spaces.MultiBinary(2),
                  gymnasium.spaces.Box(-1.0, 1.0, (2, 2))):
        with pytest.raises(libsac.ConfigError) as excinfo:
            libsac.Agent.from_env(_Spaces(box, space))
        assert "Box" in excinfo.value.message and "Discrete" in excinfo.value.message


def test_from_env_rejects_unknown_overrides():
    gymnasium = pytest.importorskip("gymnasium")
    env = gymnasium.make("Pendulum-v1")
    try:
        with pytest.raises(libsac.ConfigError) as excinfo:
            libsac.Agent.from_env(env, hidden=(16,))
        assert "hidden" in excinfo.value.message
    finally:
        env.close()
