"""Every bad input raises the right SacError subclass, with a message naming the argument and the
C status code attached; failing calls change nothing; closed agents never crash."""
import json
import math

import numpy as np
import pytest

import libsac
from conftest import ACTION_DIM, OBS_DIM, STATUS_OF

OK_OBS = [0.1, -0.2, 0.3]
OK_ACTION = [0.0, 1.0]


def check_error(excinfo, cls, *needles):
    """The exception is a `cls`, its message names every needle, and it carries `cls`'s status."""
    error = excinfo.value
    assert type(error) is cls, f"expected {cls.__name__}, got {type(error).__name__}: {error}"
    assert isinstance(error, libsac.SacError)
    for needle in needles:
        assert needle in error.message, f"{needle!r} not in message {error.message!r}"
        assert needle in str(error)
    status, name = STATUS_OF[cls]
    assert error.status == status, f"{cls.__name__} {error.message!r} has status {error.status!r}, expected {status}"
    assert error.status_name == name
    assert name in str(error)


# -- act, act_batch, observe: shapes ---------------------------------------------------------


@pytest.mark.parametrize("obs, needles", [
    ([0.1, 0.2], ["obs_len", "2", "obs_dim 3"]),
    ([0.1, 0.2, 0.3, 0.4], ["obs_len", "4", "obs_dim 3"]),
    ([], ["obs_len", "0"]),
    (np.zeros((2, 3)), ["obs"]),  # two observations: that is act_batch's job
    (np.zeros((1, 3)), ["obs", "(1, 3)"]),  # one observation with a batch axis is still the wrong shape
], ids=["short", "long", "empty", "2x3", "1x3"])
def test_act_rejects_wrong_observation_shapes(agent, obs, needles):
    with pytest.raises(libsac.ShapeError) as excinfo:
        agent.act(obs)
    check_error(excinfo, libsac.ShapeError, *needles)


@pytest.mark.parametrize("shape", [(OBS_DIM,), (2, 1, OBS_DIM)], ids=["1-D", "3-D"])
def test_act_batch_rejects_input_that_is_not_two_dimensional(agent, shape):
    with pytest.raises(libsac.SacError) as excinfo:
        agent.act_batch(np.zeros(shape, dtype=np.float32))
    # A shape that disagrees with the agent's dimensions is SAC_ERR_LENGTH, exactly as `act` reports
    # a batch axis on a single observation.
    check_error(excinfo, libsac.ShapeError, "obs", str(shape))


def test_act_batch_rejects_wrong_width(agent):
    with pytest.raises(libsac.ShapeError) as excinfo:
        agent.act_batch(np.zeros((4, OBS_DIM + 1), dtype=np.float32))
    check_error(excinfo, libsac.ShapeError, "sac_act_batch", "obs_len", "obs_dim 3")


@pytest.mark.parametrize("kwargs, needles", [
    (dict(obs=[0.1, 0.2]), ["sac_observe", "obs_len is 2", "obs_dim 3"]),
    (dict(action=[0.5]), ["sac_observe", "action_len is 1", "action_dim 2"]),
    (dict(action=[0.5, 0.5, 0.5]), ["sac_observe", "action_len is 3", "action_dim 2"]),
    (dict(next_obs=[0.1, 0.2, 0.3, 0.4]), ["sac_observe", "next_obs_len is 4", "obs_dim 3"]),
], ids=["obs", "action-short", "action-long", "next_obs"])
def test_observe_rejects_wrong_shapes_and_stores_nothing(agent, kwargs, needles):
    args = dict(obs=OK_OBS, action=OK_ACTION, reward=1.0, next_obs=OK_OBS, terminated=False)
    args.update(kwargs)
    with pytest.raises(libsac.ShapeError) as excinfo:
        agent.observe(**args)
    check_error(excinfo, libsac.ShapeError, *needles)
    assert agent.replay_size == 0
    assert agent.env_steps == 0


