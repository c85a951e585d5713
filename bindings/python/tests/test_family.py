"""The SAC family through the binding: Config.algorithm and the resolved defaults of every member,
discrete agents (discrete SAC, soft Q-learning) acting with int indices, SAC-v1, the wrong kind of
call, and saving/loading every member."""
import ctypes
import dataclasses
import json
import math

import numpy as np
import pytest

import libsac
from conftest import ACTION_DIM, ALGORITHMS, DISCRETE_ALGORITHMS, N_ACTIONS, OBS_DIM, STATUS_OF, family_config
from libsac._native import lib, sac_config

OK_OBS = [0.1, -0.2, 0.3]


def observations(n, seed=3, scale=1.0):
    return (np.random.default_rng(seed).standard_normal((n, OBS_DIM)) * scale).astype(np.float32)


def f32(value):
    return float(np.float32(value))


# -- Algorithm and Config ------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("continuous", libsac.Algorithm.CONTINUOUS),
    ("continuous_v1", libsac.Algorithm.CONTINUOUS_V1),
    ("discrete", libsac.Algorithm.DISCRETE),
    ("soft_q", libsac.Algorithm.SOFT_Q),
    ("Soft-Q", libsac.Algorithm.SOFT_Q),
    ("CONTINUOUS_V1", libsac.Algorithm.CONTINUOUS_V1),
    ("discrete_sac", libsac.Algorithm.DISCRETE),  # the JSON files' "algorithm" names
    ("soft_q_learning", libsac.Algorithm.SOFT_Q),
    ("continuous_sac_v1", libsac.Algorithm.CONTINUOUS_V1),
    (0, libsac.Algorithm.CONTINUOUS),  # the C enum values
    (1, libsac.Algorithm.CONTINUOUS_V1),
    (np.int32(2), libsac.Algorithm.DISCRETE),
    (3, libsac.Algorithm.SOFT_Q),
    (libsac.Algorithm.SOFT_Q, libsac.Algorithm.SOFT_Q),
], ids=repr)
def test_config_algorithm_accepts_names_members_and_c_values(value, expected):
    config = libsac.Config(algorithm=value)
    assert config.algorithm is expected
    assert config == libsac.Config(algorithm=expected.value)


def test_algorithm_members_are_their_names_and_know_their_c_values():
    assert [a.value for a in libsac.Algorithm] == ALGORITHMS
    assert [a.code for a in libsac.Algorithm] == [0, 1, 2, 3]
    assert [a.is_discrete for a in libsac.Algorithm] == [False, False, True, True]
    assert libsac.Algorithm.DISCRETE == "discrete" and str(libsac.Algorithm.DISCRETE) == "discrete"
    assert f"{libsac.Algorithm.SOFT_Q}" == "soft_q"
    assert json.dumps(dataclasses.asdict(libsac.Config(algorithm="soft_q")))  # serialisable as a string


@pytest.mark.parametrize("value", ["dqn", "", "sac", 4, -1, True, None, 2.0], ids=repr)
def test_unknown_algorithm_is_a_config_error_listing_the_names(value):
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Config(algorithm=value)
    assert repr(value) in excinfo.value.message
    for name in ALGORITHMS:
        assert repr(name) in excinfo.value.message
    assert excinfo.value.status_name == "SAC_ERR_INVALID_CONFIG"


def test_an_algorithm_assigned_after_construction_is_checked_when_the_agent_is_created(small_config):
    config = dataclasses.replace(small_config)
    config.algorithm = "bogus"
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Agent(config)
    assert "bogus" in excinfo.value.message
    config.algorithm = "continuous_v1"  # a plain string works too
    with libsac.Agent(config) as agent:
        assert agent.config.algorithm is libsac.Algorithm.CONTINUOUS_V1


@pytest.mark.parametrize("config", [
    libsac.Config(),
    libsac.Config(initial_alpha=0.3, auto_alpha=False, target_entropy=-1.5),
    libsac.Config(auto_alpha=True),
    libsac.Config(algorithm="discrete", n_actions=5, target_entropy_scale=0.5),
    libsac.Config(algorithm="soft_q", n_actions=7, initial_alpha=0.1),
], ids=["defaults", "explicit", "auto", "discrete", "soft_q"])
def test_config_round_trips_through_the_c_struct(config):
    c = config.to_c()
    assert libsac.Config.from_c(c) == config
    assert math.isnan(c.initial_alpha) == (config.initial_alpha is None)
    assert c.auto_alpha == {None: -1, False: 0, True: 1}[config.auto_alpha]
    assert c.algorithm == config.algorithm.code
    assert c.n_actions == config.n_actions
    assert np.float32(c.target_entropy_scale) == np.float32(config.target_entropy_scale)


