"""ONNX export of a saved policy: `export("policy.json", "policy.onnx")`, or on the command line
`python -m libsac export-onnx policy.json policy.onnx`.

The graph is the deterministic policy of `Agent.act(obs, deterministic=True)`, complete, so that
ONNX Runtime, TensorRT or a game engine needs nothing else (docs/weights-format.md defines each
step). Its input is `obs`, float32 [N, obs_dim] with a dynamic batch N; when the file normalises
observations, the graph starts with Sub(mean), Div(std), Clip(-obs_clip, obs_clip). Then:

- continuous_sac, continuous_sac_v1: the actor's mean head, tanh, the affine map to
  [action_low, action_high] -> `action` float32 [N, action_dim];
- discrete_sac: `logits` [N, n_actions], `probs` (their softmax) and `action` int64 [N], the most
  probable action (the first on ties);
- soft_q_learning: `q_values` [N, n_actions] (the minimum of the twin critics), `probs` (their
  Boltzmann distribution at temperature initial_alpha) and `action` int64 [N], the most probable.

The file is loaded with libsac's own strict reader (policy and checkpoint files of every format
version it reads), so a file that exports is a file libsac accepts, and any problem is the same
SacError (naming the JSON path) that loading it would raise. The graph's constants are then read from
the agent's policy JSON, which the reader has just checked.

`import libsac` does not import onnx; `export` does (`pip install "libsac[onnx]"`). No torch.
"""
from __future__ import annotations

import json
import os
import secrets
import stat
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from . import __version__
from .agent import Agent
from .errors import SacIOError

PathLike = Union[str, "os.PathLike[str]"]

#: Opset 17 and IR version 8 (onnx 1.12, 2022): new enough for every operator used here, old enough
#: for the ONNX Runtime builds that game engines and robot stacks ship.
OPSET = 17
IR_VERSION = 8

_DISCRETE = ("discrete_sac", "soft_q_learning")

Layer = Tuple[np.ndarray, np.ndarray]  # (weight [inputs, outputs], bias [outputs]), float32


@dataclass
class _Policy:
    """What the graph needs from a policy, in float32."""

    algorithm: str
    obs_dim: int
    outputs: int  # action_dim for continuous algorithms, n_actions for discrete ones
    networks: List[List[Layer]]  # the actor, or soft Q-learning's two critics
    action_low: Optional[np.ndarray] = None
    action_high: Optional[np.ndarray] = None
    alpha: Optional[np.float32] = None  # soft Q-learning's temperature
    # (mean32, std32, clip32) as docs/weights-format.md's observation normalisation defines them
    normalization: Optional[Tuple[np.ndarray, np.ndarray, np.float32]] = None


def export(policy_or_checkpoint_path: PathLike, onnx_path: PathLike) -> Any:
    """Writes the deterministic policy of a libsac JSON file (policy or checkpoint) as an ONNX model
    to `onnx_path`, atomically (an existing file is replaced only once the new one is complete), and
    returns the model (an `onnx.ModelProto`). See the module's docstring for the graph.

    Raises what `Agent.load` raises for a file libsac cannot load (SacIOError, FormatError, ...),
    SacIOError if the model cannot be written, ImportError if the onnx package is missing."""
    try:
        import onnx
    except ImportError as error:
        raise ImportError('ONNX export needs the onnx package: pip install "libsac[onnx]"') from error
    with Agent.load(policy_or_checkpoint_path) as agent:
        policy = _parse(json.loads(agent.to_json("policy")))
    model = _model(policy, onnx)
    # A model the checker refuses would be a bug here, not in the file: it is never written.
    onnx.checker.check_model(model, full_check=True)
    _write_atomically(onnx_path, model.SerializeToString())
    return model


def _layers(network: Dict[str, Any]) -> List[Layer]:
    return [(np.array(layer["weight"], dtype=np.float32).reshape(len(layer["weight"]), -1),
             np.array(layer["bias"], dtype=np.float32)) for layer in network["layers"]]