@pytest.mark.parametrize("kwargs, needle", [
    (dict(obs=[OK_OBS]), "obs"),
    (dict(action=[OK_ACTION]), "action"),
    (dict(next_obs=np.array(OK_OBS).reshape(3, 1)), "next_obs"),
], ids=["obs-1x3", "action-1x2", "next_obs-3x1"])
def test_observe_rejects_batched_arrays_like_act_does(agent, kwargs, needle):
    # `act` refuses an observation of shape (1, obs_dim) although it holds obs_dim numbers; `observe`
    # must be as strict, or a vectorised environment's (1, n) arrays are stored silently.
    args = dict(obs=OK_OBS, action=OK_ACTION, reward=1.0, next_obs=OK_OBS, terminated=False)
    args.update(kwargs)
    with pytest.raises(libsac.ShapeError) as excinfo:
        agent.observe(**args)
    check_error(excinfo, libsac.ShapeError, needle)
    assert agent.replay_size == 0


# -- non-finite inputs -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_act_rejects_non_finite_observations_without_advancing_the_random_state(make_agent, bad):
    agent, twin = make_agent(), make_agent()
    with pytest.raises(libsac.NonFiniteError) as excinfo:
        agent.act([0.1, bad, 0.3])
    check_error(excinfo, libsac.NonFiniteError, "sac_act", "obs[1]")
    with pytest.raises(libsac.NonFiniteError) as excinfo:
        agent.act_batch([OK_OBS, [0.1, 0.2, bad]])
    check_error(excinfo, libsac.NonFiniteError, "sac_act_batch", "obs[5]")
    # The failed calls drew no noise: the next stochastic actions match an agent that never saw them.
    for _ in range(3):
        np.testing.assert_array_equal(agent.act(OK_OBS), twin.act(OK_OBS))


@pytest.mark.parametrize("field, bad, needle", [
    ("obs", math.nan, "obs[2]"),
    ("obs", math.inf, "obs[2]"),
    ("action", math.nan, "action[1]"),
    ("action", -math.inf, "action[1]"),
    ("reward", math.nan, "reward"),
    ("reward", math.inf, "reward"),
    ("reward", 1e39, "reward"),  # finite in Python, but overflows float32
    ("next_obs", math.nan, "next_obs[2]"),
    ("next_obs", -math.inf, "next_obs[2]"),
], ids=lambda v: str(v))
def test_observe_rejects_non_finite_inputs_and_stores_nothing(agent, field, bad, needle):
    args = dict(obs=list(OK_OBS), action=list(OK_ACTION), reward=1.0, next_obs=list(OK_OBS), terminated=False)
    if field == "reward":
        args["reward"] = bad
    else:
        args[field][-1] = bad
    agent.observe(OK_OBS, OK_ACTION, 0.5, OK_OBS, False)  # one good transition first
    with pytest.raises(libsac.NonFiniteError) as excinfo:
        agent.observe(**args)
    check_error(excinfo, libsac.NonFiniteError, "sac_observe", needle)
    assert agent.replay_size == 1
    assert agent.env_steps == 1


# -- configuration -----------------------------------------------------------------------------


def config_kwargs(**changes):
    kwargs = dict(obs_dim=3, action_dim=1, hidden_sizes=(16,), batch_size=16, replay_capacity=64)
    kwargs.update(changes)
    return kwargs


@pytest.mark.parametrize("changes, needles", [
    (dict(obs_dim=0), ["sac_config.obs_dim", "0"]),
    (dict(action_dim=0), ["sac_config.action_dim", "0"]),
    (dict(action_dim=65, hidden_sizes=(4,)), ["sac_config.action_dim", "65"]),
    (dict(gamma=2.0), ["sac_config.gamma", "2"]),
    (dict(tau=0.0), ["sac_config.tau"]),
    (dict(batch_size=0), ["sac_config.batch_size"]),
    (dict(replay_capacity=8), ["sac_config.replay_capacity", "batch_size"]),
    (dict(initial_alpha=0.0), ["sac_config.initial_alpha"]),
    (dict(hidden_sizes=(16, 0)), ["sac_config.hidden_sizes[1]"]),
    (dict(action_low=[1.0], action_high=[-1.0]), ["sac_config.action_low[0]", "action_high[0]"]),
    (dict(action_low=[math.nan]), ["sac_config.action_low[0]", "finite"]),
], ids=["obs_dim-0", "action_dim-0", "action_dim-65", "gamma-2", "tau-0", "batch-0", "replay-below-batch",
        "alpha-0", "hidden-0-units", "low-above-high", "low-nan"])
