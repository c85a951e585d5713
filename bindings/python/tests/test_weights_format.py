"""docs/weights-format.md is enough to run a saved policy: a numpy forward pass written from the
document alone reproduces libsac's deterministic actions."""
import json
import re

import numpy as np
import pytest

import libsac

OBS_DIM, ACTION_DIM = 5, 3
LOW = [-2.0, 0.0, -0.5]
HIGH = [1.0, 4.0, 0.25]
HIDDEN = (32, 16)


def normalized(policy, obs):
    """The observation as the networks see it: normalised in float32 as the document prescribes when
    the config says so, else as given."""
    config = policy["config"]
    if not config.get("normalize_observations", False):
        return np.asarray(obs, dtype=np.float64)
    stats = policy["obs_normalization"]
    mean32 = np.array(stats["mean"], dtype=np.float64).astype(np.float32)
    std32 = np.sqrt(np.array(stats["var"], dtype=np.float64) + np.float64(np.float32(config["obs_epsilon"])))
    std32 = std32.astype(np.float32)
    clip = np.float32(config["obs_clip"])
    return np.clip((np.asarray(obs, dtype=np.float32) - mean32) / std32, -clip, clip).astype(np.float64)


def policy_action(policy, obs, eps=None):
    """The forward pass of docs/weights-format.md, in float64 from the float32 weights.
    eps=None: deterministic action; otherwise the stochastic action for that noise."""
    actor, config = policy["actor"], policy["config"]
    a = config["action_dim"]
    x = normalized(policy, obs)
    layers = actor["layers"]
    for index, layer in enumerate(layers):
        weight = np.array(layer["weight"], dtype=np.float32).astype(np.float64)  # [inputs][outputs]
        bias = np.array(layer["bias"], dtype=np.float32).astype(np.float64)
        x = x @ weight + bias
        if index < len(layers) - 1:
            assert actor["hidden_activation"] == "relu"
            x = np.maximum(x, 0.0)
    mean = x[:a]
    log_std = np.clip(x[a:2 * a], actor["log_std_min"], actor["log_std_max"])
    u = mean if eps is None else mean + np.exp(log_std) * np.asarray(eps, dtype=np.float64)
    squashed = np.tanh(u)
    low = np.array(config["action_low"], dtype=np.float64)
    high = np.array(config["action_high"], dtype=np.float64)
    return np.clip(low + (squashed + 1.0) / 2.0 * (high - low), low, high)


# Observations of a badly scaled task (offsets and scales per dimension) for the normalising agent.
SCALE = np.array([1.0, 30.0, 0.01, 5.0, 1000.0], dtype=np.float32)
OFFSET = np.array([0.0, -40.0, 0.3, 7.0, 2500.0], dtype=np.float32)


def train_agent(normalize_observations):
    agent = libsac.Agent(obs_dim=OBS_DIM, action_dim=ACTION_DIM, action_low=LOW, action_high=HIGH,
                         hidden_sizes=HIDDEN, batch_size=32, replay_capacity=2048, learning_starts=50, seed=11,
                         normalize_observations=normalize_observations)
    rng = np.random.default_rng(2)
    scale, offset = (SCALE, OFFSET) if normalize_observations else (1, 0)
    obs = rng.standard_normal(OBS_DIM).astype(np.float32) * scale + offset
    for step in range(332):  # one update per step from the 50th (learning_starts) transition on: 283 updates
        action = agent.act(obs)
        next_obs = rng.standard_normal(OBS_DIM).astype(np.float32) * scale + offset
        reward = float(-np.sum(np.square(action - 0.3)))
        agent.observe(obs, action, reward, next_obs, step % 50 == 49)
        if agent.env_steps >= 50:
            agent.update()
        obs = next_obs
    assert agent.gradient_steps == 283
    return agent


@pytest.fixture(scope="module", params=[False, True], ids=["raw", "normalized"])
def trained_agent(request):
    with train_agent(request.param) as agent:
        yield agent