def _parse(data: Dict[str, Any]) -> _Policy:
    """A policy file as libsac writes it."""
    algorithm, config = data["algorithm"], data["config"]
    discrete = algorithm in _DISCRETE
    policy = _Policy(algorithm=algorithm, obs_dim=config["obs_dim"],
                     outputs=config["n_actions"] if discrete else config["action_dim"], networks=[])
    if algorithm == "soft_q_learning":
        policy.networks = [_layers(critic) for critic in data["critics"]]
        policy.alpha = np.float32(config["initial_alpha"])
    else:
        policy.networks = [_layers(data["actor"])]
    if not discrete:
        policy.action_low = np.array(config["action_low"], dtype=np.float32)
        policy.action_high = np.array(config["action_high"], dtype=np.float32)
    if config["normalize_observations"]:
        policy.normalization = _normalization(data["obs_normalization"], config)
    return policy


def _normalization(statistics: Dict[str, Any], config: Dict[str, Any]) -> Tuple[np.ndarray, np.ndarray, np.float32]:
    """The constants of the observation normalisation, computed as libsac computes them: mean and
    var are float64; std = sqrt(var + epsilon) in float64, then both are rounded to float32 once."""
    mean = np.array(statistics["mean"], dtype=np.float64)
    var = np.array(statistics["var"], dtype=np.float64)
    epsilon = np.float64(np.float32(config["obs_epsilon"]))
    with np.errstate(over="ignore"):
        mean32 = mean.astype(np.float32)
        std32 = np.sqrt(var + epsilon).astype(np.float32)
    # As libsac: a standard deviation beyond float32 becomes the largest float32, so that an
    # observation far out normalises to +-clip rather than to inf/inf = NaN.
    std32[~np.isfinite(std32)] = np.finfo(np.float32).max
    return mean32, std32, np.float32(config["obs_clip"])


# -- the graph -------------------------------------------------------------------------------------