def test_out_of_range_config_is_a_config_error_naming_the_field(changes, needles):
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Agent(**config_kwargs(**changes))
    check_error(excinfo, libsac.ConfigError, "sac_agent_create", *needles)


@pytest.mark.parametrize("changes, needles", [
    (dict(obs_dim=-1), ["obs_dim", "-1"]),
    (dict(batch_size=-16), ["batch_size", "-16"]),
    (dict(seed=-1), ["seed", "-1"]),
    (dict(hidden_sizes=(16, -3)), ["hidden_sizes[1]", "-3"]),
    (dict(obs_dim=2 ** 32), ["obs_dim", str(2 ** 32)]),
    (dict(obs_dim=2.5), ["obs_dim", "2.5"]),
], ids=["obs_dim-negative", "batch-negative", "seed-negative", "hidden-negative", "obs_dim-2^32", "obs_dim-float"])
def test_values_ctypes_would_wrap_are_refused_before_reaching_the_library(changes, needles):
    # -1 must not silently become 4294967295 (which the library would accept or try to allocate).
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Agent(**config_kwargs(**changes))
    check_error(excinfo, libsac.ConfigError, *needles)


@pytest.mark.parametrize("hidden", [(), (8,) * 9], ids=["empty", "9-layers"])
def test_hidden_sizes_must_have_one_to_eight_layers(hidden):
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Agent(**config_kwargs(hidden_sizes=hidden))
    check_error(excinfo, libsac.ConfigError, "hidden_sizes", str(len(hidden)))


@pytest.mark.parametrize("field", ["action_low", "action_high"])
def test_action_bounds_must_have_action_dim_values(field):
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Agent(**config_kwargs(action_dim=2, **{field: [-1.0]}))
    check_error(excinfo, libsac.ConfigError, field, "1", "action_dim is 2")


def test_more_than_64_action_dimensions_is_a_config_error_naming_the_limit():
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Agent(**config_kwargs(action_dim=65, action_low=[-1.0] * 65, action_high=[1.0] * 65))
    check_error(excinfo, libsac.ConfigError, "action_dim", "65", "64")


def test_unknown_override_keyword_is_a_config_error_naming_it():
    with pytest.raises(libsac.ConfigError) as excinfo:
        libsac.Agent(**config_kwargs(learning_rate=1e-3))
    check_error(excinfo, libsac.ConfigError, "learning_rate")


# -- update ----------------------------------------------------------------------------------


@pytest.mark.parametrize("learning_starts, missing", [(0, "batch_size = 16"), (16, "learning_starts = 16")])
def test_update_before_a_batch_is_stored_is_not_ready_and_changes_nothing(make_agent, learning_starts, missing):
    agent = make_agent(learning_starts=learning_starts)
    for _ in range(15):  # batch_size is 16
        agent.observe(OK_OBS, OK_ACTION, 1.0, OK_OBS, False)
    before = agent.to_json()
    with pytest.raises(libsac.NotReadyError) as excinfo:
        agent.update()
    check_error(excinfo, libsac.NotReadyError, "sac_update", "15", missing)
    assert agent.gradient_steps == 0
    assert agent.to_json() == before


def test_update_zero_steps_is_an_invalid_argument(agent):
    with pytest.raises(libsac.InvalidArgumentError) as excinfo:
        agent.update(0)
    check_error(excinfo, libsac.InvalidArgumentError, "gradient_steps", "0")


@pytest.mark.parametrize("steps", [-1, 1.5, 2 ** 32, True, "2"], ids=repr)
def test_update_with_a_step_count_that_is_not_a_uint32_is_an_invalid_argument(agent, steps):
    with pytest.raises(libsac.InvalidArgumentError) as excinfo:
        agent.update(steps)
    check_error(excinfo, libsac.InvalidArgumentError, "gradient_steps", repr(steps))
    assert agent.gradient_steps == 0


# -- JSON and files ----------------------------------------------------------------------------