@pytest.fixture(scope="module")
def saved_policy(trained_agent, tmp_path_factory):
    path = tmp_path_factory.mktemp("weights") / "policy.json"
    trained_agent.save(path, "policy")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def test_policy_file_has_the_documented_keys_and_shapes(saved_policy):
    policy = saved_policy
    normalizing = policy["config"]["normalize_observations"]
    assert list(policy) == ["format", "format_version", "kind", "algorithm", "config",
                            *(["obs_normalization"] if normalizing else []), "actor"]
    assert policy["format"] == "libsac" and policy["format_version"] == 3
    assert policy["kind"] == "policy" and policy["algorithm"] == "continuous_sac"
    config = policy["config"]
    assert config["obs_dim"] == OBS_DIM and config["action_dim"] == ACTION_DIM
    assert config["action_low"] == LOW and config["action_high"] == HIGH
    assert config["hidden_sizes"] == list(HIDDEN)
    assert config["target_entropy"] == -3.0 and config["seed"] == 11
    assert config["n_actions"] == 0 and config["initial_alpha"] == 1.0 and config["auto_alpha"] is True
    assert (config["obs_clip"], config["obs_epsilon"], config["target_update_interval"]) == (10.0, 1e-8, 1)
    if normalizing:
        stats = policy["obs_normalization"]
        assert list(stats) == ["count", "mean", "var"] and stats["count"] == 332
        assert len(stats["mean"]) == len(stats["var"]) == OBS_DIM
    actor = policy["actor"]
    assert actor["hidden_activation"] == "relu"
    assert (actor["log_std_min"], actor["log_std_max"]) == (-20.0, 2.0)
    sizes = [OBS_DIM, *HIDDEN, 2 * ACTION_DIM]
    assert len(actor["layers"]) == len(sizes) - 1
    for layer, inputs, outputs in zip(actor["layers"], sizes, sizes[1:]):
        assert np.array(layer["weight"]).shape == (inputs, outputs)  # weight[i][j]: input i -> output j
        assert np.array(layer["bias"]).shape == (outputs,)


def test_checkpoint_holds_the_same_actor_as_the_policy(trained_agent, saved_policy):
    checkpoint = json.loads(trained_agent.to_json("checkpoint"))
    assert checkpoint["kind"] == "checkpoint"
    assert checkpoint["actor"] == saved_policy["actor"]
    assert checkpoint["config"] == saved_policy["config"]
    for key in ("critics", "target_critics", "log_alpha", "optimizers", "counters", "rng"):
        assert key in checkpoint
    assert checkpoint["counters"] == {"env_steps": 332, "gradient_steps": 283}


def probe_observations(policy):
    """20 observations like the training ones (for the normalising agent, 3 of them far outside)."""
    observations = np.random.default_rng(21).standard_normal((20, OBS_DIM)).astype(np.float32) * 2.0
    if policy["config"]["normalize_observations"]:
        observations = observations * SCALE + OFFSET
        observations[:3] *= 1e3
    return observations.astype(np.float32)


def test_numpy_forward_pass_from_the_document_matches_libsac(trained_agent, saved_policy):
    observations = probe_observations(saved_policy)
    with libsac.Agent.from_json(json.dumps(saved_policy)) as reloaded:
        for obs in observations:
            expected = trained_agent.act(obs, deterministic=True)
            np.testing.assert_array_equal(reloaded.act(obs, deterministic=True), expected)
            np.testing.assert_allclose(policy_action(saved_policy, obs), expected, rtol=0, atol=1e-5)


def test_the_trained_policy_is_not_trivial(saved_policy):
    # Guards the comparison above against a degenerate policy (e.g. every action at a bound).
    actions = np.array([policy_action(saved_policy, obs) for obs in probe_observations(saved_policy)[3:]])
    assert np.all(actions.std(axis=0) > 1e-3)
    assert np.all(actions > np.array(LOW)) and np.all(actions < np.array(HIGH))


# -- the worked example in the document --------------------------------------------------------