# alpha, auto_alpha and target entropy each algorithm resolves when they are left at None
RESOLVED = {
    "continuous": (1.0, True, -float(ACTION_DIM)),
    "continuous_v1": (0.2, False, -float(ACTION_DIM)),
    "discrete": (1.0, True, f32(0.98 * math.log(N_ACTIONS))),
    "soft_q": (0.05, False, f32(0.98 * math.log(N_ACTIONS))),
}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_agent_config_holds_the_resolved_defaults_of_every_algorithm(small_config, make_agent, algorithm):
    requested = family_config(small_config, algorithm)
    assert requested.initial_alpha is None and requested.auto_alpha is None and requested.target_entropy is None
    config = make_agent(algorithm=algorithm).config
    alpha, learned, target_entropy = RESOLVED[algorithm]
    assert config.algorithm == algorithm
    assert config.initial_alpha == alpha
    assert config.auto_alpha is learned
    assert config.target_entropy == pytest.approx(target_entropy, abs=1e-6)
    assert config == dataclasses.replace(requested, initial_alpha=config.initial_alpha, auto_alpha=learned,
                                         target_entropy=config.target_entropy)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_resolved_config_creates_the_same_agent_again(make_agent, algorithm):
    agent = make_agent(algorithm=algorithm)
    with libsac.Agent(agent.config) as again:
        assert again.config == agent.config
        assert again.to_json() == agent.to_json()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_resolved_config_matches_sac_agent_config(make_agent, algorithm):
    agent = make_agent(algorithm=algorithm)
    c = sac_config()
    assert lib.sac_agent_config(agent._live, ctypes.byref(c), ctypes.sizeof(c)) == 0
    assert c.algorithm == libsac.Algorithm(algorithm).code
    assert c.auto_alpha in (0, 1) and not math.isnan(c.initial_alpha) and not math.isnan(c.target_entropy)
    assert libsac.Config.from_c(c) == agent.config


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_explicit_alpha_settings_are_kept(make_agent, algorithm):
    overrides = dict(initial_alpha=0.3, auto_alpha=algorithm != "soft_q", target_entropy=-0.25)
    config = make_agent(algorithm=algorithm, **overrides).config
    assert (config.initial_alpha, config.auto_alpha, config.target_entropy) == (0.3, overrides["auto_alpha"], -0.25)


def test_discrete_target_entropy_scale_sets_the_default_target_entropy(make_agent):
    config = make_agent(algorithm="discrete", target_entropy_scale=0.5).config
    assert config.target_entropy_scale == 0.5
    assert config.target_entropy == pytest.approx(0.5 * math.log(N_ACTIONS), abs=1e-6)


@pytest.mark.parametrize("algorithm, overrides, needles", [
    ("soft_q", dict(auto_alpha=True), ["auto_alpha", "SAC_ALGO_SOFT_Q"]),
    ("discrete", dict(action_dim=2), ["action_dim", "SAC_ALGO_DISCRETE"]),
    ("discrete", dict(n_actions=1), ["n_actions", "1"]),
    ("soft_q", dict(n_actions=0), ["n_actions", "0"]),
    ("discrete", dict(n_actions=65537), ["n_actions", "65537"]),
    ("continuous", dict(n_actions=3), ["n_actions", "SAC_ALGO_CONTINUOUS"]),
    ("continuous_v1", dict(n_actions=3), ["n_actions"]),
    ("discrete", dict(target_entropy_scale=0.0), ["target_entropy_scale"]),
    ("discrete", dict(target_entropy_scale=1.5), ["target_entropy_scale"]),
    ("discrete", dict(initial_alpha=-1.0), ["initial_alpha"]),
], ids=lambda v: str(v))
def test_invalid_family_settings_are_config_errors_naming_the_field(make_agent, algorithm, overrides, needles):
    with pytest.raises(libsac.ConfigError) as excinfo:
        make_agent(algorithm=algorithm, **overrides)
    for needle in needles:
        assert needle in excinfo.value.message
    assert "sac_agent_create" in excinfo.value.message