@pytest.fixture
def checkpoint_text(agent):
    return agent.to_json("checkpoint")


def test_truncated_json_is_a_format_error(checkpoint_text):
    for cut in (1, 100, len(checkpoint_text) // 2, len(checkpoint_text) - 1):
        with pytest.raises(libsac.FormatError) as excinfo:
            libsac.Agent.from_json(checkpoint_text[:cut])
        check_error(excinfo, libsac.FormatError, "sac_from_json", "truncated")


@pytest.mark.parametrize("text", ["", "hello", "[1, 2, 3]", "{}", "null", "\x00\xff"], ids=repr)
def test_garbage_json_is_a_format_error(text):
    with pytest.raises(libsac.FormatError) as excinfo:
        libsac.Agent.from_json(text)
    check_error(excinfo, libsac.FormatError, "sac_from_json")


def test_trailing_data_after_the_json_is_a_format_error(checkpoint_text):
    with pytest.raises(libsac.FormatError) as excinfo:
        libsac.Agent.from_json(checkpoint_text + "{}")
    check_error(excinfo, libsac.FormatError, "sac_from_json")


@pytest.mark.parametrize("version", [0, 4, 99])  # 1 (libsac 0.1), 2 (0.2) and 3 (0.3) are known
def test_unknown_format_version_is_a_format_error_naming_the_key(checkpoint_text, version):
    data = json.loads(checkpoint_text)
    data["format_version"] = version
    with pytest.raises(libsac.FormatError) as excinfo:
        libsac.Agent.from_json(json.dumps(data))
    check_error(excinfo, libsac.FormatError, "$.format_version", str(version))


def test_wrong_weight_shape_is_a_format_error_naming_the_json_path(checkpoint_text):
    data = json.loads(checkpoint_text)
    data["actor"]["layers"][1]["weight"][3].pop()
    with pytest.raises(libsac.FormatError) as excinfo:
        libsac.Agent.from_json(json.dumps(data))
    check_error(excinfo, libsac.FormatError, "$.actor.layers[1].weight")


def test_missing_and_unknown_keys_are_format_errors_naming_the_key(checkpoint_text):
    data = json.loads(checkpoint_text)
    del data["config"]["gamma"]
    with pytest.raises(libsac.FormatError) as excinfo:
        libsac.Agent.from_json(json.dumps(data))
    check_error(excinfo, libsac.FormatError, "gamma")
    data = json.loads(checkpoint_text)
    data["config"]["learning_rate"] = 0.1
    with pytest.raises(libsac.FormatError) as excinfo:
        libsac.Agent.from_json(json.dumps(data))
    check_error(excinfo, libsac.FormatError, "learning_rate")


def test_corrupt_file_is_a_format_error(tmp_path, checkpoint_text):
    path = tmp_path / "agent.json"
    path.write_text(checkpoint_text[:-10])
    with pytest.raises(libsac.FormatError) as excinfo:
        libsac.Agent.load(path)
    check_error(excinfo, libsac.FormatError, "sac_load_json")


def test_corrupt_replay_file_is_a_format_error_and_leaves_the_buffer_unchanged(tmp_path, agent):
    for _ in range(5):
        agent.observe(OK_OBS, OK_ACTION, 1.0, OK_OBS, False)
    path = tmp_path / "replay.bin"
    agent.save_replay(path)
    data = bytearray(path.read_bytes())
    data[60] ^= 0x01  # inside the first record: the checksum no longer matches
    path.write_bytes(bytes(data))
    agent.observe(OK_OBS, OK_ACTION, 1.0, OK_OBS, False)
    with pytest.raises(libsac.FormatError) as excinfo:
        agent.load_replay(path)
    check_error(excinfo, libsac.FormatError, "sac_load_replay")
    assert agent.replay_size == 6
    path.write_bytes(bytes(data[:30]))
    with pytest.raises(libsac.FormatError) as excinfo:
        agent.load_replay(path)
    check_error(excinfo, libsac.FormatError, "sac_load_replay")
    assert agent.replay_size == 6


def test_replay_file_of_other_dimensions_is_a_format_error(tmp_path, agent, make_agent):
    other = make_agent(obs_dim=4)
    other.observe([0.0] * 4, OK_ACTION, 1.0, [0.0] * 4, False)
    path = tmp_path / "replay.bin"
    other.save_replay(path)
    with pytest.raises(libsac.FormatError) as excinfo:
        agent.load_replay(path)
    check_error(excinfo, libsac.FormatError, "sac_load_replay")
    assert agent.replay_size == 0


def test_loading_a_missing_file_is_an_io_error_that_is_also_an_oserror(tmp_path, agent):
    missing = tmp_path / "missing.json"
    with pytest.raises(OSError) as excinfo:
        libsac.Agent.load(missing)
    check_error(excinfo, libsac.SacIOError, "sac_load_json", str(missing), "No such file")
    with pytest.raises(libsac.SacIOError) as excinfo:
        agent.load_replay(tmp_path / "missing.replay")
    check_error(excinfo, libsac.SacIOError, "sac_load_replay", "missing.replay", "No such file")
    assert isinstance(excinfo.value, OSError)


def test_saving_into_a_missing_directory_is_an_io_error(tmp_path, agent):
    target = tmp_path / "no" / "such" / "dir" / "agent.json"
    for save, name in [(lambda: agent.save(target), "sac_save_json"),
                       (lambda: agent.save(target, "policy"), "sac_save_json"),
                       (lambda: agent.save_replay(target), "sac_save_replay")]:
        with pytest.raises(libsac.SacIOError) as excinfo:
            save()
        check_error(excinfo, libsac.SacIOError, name, "agent.json")
        assert isinstance(excinfo.value, OSError)
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("kind", ["weights", "", "Policy", 1, None], ids=repr)
def test_unknown_kind_is_an_invalid_argument(tmp_path, agent, kind):
    with pytest.raises(libsac.InvalidArgumentError) as excinfo:
        agent.to_json(kind)
    check_error(excinfo, libsac.InvalidArgumentError, "kind", repr(kind))
    with pytest.raises(libsac.InvalidArgumentError) as excinfo:
        agent.save(tmp_path / "agent.json", kind)
    check_error(excinfo, libsac.InvalidArgumentError, "kind", repr(kind))
    assert list(tmp_path.iterdir()) == []


# -- closed agents -----------------------------------------------------------------------------

CALLS_ON_AN_AGENT = {
    "act": lambda a, p: a.act(OK_OBS),
    "act-deterministic": lambda a, p: a.act(OK_OBS, deterministic=True),
    "act_batch": lambda a, p: a.act_batch([OK_OBS, OK_OBS]),
    "observe": lambda a, p: a.observe(OK_OBS, OK_ACTION, 1.0, OK_OBS, False),
    "update": lambda a, p: a.update(),
    "update-5": lambda a, p: a.update(5),
    "update_from_batch": lambda a, p: a.update_from_batch([OK_OBS], [OK_ACTION], [1.0], [OK_OBS], [False]),
    "to_json": lambda a, p: a.to_json(),
    "to_json-policy": lambda a, p: a.to_json("policy"),
    "save": lambda a, p: a.save(p / "agent.json"),
    "save-policy": lambda a, p: a.save(p / "agent.json", "policy"),
    "save_replay": lambda a, p: a.save_replay(p / "agent.replay"),
    "load_replay": lambda a, p: a.load_replay(p / "agent.replay"),
    "config": lambda a, p: a.config,
    "replay_size": lambda a, p: a.replay_size,
    "env_steps": lambda a, p: a.env_steps,
    "gradient_steps": lambda a, p: a.gradient_steps,
}


@pytest.mark.parametrize("call", sorted(CALLS_ON_AN_AGENT))
def test_every_method_of_a_closed_agent_raises_closed_error(tmp_path, make_agent, call):
    agent = make_agent()
    for _ in range(16):
        agent.observe(OK_OBS, OK_ACTION, 1.0, OK_OBS, False)
    agent.save_replay(tmp_path / "agent.replay")  # so that only closing can make load_replay fail
    agent.close()
    for _ in range(2):  # a second attempt must not crash either
        with pytest.raises(libsac.ClosedError) as excinfo:
            CALLS_ON_AN_AGENT[call](agent, tmp_path)
        assert "closed" in str(excinfo.value)
        assert excinfo.value.status is None  # no C call was made
        assert excinfo.value.status_name is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent.replay"]


@pytest.mark.parametrize("call", sorted(CALLS_ON_AN_AGENT))
def test_a_closed_loaded_agent_raises_closed_error(tmp_path, agent, call):
    loaded = libsac.Agent.from_json(agent.to_json("policy"))
    loaded.close()
    with pytest.raises(libsac.ClosedError):
        CALLS_ON_AN_AGENT[call](loaded, tmp_path)


def test_a_closed_agent_given_bad_inputs_raises_a_sac_error_and_never_reaches_the_library(tmp_path, agent):
    agent.close()
    bad_calls = [
        lambda: agent.act([math.nan] * 5),
        lambda: agent.act_batch(np.zeros(7)),
        lambda: agent.act_batch(np.full((2, 3), math.inf)),
        lambda: agent.observe([1.0], [math.nan], math.inf, [], True),
        lambda: agent.update(0),
        lambda: agent.update(-3),
        lambda: agent.update_from_batch([[math.nan]], [[0.0]], [1.0], [[0.0]], [True]),
        lambda: agent.observe(OK_OBS, 2 ** 40, 1.0, OK_OBS, False),
        lambda: agent.to_json("weights"),
        lambda: agent.save(tmp_path / "missing" / "a.json"),
        lambda: agent.load_replay(tmp_path / "missing.replay"),
    ]
    for call in bad_calls:
        with pytest.raises(libsac.SacError):
            call()
    assert list(tmp_path.iterdir()) == []


def test_close_twice_is_harmless(agent):
    agent.close()
    agent.close()
    assert repr(agent) == "<libsac.Agent (closed)>"


def test_context_manager_closes_the_agent(small_config):
    with libsac.Agent(small_config) as agent:
        assert agent.act(OK_OBS).shape == (ACTION_DIM,)
    with pytest.raises(libsac.ClosedError):
        agent.act(OK_OBS)
    assert "closed" in repr(agent)


def test_context_manager_closes_the_agent_when_the_block_raises(small_config):
    with pytest.raises(KeyError):
        with libsac.Agent(small_config) as agent:
            raise KeyError("boom")
    with pytest.raises(libsac.ClosedError):
        agent.update()


def test_context_manager_works_on_loaded_agents(tmp_path, small_config):
    path = tmp_path / "agent.json"
    with libsac.Agent(small_config) as agent:
        agent.save(path)
        config = agent.config
    with libsac.Agent.load(path) as loaded:
        assert isinstance(loaded, libsac.Agent)
        assert loaded.config == config
    with pytest.raises(libsac.ClosedError):
        loaded.act(OK_OBS)


def test_repr_of_an_open_agent_shows_dimensions_and_counters(agent):
    for _ in range(17):
        agent.observe(OK_OBS, OK_ACTION, 1.0, OK_OBS, False)
    agent.update(2)
    text = repr(agent)
    assert text.startswith("<libsac.Agent ")
    for part in ["obs_dim=3", "action_dim=2", "hidden=[16, 16]", "env_steps=17", "gradient_steps=2", "replay=17"]:
        assert part in text, text


def test_repr_of_a_closed_agent_says_closed_without_raising(agent):
    agent.close()
    assert repr(agent) == "<libsac.Agent (closed)>"
    assert str(agent) == "<libsac.Agent (closed)>"


def test_sac_error_subclasses_keep_their_builtin_bases():
    assert issubclass(libsac.SacIOError, OSError)
    assert issubclass(libsac.SacMemoryError, MemoryError)
    for cls in (libsac.ConfigError, libsac.ShapeError, libsac.NonFiniteError, libsac.InvalidArgumentError,
                libsac.FormatError):
        assert issubclass(cls, ValueError)
    assert issubclass(libsac.WrongAlgorithmError, TypeError)  # the argument's kind does not fit the agent
    for cls in STATUS_OF:
        assert issubclass(cls, libsac.SacError)
    assert issubclass(libsac.ClosedError, libsac.SacError)