@pytest.fixture(scope="module")
def worked_example_text(request):
    from conftest import REPO_ROOT

    document = (REPO_ROOT / "docs" / "weights-format.md").read_text(encoding="utf-8")
    section = document.split("## Worked example", 1)[1]
    blocks = re.findall(r"```json\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "expected one JSON block in the worked example"
    return blocks[0]


def test_worked_example_gives_the_documented_deterministic_action(worked_example_text):
    policy = json.loads(worked_example_text)
    action = policy_action(policy, [1.0, -0.5])
    assert action.shape == (1,)
    assert abs(action[0] - 1.3280735) < 1e-6


def test_worked_example_gives_the_documented_stochastic_action(worked_example_text):
    policy = json.loads(worked_example_text)
    assert abs(policy_action(policy, [1.0, -0.5], eps=[0.5])[0] - 1.4437652) < 1e-6


def test_libsac_loads_the_worked_example_and_acts_as_documented(worked_example_text):
    with libsac.Agent.from_json(worked_example_text) as agent:
        assert agent.config.hidden_sizes == (3,)
        action = agent.act([1.0, -0.5], deterministic=True)
        assert action.dtype == np.float32
        assert action[0] == np.float32(1.3280735)
        with pytest.raises(libsac.PolicyOnlyError):
            agent.update()


# -- discrete policies: discrete SAC's actor, soft Q-learning's critics --------------------------


def mlp(layers, obs):
    """A `{"layers": [...]}` network of the document: ReLU between layers, none after the last."""
    x = np.asarray(obs, dtype=np.float64)
    for index, layer in enumerate(layers):
        x = x @ np.array(layer["weight"], dtype=np.float32).astype(np.float64) + \
            np.array(layer["bias"], dtype=np.float32).astype(np.float64)
        if index < len(layers) - 1:
            x = np.maximum(x, 0.0)
    return x


def discrete_policy(policy, obs):
    """(deterministic action, action probabilities) of a discrete_sac or soft_q_learning policy file."""
    if policy["algorithm"] == "discrete_sac":
        assert policy["actor"]["hidden_activation"] == "relu"
        scores, temperature = mlp(policy["actor"]["layers"], obs), 1.0
    else:
        assert policy["algorithm"] == "soft_q_learning" and len(policy["critics"]) == 2
        scores = np.minimum(*(mlp(critic["layers"], obs) for critic in policy["critics"]))
        temperature = policy["config"]["initial_alpha"]
    z = np.exp((scores - scores.max()) / temperature)
    return int(np.argmax(scores)), z / z.sum()


def document_section(title):
    from conftest import REPO_ROOT

    document = (REPO_ROOT / "docs" / "weights-format.md").read_text(encoding="utf-8")
    section = document.split(title, 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```json\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, f"expected one JSON block under {title}"
    return json.loads(blocks[0])


@pytest.mark.parametrize("title, action, probabilities", [
    ("### `actor` of `discrete_sac`", 1, [0.391501, 0.478180, 0.130319]),
    ("### `critics` of `soft_q_learning`", 0, [0.997527, 0.002473, 2.8e-10]),
], ids=["discrete_sac", "soft_q_learning"])
def test_discrete_examples_of_the_document_act_as_documented(title, action, probabilities):
    policy = document_section(title)
    expected_action, expected_probabilities = discrete_policy(policy, [1.0, -0.5])
    assert expected_action == action
    np.testing.assert_allclose(expected_probabilities, probabilities, rtol=2e-3, atol=1e-11)  # as rounded there
    with libsac.Agent.from_json(json.dumps(policy)) as agent:
        assert agent.config.algorithm == libsac.Algorithm.parse(policy["algorithm"])
        assert agent.config.n_actions == 3 and agent.config.action_dim == 0
        assert agent.act([1.0, -0.5], deterministic=True) == action
        assert list(agent.act_batch([[1.0, -0.5]] * 2, deterministic=True)) == [action, action]
        with pytest.raises(libsac.PolicyOnlyError):
            agent.observe([1.0, -0.5], action, 1.0, [1.0, -0.5], False)


@pytest.mark.parametrize("algorithm", ["discrete", "soft_q"])
def test_numpy_forward_pass_of_a_trained_discrete_policy_matches_libsac(tmp_path, algorithm):
    with libsac.Agent(obs_dim=OBS_DIM, algorithm=algorithm, n_actions=4, hidden_sizes=HIDDEN, batch_size=32,
                      replay_capacity=2048, learning_starts=50, seed=5) as agent:
        rng = np.random.default_rng(4)
        obs = rng.standard_normal(OBS_DIM).astype(np.float32)
        for step in range(300):
            action = agent.act(obs)
            next_obs = rng.standard_normal(OBS_DIM).astype(np.float32)
            agent.observe(obs, action, float(action == int(obs[0] > 0)), next_obs, step % 50 == 49)
            if agent.env_steps >= 50:
                agent.update()
            obs = next_obs
        agent.save(tmp_path / "policy.json", "policy")
        policy = json.loads((tmp_path / "policy.json").read_text(encoding="utf-8"))
        observations = np.random.default_rng(21).standard_normal((50, OBS_DIM)).astype(np.float32) * 2.0
        expected = [discrete_policy(policy, o)[0] for o in observations]
        assert list(agent.act_batch(observations, deterministic=True)) == expected
        assert len(set(expected)) > 1  # not a constant policy


# -- observation normalisation: the document's example --------------------------------------------


@pytest.mark.parametrize("obs, normalized_obs, action", [
    ([1.0, 1.0], [1.0, 0.0], 1.2850943),
    ([30.0, -3.0], [10.0, -2.0], 1.9985176),  # the first element clipped
], ids=["inside", "clipped"])
def test_the_normalisation_example_of_the_document_acts_as_documented(obs, normalized_obs, action):
    policy = document_section("### Observation normalisation")
    np.testing.assert_array_equal(normalized(policy, obs), normalized_obs)
    assert abs(policy_action(policy, obs)[0] - action) < 1e-6
    with libsac.Agent.from_json(json.dumps(policy)) as agent:
        assert agent.config.normalize_observations
        mean, var, count = agent.obs_normalization()
        assert (mean.tolist(), var.tolist(), count) == ([0.5, 1.0], [0.25, 4.0], 4)
        assert abs(agent.act(obs, deterministic=True)[0] - action) < 1e-6  # float32 tanh: within an ulp