def test_n_actions_that_ctypes_would_wrap_is_refused():
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Agent(obs_dim=3, algorithm="discrete", n_actions=-2)
    assert "n_actions" in excinfo.value.message and "-2" in excinfo.value.message


def test_discrete_config_has_no_action_bounds(discrete_agent):
    config = discrete_agent.config
    assert config.action_dim == 0 and config.n_actions == N_ACTIONS
    assert config.action_low is None and config.action_high is None


# -- discrete agents: acting and observing -------------------------------------------------------


def test_discrete_act_returns_a_python_int_in_range(discrete_agent, drive):
    obs = observations(40)
    for o in obs:  # warm-up
        action = discrete_agent.act(o)
        assert type(action) is int and 0 <= action < N_ACTIONS
    drive(discrete_agent, 40)  # past learning_starts: the policy acts
    for o in np.concatenate([obs, observations(20, seed=4, scale=1e4)]):
        for deterministic in (False, True):
            action = discrete_agent.act(o, deterministic=deterministic)
            assert type(action) is int and 0 <= action < N_ACTIONS


def test_discrete_warm_up_actions_are_uniform_over_every_index(discrete_agent):
    counts = np.bincount([discrete_agent.act(o) for o in observations(600)], minlength=N_ACTIONS)
    assert len(counts) == N_ACTIONS
    assert np.all(counts > 150), counts  # 200 expected per action


def test_discrete_act_batch_returns_int32_indices_equal_to_row_wise_act(discrete_agent, drive):
    drive(discrete_agent, 40)
    for n in (0, 1, 7, 16, 50):  # batch_size is 16
        obs = observations(n, seed=n, scale=3.0)
        batch = discrete_agent.act_batch(obs, deterministic=True)
        assert batch.dtype == np.int32 and batch.shape == (n,)
        assert list(batch) == [discrete_agent.act(o, deterministic=True) for o in obs]
        stochastic = discrete_agent.act_batch(obs)
        assert stochastic.dtype == np.int32 and stochastic.shape == (n,)
        assert np.all((stochastic >= 0) & (stochastic < N_ACTIONS))


@pytest.mark.parametrize("algorithm", DISCRETE_ALGORITHMS)
def test_discrete_stochastic_act_is_reproducible_and_act_batch_draws_in_row_order(make_agent, drive, algorithm):
    a, b, c = (make_agent(algorithm=algorithm) for _ in range(3))
    for agent in (a, b, c):
        drive(agent, 40)
    obs = observations(30)
    samples = [a.act(o) for o in obs]
    assert samples == [b.act(o) for o in obs]
    assert list(c.act_batch(obs)) == samples


def test_discrete_deterministic_act_is_repeatable(discrete_agent, drive):
    drive(discrete_agent, 60)
    obs = observations(20)
    first = [discrete_agent.act(o, deterministic=True) for o in obs]
    discrete_agent.act(obs[0])  # a stochastic call in between changes nothing
    assert [discrete_agent.act(o, deterministic=True) for o in obs] == first


@pytest.mark.parametrize("action", [0, 2, np.int64(1), np.int32(2), np.uint8(1), np.array(2), np.array(1, np.int16)],
                         ids=repr)
def test_discrete_observe_accepts_ints_and_numpy_integers(discrete_agent, action):
    discrete_agent.observe(OK_OBS, action, 1.0, OK_OBS, False)
    discrete_agent.observe(OK_OBS, action, 1.0, OK_OBS, True, truncated=True)
    assert discrete_agent.replay_size == 2 and discrete_agent.env_steps == 2


@pytest.mark.parametrize("action", [N_ACTIONS, -1, 100, 2 ** 31 - 1, 2 ** 31, -2 ** 31 - 1, 2 ** 40, np.int64(2 ** 33)],
                         ids=repr)
def test_discrete_observe_refuses_an_index_out_of_range_and_stores_nothing(discrete_agent, action):
    with pytest.raises(libsac.InvalidArgumentError) as excinfo:
        discrete_agent.observe(OK_OBS, action, 1.0, OK_OBS, False)
    error = excinfo.value
    assert f"action is {int(action)}" in error.message
    assert f"n_actions is {N_ACTIONS}" in error.message
    assert error.status == -8 and error.status_name == "SAC_ERR_INVALID_ARGUMENT"
    assert discrete_agent.replay_size == 0 and discrete_agent.env_steps == 0