class _Graph:
    """Collects nodes and float32 initializers; every node is named after its output."""

    def __init__(self, onnx: Any):
        self.helper, self.numpy_helper = onnx.helper, onnx.numpy_helper
        self.nodes: List[Any] = []
        self.initializers: List[Any] = []

    def constant(self, name: str, value: Any) -> str:
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def node(self, op: str, inputs: List[str], output: str, **attributes: Any) -> str:
        self.nodes.append(self.helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def mlp(self, prefix: str, layers: List[Layer], x: str, output: str) -> str:
        """Linear layers with ReLU between them, as libsac's networks: y = x · W + b."""
        for i, (weight, bias) in enumerate(layers):
            last = i == len(layers) - 1
            x = self.node("Gemm", [x, self.constant(f"{prefix}.layers.{i}.weight", weight),
                                   self.constant(f"{prefix}.layers.{i}.bias", bias)],
                          output if last else f"{prefix}.layers.{i}.linear")
            if not last:
                x = self.node("Relu", [x], f"{prefix}.layers.{i}.relu")
        return x


def _model(policy: _Policy, onnx: Any) -> Any:
    helper, TensorProto = onnx.helper, onnx.TensorProto
    graph = _Graph(onnx)
    x = "obs"
    if policy.normalization is not None:
        mean32, std32, clip = policy.normalization
        x = graph.node("Sub", [x, graph.constant("obs_mean", mean32)], "obs_centered")
        x = graph.node("Div", [x, graph.constant("obs_std", std32)], "obs_scaled")
        x = graph.node("Clip", [x, graph.constant("obs_clip_low", -clip), graph.constant("obs_clip_high", clip)],
                       "obs_normalized")
    n = policy.outputs
    if policy.algorithm in _DISCRETE:
        if policy.algorithm == "discrete_sac":
            scores = graph.mlp("actor", policy.networks[0], x, "logits")
            probs = graph.node("Softmax", [scores], "probs", axis=1)
        else:
            q1 = graph.mlp("critic1", policy.networks[0], x, "q1")
            q2 = graph.mlp("critic2", policy.networks[1], x, "q2")
            scores = graph.node("Min", [q1, q2], "q_values")
            # (q - max q) / alpha, in libsac's order: dividing q first would round differently
            top = graph.node("ReduceMax", [scores], "q_max", axes=[1], keepdims=1)
            shifted = graph.node("Sub", [scores, top], "q_shifted")
            tempered = graph.node("Div", [shifted, graph.constant("alpha", policy.alpha)], "q_tempered")
            probs = graph.node("Softmax", [tempered], "probs", axis=1)
        # libsac picks the largest probability, the first on ties; ArgMax does the same.
        graph.node("ArgMax", [probs], "action", axis=1, keepdims=0, select_last_index=0)
        outputs = [helper.make_tensor_value_info(scores, TensorProto.FLOAT, ["N", n]),
                   helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", n]),
                   helper.make_tensor_value_info("action", TensorProto.INT64, ["N"])]
    else:
        # Only the mean head acts deterministically: the log-std columns are left out of the last layer.
        *hidden, (weight, bias) = policy.networks[0]
        mean = graph.mlp("actor", [*hidden, (np.ascontiguousarray(weight[:, :n]), bias[:n])], x, "mean")
        squashed = graph.node("Tanh", [mean], "squashed")
        # low + (a + 1) * 0.5 * (high - low), clamped to the bounds: libsac's float32 operations in its order
        low, high = policy.action_low, policy.action_high
        a = graph.node("Add", [squashed, graph.constant("one", 1.0)], "action_shifted")
        a = graph.node("Mul", [a, graph.constant("half", 0.5)], "action_unit")
        a = graph.node("Mul", [a, graph.constant("action_range", high - low)], "action_scaled")
        a = graph.node("Add", [graph.constant("action_low", low), a], "action_unclamped")
        a = graph.node("Max", [a, "action_low"], "action_above_low")
        graph.node("Min", [a, graph.constant("action_high", high)], "action")
        outputs = [helper.make_tensor_value_info("action", TensorProto.FLOAT, ["N", n])]

    inputs = [helper.make_tensor_value_info("obs", TensorProto.FLOAT, ["N", policy.obs_dim])]
    body = helper.make_graph(graph.nodes, f"libsac_{policy.algorithm}", inputs, outputs, graph.initializers)
    model = helper.make_model(
        body, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION, producer_name="libsac",
        producer_version=__version__,
        doc_string=f"The deterministic policy of a libsac {policy.algorithm} agent.")
    helper.set_model_props(model, {
        "libsac_version": __version__,
        "algorithm": policy.algorithm,
        "normalize_observations": "true" if policy.normalization is not None else "false",
    })
    return model


# -- writing ---------------------------------------------------------------------------------------


def _write_atomically(path: PathLike, data: bytes) -> None:
    """Writes `data` to a new file in the target's directory, flushes it and renames it over the
    target: the path holds the complete old or the complete new model, never a part. A symbolic link
    is followed (the file it names is replaced, the link stays), and an existing target keeps its
    permission bits, as libsac's own saves do."""
    name = os.fspath(path)
    target = os.path.realpath(name)
    directory, base = os.path.split(target)
    # short and random: a long file name must not push the temporary's name past NAME_MAX
    temporary = os.path.join(directory, f".{base[:40]}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as error:
        raise SacIOError(f"cannot write '{name}': {error.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            try:
                existing = os.stat(target)
            except FileNotFoundError:
                pass
            else:
                if stat.S_ISREG(existing.st_mode):
                    os.fchmod(file.fileno(), stat.S_IMODE(existing.st_mode))
        os.replace(temporary, target)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise SacIOError(f"cannot write '{name}': {error.strerror or error}") from None
    try:  # the rename is durable once the directory is flushed; not every file system allows it
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)
    except OSError:
        pass
