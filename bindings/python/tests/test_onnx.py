"""ONNX export (`libsac.onnx.export`, `python -m libsac export-onnx`): onnxruntime runs the exported
graph of every algorithm and agrees with libsac's deterministic `act`, with and without observation
normalisation; the model is valid and labelled; bad files raise SacError; the output is written
atomically."""
import copy
import json
import os
import re
import stat
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime
import pytest

import libsac
import libsac.onnx
from conftest import (ACTION_DIM, ACTION_HIGH, ACTION_LOW, ALGORITHMS, DISCRETE_ALGORITHMS, OBS_DIM, family_config,
                      random_transitions)

TOLERANCE = 1e-5
N_OBSERVATIONS = 1000
JSON_NAMES = {"continuous": "continuous_sac", "continuous_v1": "continuous_sac_v1", "discrete": "discrete_sac",
              "soft_q": "soft_q_learning"}
OUTPUTS = {"continuous": ["action"], "continuous_v1": ["action"], "discrete": ["logits", "probs", "action"],
           "soft_q": ["q_values", "probs", "action"]}


# Badly scaled observations: per dimension, raw = offset + scale * (something of order 1).
BAD_SCALE = np.array([1000.0, 0.001, 30.0])
BAD_OFFSET = np.array([300.0, -0.02, 5.0])


def config(algorithm, **overrides):
    base = libsac.Config(obs_dim=OBS_DIM, action_dim=ACTION_DIM, action_low=ACTION_LOW, action_high=ACTION_HIGH,
                         hidden_sizes=(32, 32), batch_size=16, replay_capacity=4096, learning_starts=16, seed=7)
    return family_config(base, algorithm).replace(**overrides)


def train(agent, steps, scale=1.0, offset=0.0):
    """Acts, observes and updates on synthetic transitions (observations offset + scale * N(0, 1)),
    so that the weights are no longer the initial ones. Returns the observations observed."""
    seen = []
    for obs, reward, next_obs, terminated in random_transitions(OBS_DIM, 0, steps, seed=3):
        obs = (offset + scale * obs).astype(np.float32)
        next_obs = (offset + scale * next_obs).astype(np.float32)
        action = agent.act(obs)
        agent.observe(obs, action, reward, next_obs, terminated)
        seen.append(obs)
        if agent.env_steps >= agent.config.learning_starts:
            agent.update()
    return np.array(seen, dtype=np.float64)


def observations(seed=0, scale=2.0, offset=0.0, obs_dim=OBS_DIM):
    rng = np.random.default_rng(seed)
    return (offset + scale * rng.standard_normal((N_OBSERVATIONS, obs_dim))).astype(np.float32)


def load_json(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def write_json(path, data):
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file)
    return path


def run(model_path, obs, batch=N_OBSERVATIONS):
    """The model's outputs by name, run by onnxruntime `batch` rows at a time."""
    session = onnxruntime.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    chunks = [session.run(None, {"obs": obs[i:i + batch]}) for i in range(0, len(obs), batch)]
    return {name: np.concatenate([chunk[k] for chunk in chunks]) for k, name in enumerate(names)}


def libsac_actions(agent, obs, batch):
    """libsac's deterministic actions: one `act` per row for batch 1, else `act_batch` on chunks."""
    if batch == 1:
        return np.array([agent.act(row, deterministic=True) for row in obs])
    return np.concatenate([agent.act_batch(obs[i:i + batch], deterministic=True) for i in range(0, len(obs), batch)])


def assert_agrees(outputs, expected, algorithm):
    action = outputs["action"]
    if algorithm not in DISCRETE_ALGORITHMS:
        assert action.dtype == np.float32 and action.shape == expected.shape
        np.testing.assert_allclose(action, expected, rtol=0, atol=TOLERANCE)
        return
    assert action.dtype == np.int64 and action.shape == expected.shape
    # Both pick the most probable action, the first on ties; the two runtimes' probabilities may
    # differ in the last bits, which can only matter where the two largest are within rounding.
    top_two = np.sort(outputs["probs"], axis=1)[:, -2:]
    differ = action != expected
    assert np.all(top_two[differ, 1] - top_two[differ, 0] < TOLERANCE), np.flatnonzero(differ)