def test_discrete_observe_checks_shapes_and_finiteness(discrete_agent):
    with pytest.raises(libsac.ShapeError) as excinfo:
        discrete_agent.observe([0.1, 0.2], 1, 1.0, OK_OBS, False)
    assert "sac_observe_discrete" in excinfo.value.message and "obs_len is 2" in excinfo.value.message
    with pytest.raises(libsac.ShapeError):
        discrete_agent.observe([OK_OBS], 1, 1.0, OK_OBS, False)
    for args, needle in [((OK_OBS, 1, math.nan, OK_OBS), "reward"), (([0.1, math.inf, 0.3], 1, 0.0, OK_OBS), "obs[1]"),
                         ((OK_OBS, 1, 0.0, [0.1, 0.2, math.nan]), "next_obs[2]")]:
        with pytest.raises(libsac.NonFiniteError) as excinfo:
            discrete_agent.observe(*args, False)
        assert needle in excinfo.value.message
    assert discrete_agent.replay_size == 0


def test_discrete_act_checks_shapes_and_finiteness(discrete_agent):
    with pytest.raises(libsac.ShapeError) as excinfo:
        discrete_agent.act([0.1, 0.2])
    assert "sac_act_discrete" in excinfo.value.message and "obs_len is 2" in excinfo.value.message
    with pytest.raises(libsac.ShapeError):
        discrete_agent.act([OK_OBS])
    with pytest.raises(libsac.ShapeError) as excinfo:
        discrete_agent.act_batch(np.zeros((2, OBS_DIM + 1)))
    assert "sac_act_discrete_batch" in excinfo.value.message
    with pytest.raises(libsac.NonFiniteError) as excinfo:
        discrete_agent.act([0.1, math.nan, 0.3])
    assert "obs[1]" in excinfo.value.message
    with pytest.raises(libsac.NonFiniteError) as excinfo:
        discrete_agent.act_batch([OK_OBS, [0.0, 0.0, math.inf]])
    assert "obs[5]" in excinfo.value.message


def test_discrete_update_learns_and_reports_stats(make_agent, drive):
    agent = make_agent(algorithm="discrete")
    obs = observations(10)
    before = agent.act_batch(obs, deterministic=True).copy()
    _, stats = drive(agent, 80)
    assert len(stats) == 65 and agent.gradient_steps == 65
    for s in stats:
        assert all(math.isfinite(v) for v in dataclasses.asdict(s).values()), s
        assert 0.0 < s.entropy <= math.log(N_ACTIONS) + 1e-6  # the exact entropy of a softmax over 3 actions
        assert s.value_loss == 0.0
    assert len({s.alpha for s in stats}) > 1  # alpha is learned
    assert agent.act_batch(obs, deterministic=True).shape == before.shape


def test_soft_q_has_no_actor_and_keeps_alpha_fixed(make_agent, drive):
    agent = make_agent(algorithm="soft_q")
    _, stats = drive(agent, 60)
    assert stats
    for s in stats:
        assert (s.actor_loss, s.alpha_loss, s.entropy, s.value_loss) == (0.0, 0.0, 0.0, 0.0)
        assert s.alpha == pytest.approx(0.05, rel=1e-6)
        assert math.isfinite(s.critic_loss) and math.isfinite(s.mean_q)


def test_continuous_v1_reports_a_value_loss_and_keeps_alpha_fixed(make_agent, drive):
    agent = make_agent(algorithm="continuous_v1")
    actions, stats = drive(agent, 60)
    assert actions.shape == (60, ACTION_DIM) and actions.dtype == np.float32
    assert stats and all(s.value_loss > 0.0 for s in stats)
    assert all(s.alpha == pytest.approx(0.2, rel=1e-6) and s.alpha_loss == 0.0 for s in stats)


def test_continuous_v1_can_learn_alpha_when_asked(make_agent, drive):
    _, stats = drive(make_agent(algorithm="continuous_v1", auto_alpha=True), 40)
    assert len({s.alpha for s in stats}) > 1


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_same_seed_gives_identical_runs_for_every_algorithm(make_agent, drive, algorithm):
    a, b = make_agent(algorithm=algorithm), make_agent(algorithm=algorithm)
    actions_a, stats_a = drive(a, 70, seed=5)
    actions_b, stats_b = drive(b, 70, seed=5)
    np.testing.assert_array_equal(actions_a, actions_b)
    assert stats_a == stats_b and len(stats_a) == 55
    assert a.to_json() == b.to_json()