def normalized(obs, mean, var, clip, epsilon):
    """The observation normalisation of docs/weights-format.md, in float32 as libsac computes it."""
    mean32 = np.asarray(mean, dtype=np.float64).astype(np.float32)
    std32 = np.sqrt(np.asarray(var, dtype=np.float64) + np.float64(np.float32(epsilon))).astype(np.float32)
    clip32 = np.float32(clip)
    return np.clip((np.asarray(obs, dtype=np.float32) - mean32) / std32, -clip32, clip32)


def reference(policy, obs):
    """docs/weights-format.md's forward pass, in float64 from the float32 weights (the observation
    normalisation in float32, as specified)."""
    config = policy["config"]
    x = np.asarray(obs, dtype=np.float32)
    if config.get("normalize_observations"):
        statistics = policy["obs_normalization"]
        x = normalized(x, statistics["mean"], statistics["var"], config["obs_clip"], config["obs_epsilon"])
    x = x.astype(np.float64)

    def mlp(network):
        h = x
        for i, layer in enumerate(network["layers"]):
            h = h @ np.array(layer["weight"], dtype=np.float32) + np.array(layer["bias"], dtype=np.float32)
            h = np.maximum(h, 0) if i < len(network["layers"]) - 1 else h
        return h

    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    if policy["algorithm"] == "soft_q_learning":
        q = np.minimum(mlp(policy["critics"][0]), mlp(policy["critics"][1]))
        alpha = float(np.float32(config["initial_alpha"]))
        return {"q_values": q, "probs": softmax((q - q.max(axis=1, keepdims=True)) / alpha)}
    head = mlp(policy["actor"])
    if policy["algorithm"] == "discrete_sac":
        return {"logits": head, "probs": softmax(head)}
    low = np.array(config["action_low"], dtype=np.float32).astype(np.float64)
    high = np.array(config["action_high"], dtype=np.float32).astype(np.float64)
    squashed = np.tanh(head[:, :config["action_dim"]])
    return {"action": np.clip(low + (squashed + 1) / 2 * (high - low), low, high)}


def with_normalization(policy, mean, var, count=500, clip=10.0, epsilon=1e-8):
    """A format version 3 file of the same weights whose config normalises observations."""
    result = copy.deepcopy(policy)
    result["format_version"] = 3
    result["config"].update(normalize_observations=True, obs_clip=clip, obs_epsilon=epsilon, target_update_interval=1)
    ordered = {}
    for key, value in result.items():
        ordered[key] = value
        if key == "config":
            ordered["obs_normalization"] = {"count": count, "mean": list(map(float, mean)), "var": list(map(float, var))}
    return ordered


@pytest.fixture(scope="module", params=ALGORITHMS)
def trained(request, tmp_path_factory):
    """(algorithm, agent, policy path, checkpoint path) of a small agent after about 100 updates."""
    algorithm = request.param
    agent = libsac.Agent(config(algorithm))
    train(agent, 120)
    folder = tmp_path_factory.mktemp(algorithm)
    policy, checkpoint = folder / "policy.json", folder / "checkpoint.json"
    agent.save(policy, "policy")
    agent.save(checkpoint, "checkpoint")
    yield algorithm, agent, policy, checkpoint
    agent.close()


@pytest.fixture(scope="module")
def continuous_policy(tmp_path_factory):
    """A trained continuous agent's policy file, parsed, to make bad files from."""
    with libsac.Agent(config("continuous")) as agent:
        train(agent, 60)
        path = tmp_path_factory.mktemp("continuous") / "policy.json"
        agent.save(path, "policy")
    return load_json(path)


# -- agreement with libsac -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["policy", "checkpoint"])
@pytest.mark.parametrize("batch", [1, 64])
def test_onnxruntime_agrees_with_libsac_act(trained, kind, batch, tmp_path):
    algorithm, agent, policy, checkpoint = trained
    out = tmp_path / "policy.onnx"
    libsac.onnx.export(policy if kind == "policy" else checkpoint, out)
    obs = observations(seed=batch)
    outputs = run(out, obs, batch)
    assert list(outputs) == OUTPUTS[algorithm]
    assert_agrees(outputs, libsac_actions(agent, obs, batch), algorithm)


def test_outputs_follow_the_documented_forward_pass(trained, tmp_path):
    algorithm, _, policy, _ = trained
    out = tmp_path / "policy.onnx"
    libsac.onnx.export(policy, out)
    obs = observations(seed=5)
    outputs, expected = run(out, obs), reference(load_json(policy), obs)
    for name, values in expected.items():
        np.testing.assert_allclose(outputs[name], values, rtol=0, atol=TOLERANCE, err_msg=name)
    if algorithm in DISCRETE_ALGORITHMS:
        np.testing.assert_allclose(outputs["probs"].sum(axis=1), 1.0, atol=TOLERANCE)


def test_a_checkpoint_exports_the_same_graph_as_its_policy(trained, tmp_path):
    _, _, policy, checkpoint = trained
    from_policy = libsac.onnx.export(policy, tmp_path / "policy.onnx")
    from_checkpoint = libsac.onnx.export(checkpoint, tmp_path / "checkpoint.onnx")
    assert from_policy.graph == from_checkpoint.graph


def test_a_format_version_1_file_exports(continuous_policy, tmp_path):
    old = copy.deepcopy(continuous_policy)
    old["format_version"] = 1  # libsac 0.1: continuous_sac only, none of the config keys of versions 2 and 3
    for key in ("n_actions", "target_entropy_scale", "normalize_observations", "obs_clip", "obs_epsilon",
                "target_update_interval"):
        del old["config"][key]
    libsac.onnx.export(write_json(tmp_path / "v1.json", old), tmp_path / "v1.onnx")
    obs = observations(seed=6)
    with libsac.Agent.from_json(json.dumps(continuous_policy)) as agent:
        assert_agrees(run(tmp_path / "v1.onnx", obs), agent.act_batch(obs, deterministic=True), "continuous")


def test_the_format_documents_policies_export(repo_root, tmp_path):
    """Every policy of docs/weights-format.md exports and computes the documented forward pass."""
    text = (repo_root / "docs" / "weights-format.md").read_text(encoding="utf-8")
    policies = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)
                if '"format":"libsac"' in block]
    assert policies
    for i, policy in enumerate(policies):
        out = tmp_path / f"example{i}.onnx"
        libsac.onnx.export(write_json(tmp_path / f"example{i}.json", policy), out)
        obs = observations(seed=i, scale=3.0, obs_dim=policy["config"]["obs_dim"])
        outputs = run(out, obs)
        for name, values in reference(policy, obs).items():
            np.testing.assert_allclose(outputs[name], values, rtol=0, atol=TOLERANCE, err_msg=f"example {i}: {name}")


# -- observation normalisation ------------------------------------------------------------------------


def test_the_normalisation_nodes_compute_the_specified_bits(continuous_policy, tmp_path):
    """Sub(mean32), Div(std32), Clip: float32 operations that onnxruntime rounds as numpy does."""
    mean = [300.123456789012, -0.0213, 4.9]
    var = [1.0e6 / 3, 1.1e-6, 917.25]
    path = write_json(tmp_path / "normalised.json", with_normalization(continuous_policy, mean, var))
    model = libsac.onnx.export(path, tmp_path / "normalised.onnx")
    model.graph.output.append(onnx.helper.make_tensor_value_info("obs_normalized", onnx.TensorProto.FLOAT, None))
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    obs = observations(seed=7, scale=BAD_SCALE * 3, offset=BAD_OFFSET)  # a few rows beyond the clip
    (inside,) = session.run(["obs_normalized"], {"obs": obs})
    expected = normalized(obs, mean, var, 10.0, 1e-8)
    assert np.any(np.abs(expected) == 10.0) and np.any(np.abs(expected) < 10.0)
    assert inside.dtype == np.float32 and np.array_equal(inside, expected)