def test_repr_names_the_algorithm_and_the_action_count(make_agent):
    assert repr(make_agent(algorithm="soft_q")).startswith("<libsac.Agent soft_q obs_dim=3 n_actions=3 ")
    assert repr(make_agent(algorithm="continuous_v1")).startswith("<libsac.Agent continuous_v1 obs_dim=3 action_dim=2 ")


# -- the wrong kind of call -----------------------------------------------------------------------


def check_wrong_algorithm(excinfo, function, algorithm):
    error = excinfo.value
    assert type(error) is libsac.WrongAlgorithmError
    assert isinstance(error, TypeError)
    assert (error.status, error.status_name) == STATUS_OF[libsac.WrongAlgorithmError]
    assert function in error.message and algorithm in error.message


@pytest.mark.parametrize("action", [[0.5], [1.0, 0.0], 1.0, np.array([1]), np.array([0.0, 1.0, 0.0])], ids=repr)
def test_a_float_action_vector_for_a_discrete_agent_is_the_wrong_algorithm(discrete_agent, action):
    with pytest.raises(libsac.WrongAlgorithmError) as excinfo:
        discrete_agent.observe(OK_OBS, action, 1.0, OK_OBS, False)
    name = "SAC_ALGO_DISCRETE" if discrete_agent.config.algorithm == "discrete" else "SAC_ALGO_SOFT_Q"
    check_wrong_algorithm(excinfo, "sac_observe", name)
    assert discrete_agent.replay_size == 0


@pytest.mark.parametrize("algorithm", ["continuous", "continuous_v1"])
@pytest.mark.parametrize("action", [1, np.int64(0), np.array(1), 2 ** 40], ids=repr)
def test_an_action_index_for_a_continuous_agent_is_the_wrong_algorithm(make_agent, algorithm, action):
    agent = make_agent(algorithm=algorithm)
    with pytest.raises(libsac.WrongAlgorithmError) as excinfo:
        agent.observe(OK_OBS, action, 1.0, OK_OBS, False)
    check_wrong_algorithm(excinfo, "sac_observe_discrete", "SAC_ALGO_CONTINUOUS")
    assert agent.replay_size == 0


def test_the_c_functions_of_the_other_kind_return_wrong_algorithm(make_agent):
    continuous, discrete = make_agent(), make_agent(algorithm="discrete")
    obs = np.array(OK_OBS, dtype=np.float32)
    action, index = np.zeros(ACTION_DIM, dtype=np.float32), ctypes.c_int32()
    indices = np.zeros(2, dtype=np.int32)
    assert lib.sac_act(discrete._live, obs.ctypes.data, OBS_DIM, 1, action.ctypes.data, 0) == -13
    assert lib.sac_act_batch(discrete._live, obs.ctypes.data, 1, OBS_DIM, 1, action.ctypes.data, 0) == -13
    assert lib.sac_act_discrete(continuous._live, obs.ctypes.data, OBS_DIM, 1, ctypes.addressof(index)) == -13
    assert lib.sac_act_discrete_batch(continuous._live, obs.ctypes.data, 1, OBS_DIM, 1, indices.ctypes.data, 1) == -13
    assert "sac_act_discrete_batch" in lib.sac_last_error().decode()


# -- saving and loading every member of the family ---------------------------------------------


@pytest.fixture(params=ALGORITHMS)
def trained_member(request, make_agent, drive):
    agent = make_agent(algorithm=request.param)
    drive(agent, 80)
    return agent


@pytest.mark.parametrize("kind", ["checkpoint", "policy"])
def test_save_load_round_trip_of_every_algorithm(tmp_path, trained_member, kind):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    trained_member.save(first, kind)
    with libsac.Agent.load(first) as loaded:
        assert loaded.config == trained_member.config
        assert loaded.config.algorithm == trained_member.config.algorithm
        loaded.save(second, kind)
        obs = observations(25, scale=3.0)
        expected = trained_member.act_batch(obs, deterministic=True)
        np.testing.assert_array_equal(loaded.act_batch(obs, deterministic=True), expected)
        assert loaded.act_batch(obs).dtype == expected.dtype
        for o, e in zip(obs[:5], expected):
            np.testing.assert_array_equal(loaded.act(o, deterministic=True), e)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert text == trained_member.to_json(kind)
    data = json.loads(text)
    assert data["format_version"] == 3 and data["kind"] == kind
    assert libsac.Algorithm.parse(data["algorithm"]) == trained_member.config.algorithm