@pytest.mark.parametrize("batch", [1, 64])
def test_a_normalising_file_agrees_with_libsac_on_normalised_observations(trained, batch, tmp_path):
    """Works without libsac's normalisation: the graph on raw observations equals libsac's act on the
    observations normalised as specified, and the documented forward pass."""
    algorithm, agent, policy, _ = trained
    mean, var = BAD_OFFSET + 1.5, (BAD_SCALE * 1.25) ** 2
    normalising = with_normalization(load_json(policy), mean, var, clip=5.0)
    path = write_json(tmp_path / "normalised.json", normalising)
    model = libsac.onnx.export(path, tmp_path / "normalised.onnx")
    assert {p.key: p.value for p in model.metadata_props}["normalize_observations"] == "true"
    obs = observations(seed=8, scale=BAD_SCALE * 2, offset=BAD_OFFSET)
    outputs = run(tmp_path / "normalised.onnx", obs, batch)
    assert_agrees(outputs, libsac_actions(agent, normalized(obs, mean, var, 5.0, 1e-8), batch), algorithm)
    for name, values in reference(normalising, obs).items():
        np.testing.assert_allclose(outputs[name], values, rtol=0, atol=TOLERANCE, err_msg=name)


@pytest.fixture(scope="module", params=ALGORITHMS)
def normalising_agent(request, tmp_path_factory):
    """An agent with normalize_observations that saw badly scaled observations and learned a little."""
    algorithm = request.param
    agent = libsac.Agent(config(algorithm, normalize_observations=True))
    seen = train(agent, 80, scale=BAD_SCALE, offset=BAD_OFFSET)
    folder = tmp_path_factory.mktemp(f"{algorithm}-normalised")
    policy, checkpoint = folder / "policy.json", folder / "checkpoint.json"
    agent.save(policy, "policy")
    agent.save(checkpoint, "checkpoint")
    yield algorithm, agent, policy, checkpoint, seen
    agent.close()


@pytest.mark.parametrize("kind", ["policy", "checkpoint"])
@pytest.mark.parametrize("batch", [1, 64])
def test_onnxruntime_agrees_with_a_normalising_agent(normalising_agent, kind, batch, tmp_path):
    algorithm, agent, policy, checkpoint, seen = normalising_agent
    mean, var, count = agent.obs_normalization()
    assert count == len(seen) and agent.gradient_steps > 0
    # numpy's statistics of the observations seen: means near BAD_OFFSET, variances near BAD_SCALE**2
    np.testing.assert_allclose(mean, seen.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(var, seen.var(axis=0), rtol=1e-6)
    out = tmp_path / "policy.onnx"
    model = libsac.onnx.export(policy if kind == "policy" else checkpoint, out)
    initializers = {tensor.name: onnx.numpy_helper.to_array(tensor) for tensor in model.graph.initializer}
    assert np.array_equal(initializers["obs_mean"], mean.astype(np.float32))
    obs = observations(seed=9, scale=BAD_SCALE * 2, offset=BAD_OFFSET)
    assert_agrees(run(out, obs, batch), libsac_actions(agent, obs, batch), algorithm)


# -- the model -----------------------------------------------------------------------------------------


def test_the_model_passes_the_checker_and_carries_its_metadata(trained, tmp_path):
    algorithm, _, policy, _ = trained
    out = tmp_path / "policy.onnx"
    libsac.onnx.export(policy, out)
    model = onnx.load(str(out))
    onnx.checker.check_model(model, full_check=True)
    assert {p.key: p.value for p in model.metadata_props} == {
        "libsac_version": libsac.__version__, "algorithm": JSON_NAMES[algorithm], "normalize_observations": "false"}
    assert model.producer_name == "libsac" and model.producer_version == libsac.__version__
    assert [(o.domain, o.version) for o in model.opset_import] == [("", libsac.onnx.OPSET)]


def test_the_batch_is_dynamic_and_the_shapes_are_declared(trained, tmp_path):
    algorithm, _, policy, _ = trained
    model = libsac.onnx.export(policy, tmp_path / "policy.onnx")

    def shape(value):
        return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]

    (obs,) = model.graph.input
    assert obs.name == "obs" and shape(obs) == ["N", OBS_DIM]
    assert obs.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    width = 3 if algorithm in DISCRETE_ALGORITHMS else ACTION_DIM
    shapes = {value.name: shape(value) for value in model.graph.output}
    expected = {name: ["N"] if algorithm in DISCRETE_ALGORITHMS and name == "action" else ["N", width]
                for name in OUTPUTS[algorithm]}
    assert shapes == expected
    action = next(value for value in model.graph.output if value.name == "action")
    assert action.type.tensor_type.elem_type == (onnx.TensorProto.INT64 if algorithm in DISCRETE_ALGORITHMS
                                                 else onnx.TensorProto.FLOAT)


def test_an_existing_file_is_replaced_atomically(trained, tmp_path):
    _, _, policy, _ = trained
    out = tmp_path / "policy.onnx"
    out.write_bytes(b"old")
    out.chmod(0o640)
    libsac.onnx.export(policy, out)
    onnx.checker.check_model(onnx.load(str(out)))
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["policy.onnx"]  # no temporary left behind


def test_a_symbolic_link_is_followed(trained, tmp_path):
    _, _, policy, _ = trained
    (tmp_path / "models").mkdir()
    link = tmp_path / "current.onnx"
    link.symlink_to("models/v1.onnx")
    libsac.onnx.export(policy, link)
    assert link.is_symlink() and (tmp_path / "models" / "v1.onnx").is_file()


# -- bad inputs -----------------------------------------------------------------------------------------


def test_a_missing_file_raises_sac_io_error(tmp_path):
    with pytest.raises(libsac.SacIOError, match="cannot open .*missing.json.*No such file"):
        libsac.onnx.export(tmp_path / "missing.json", tmp_path / "out.onnx")
    assert not (tmp_path / "out.onnx").exists()


def test_a_directory_raises_sac_io_error(tmp_path):
    with pytest.raises(libsac.SacIOError, match="not a regular file"):
        libsac.onnx.export(tmp_path, tmp_path / "out.onnx")


@pytest.mark.parametrize("text", [b"", b"{\"format\":\"libsac\",\"format_ver", b"\xff\xfe\x00garbage", b"[1, 2",
                                  b"{\"a\": NaN}", b"null"], ids=["empty", "truncated", "binary", "array", "nan",
                                                                   "null"])
def test_a_corrupt_file_raises_format_error_and_leaves_the_output_alone(text, tmp_path):
    path = tmp_path / "corrupt.json"
    path.write_bytes(text)
    out = tmp_path / "out.onnx"
    out.write_bytes(b"previous model")
    with pytest.raises(libsac.FormatError):
        libsac.onnx.export(path, out)
    assert out.read_bytes() == b"previous model" and sorted(os.listdir(tmp_path)) == ["corrupt.json", "out.onnx"]


def _set(path, value):
    """A change of the parsed file at `path` (keys and indices); value None deletes."""
    def change(data):
        *parents, last = path
        for key in parents:
            data = data[key]
        if value is None:
            del data[last]
        else:
            data[last] = value
    return change