@pytest.mark.parametrize("kind", ["checkpoint", "policy"])
def test_to_json_from_json_round_trip_of_every_algorithm(trained_member, kind):
    text = trained_member.to_json(kind)
    with libsac.Agent.from_json(text) as loaded:
        assert loaded.to_json(kind) == text
        assert loaded.config == trained_member.config


def test_policy_only_agents_of_every_algorithm_act_but_cannot_learn(trained_member):
    with libsac.Agent.from_json(trained_member.to_json("policy")) as policy:
        action = trained_member.act(OK_OBS)
        with pytest.raises(libsac.PolicyOnlyError):
            policy.observe(OK_OBS, action, 1.0, OK_OBS, False)
        with pytest.raises(libsac.PolicyOnlyError):
            policy.update()
        assert type(policy.act(OK_OBS)) is type(action)


@pytest.mark.parametrize("algorithm", DISCRETE_ALGORITHMS)
@pytest.mark.parametrize("n_actions", [2, N_ACTIONS, 100])
def test_discrete_replay_file_round_trip(tmp_path, make_agent, algorithm, n_actions):
    agent = make_agent(algorithm=algorithm, n_actions=n_actions)
    for i in range(20):
        agent.observe(OK_OBS, i % n_actions, float(i), OK_OBS, i % 7 == 6)
    agent.save_replay(tmp_path / "first.replay")
    fresh = make_agent(algorithm=algorithm, n_actions=n_actions, seed=99)
    fresh.load_replay(tmp_path / "first.replay")
    assert fresh.replay_size == 20
    fresh.save_replay(tmp_path / "second.replay")
    data = (tmp_path / "first.replay").read_bytes()
    assert data == (tmp_path / "second.replay").read_bytes()
    header = np.frombuffer(data[8:24], dtype="<u4")
    assert list(header) == [1, OBS_DIM, 1, n_actions]  # version, obs_dim, one stored index, n_actions


def test_replay_files_of_the_other_kind_or_another_n_actions_are_format_errors(tmp_path, make_agent):
    continuous = make_agent(action_dim=1, action_low=[-1.0], action_high=[1.0])
    for _ in range(5):
        continuous.observe(OK_OBS, [0.37], 1.0, OK_OBS, False)
    continuous.save_replay(tmp_path / "continuous.replay")
    discrete = make_agent(algorithm="discrete")
    discrete.observe(OK_OBS, 2, 1.0, OK_OBS, False)
    discrete.save_replay(tmp_path / "discrete.replay")
    for agent, path in [(discrete, "continuous.replay"), (continuous, "discrete.replay"),
                        (make_agent(algorithm="discrete", n_actions=4), "discrete.replay")]:
        size = agent.replay_size
        with pytest.raises(libsac.FormatError) as excinfo:
            agent.load_replay(tmp_path / path)
        assert "sac_load_replay" in excinfo.value.message and "n_actions" in excinfo.value.message
        assert agent.replay_size == size


def test_checkpoint_and_replay_continue_every_algorithm_bit_identically(tmp_path, trained_member, drive):
    trained_member.save(tmp_path / "agent.json")
    trained_member.save_replay(tmp_path / "agent.replay")
    with libsac.Agent.load(tmp_path / "agent.json") as resumed:
        resumed.load_replay(tmp_path / "agent.replay")
        assert (resumed.env_steps, resumed.gradient_steps, resumed.replay_size) == \
            (trained_member.env_steps, trained_member.gradient_steps, trained_member.replay_size)
        actions_a, stats_a = drive(trained_member, 30, seed=11)
        actions_b, stats_b = drive(resumed, 30, seed=11)
        np.testing.assert_array_equal(actions_a, actions_b)
        assert stats_a == stats_b
        assert resumed.to_json() == trained_member.to_json()


def test_soft_q_policy_file_holds_the_critics_instead_of_an_actor(make_agent):
    data = json.loads(make_agent(algorithm="soft_q").to_json("policy"))
    assert data["algorithm"] == "soft_q_learning"
    assert "actor" not in data and "critics" in data
    assert data["config"]["n_actions"] == N_ACTIONS and data["config"]["action_dim"] == 0