# libsac's reader checks every file (its own tests cover each rule): a few show its messages come through.
BAD_FILES = {
    "format version 4": (_set(["format_version"], 4), "$.format_version"),
    "no actor": (_set(["actor"], None), 'missing key "actor"'),
    "a row too short": (lambda p: p["actor"]["layers"][1]["weight"][3].pop(),
                        "$.actor.layers[1].weight: expected 32x32, got 32x31 (row 3)"),
    "statistics without normalisation": (
        lambda p: p.update(obs_normalization={"count": 0, "mean": [0.0] * 3, "var": [1.0] * 3}),
        "obs_normalization"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_raises_libsacs_format_error_naming_the_json_path(name, continuous_policy, tmp_path):
    change, message = BAD_FILES[name]
    policy = copy.deepcopy(continuous_policy)
    change(policy)
    path = write_json(tmp_path / "bad.json", policy)
    with pytest.raises(libsac.FormatError) as raised:
        libsac.onnx.export(path, tmp_path / "out.onnx")
    assert message in str(raised.value)
    assert not (tmp_path / "out.onnx").exists()


def test_a_bad_normalising_file_raises_format_error(continuous_policy, tmp_path):
    policy = with_normalization(continuous_policy, [0.0] * OBS_DIM, [1.0] * OBS_DIM)
    policy["obs_normalization"]["var"][1] = -1.0
    with pytest.raises(libsac.FormatError, match=re.escape("$.obs_normalization.var[1]")):
        libsac.onnx.export(write_json(tmp_path / "bad.json", policy), tmp_path / "out.onnx")


def test_an_unwritable_output_raises_sac_io_error(continuous_policy, tmp_path):
    path = write_json(tmp_path / "policy.json", continuous_policy)
    with pytest.raises(libsac.SacIOError, match="cannot write"):
        libsac.onnx.export(path, tmp_path / "missing" / "out.onnx")
    (tmp_path / "a directory").mkdir()
    with pytest.raises(libsac.SacIOError, match="cannot write"):
        libsac.onnx.export(path, tmp_path / "a directory")
    assert sorted(os.listdir(tmp_path)) == ["a directory", "policy.json"]  # no temporary left behind


# -- the optional dependency -----------------------------------------------------------------------------


def test_import_libsac_does_not_import_onnx(tmp_path):
    code = "import sys, libsac, libsac.onnx; print(sorted(m for m in sys.modules if m.split('.')[0] == 'onnx'))"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_without_onnx_export_says_how_to_install_it(continuous_policy, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # what `import onnx` sees when it is not installed
    with pytest.raises(ImportError, match=r'pip install "libsac\[onnx\]"'):
        libsac.onnx.export(write_json(tmp_path / "policy.json", continuous_policy), tmp_path / "out.onnx")


# -- the command line ------------------------------------------------------------------------------------


def cli(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("SAC_LIBRARY_PATH", "PYTHONPATH")}
    return subprocess.run([sys.executable, "-m", "libsac", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_command_line_exports(trained, tmp_path):
    algorithm, agent, policy, _ = trained
    result = cli("export-onnx", policy, "out.onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote out.onnx: {JSON_NAMES[algorithm]}, obs [N, {OBS_DIM}] -> ")
    obs = observations(seed=10)
    assert_agrees(run(tmp_path / "out.onnx", obs), agent.act_batch(obs, deterministic=True), algorithm)


def test_the_command_line_reports_bad_files(tmp_path):
    (tmp_path / "corrupt.json").write_text("{\"format\": \"libsac\", ")
    for source, words in [("missing.json", "cannot open 'missing.json'"), ("corrupt.json", "SAC_ERR_FORMAT")]:
        result = cli("export-onnx", source, "out.onnx", cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.startswith("libsac: ") and words in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.onnx").exists()


def test_the_command_line_help_lists_export_onnx(tmp_path):
    assert "export-onnx" in cli("--help", cwd=tmp_path).stdout
    result = cli("export-onnx", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "libsac[onnx]" in result.stdout
