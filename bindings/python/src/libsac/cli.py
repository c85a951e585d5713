"""The `python -m libsac` command line: train and evaluate on Gymnasium environments, plot their logs,
export a saved policy to ONNX."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from . import __version__, plot
from .agent import Agent
from .config import Algorithm
from .errors import ConfigError, SacError


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Appends "(default: X)" to an option's help, except where the default is None: those options
    fall back to the library's own default, which their help text names."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None:
            return action.help or ""
        return super()._get_help_string(action)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m libsac",
        description="Soft Actor-Critic (libsac) on Gymnasium environments with a Box (continuous SAC) or "
                    "Discrete (discrete SAC, soft Q-learning) action space.")
    parser.add_argument("--version", action="version", version=f"libsac {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train", help="train an agent and save it",
        description="Train a SAC agent on a Gymnasium environment and save it as JSON.",
        formatter_class=_HelpFormatter)
    train.add_argument("env", help="Gymnasium environment id, e.g. Pendulum-v1 or CartPole-v1")
    train.add_argument("--algorithm", choices=[a.value for a in Algorithm], default=None,
                       help="member of the SAC family (default: continuous for a Box action space, discrete "
                            "for a Discrete one; continuous_v1 is the original SAC with a value network, "
                            "soft_q is soft Q-learning)")
    train.add_argument("--steps", type=int, default=20_000, help="environment steps to train for")
    train.add_argument("--out", type=Path, required=True,
                       help="where to save the trained agent (JSON); a checkpoint also writes OUT.replay")
    train.add_argument("--kind", choices=["policy", "checkpoint"], default="checkpoint",
                       help="save only the policy (to deploy) or a full checkpoint (to resume training)")
    train.add_argument("--seed", type=int, default=0, help="seed of the agent and of the first environment reset")
    train.add_argument("--lr", type=float, default=None,
                       help="learning rate of actor, critics and temperature (default: the library's, 3e-4)")
    train.add_argument("--batch-size", type=int, default=None, help="transitions per gradient step (default 256)")
    train.add_argument("--hidden", type=int, nargs="+", default=None, metavar="N",
                       help="hidden layer sizes of actor and critics (default: 256 256)")
    train.add_argument("--gamma", type=float, default=None, help="discount (default 0.99)")
    train.add_argument("--normalize-observations", action="store_true",
                       help="normalise observations with their running mean and variance, saved with the weights")
    train.add_argument("--target-update-interval", type=int, default=None, metavar="N",
                       help="blend the target networks every N gradient steps (default 1)")
    train.add_argument("--learning-starts", type=int, default=None,
                       help="warm-up: random actions and no gradient step for this many transitions (default 100)")
    train.add_argument("--train-freq", type=_train_freq, default=1, metavar="N[:episode]",
                       help="train after every N environment steps (N:episode: after every N episodes)")
    train.add_argument("--gradient-steps", type=int, default=1,
                       help="gradient steps each time training is due (-1: one per transition collected)")
    train.add_argument("--updates-per-step", type=int, default=None,
                       help="gradient steps per transition, instead of --train-freq and --gradient-steps")
    train.add_argument("--n-envs", type=int, default=1,
                       help="copies of the environment stepped together (gymnasium.make_vec) and acted on in one batch")
    train.add_argument("--threads", type=_thread_count, default=1,
                       help="threads for the gradient steps, 1 to 64 (2: about 1.9x faster at hidden 256 on a free "
                            "second core; the same results for every count)")
    train.add_argument("--eval-every", type=int, default=5_000, help="evaluate every N steps (0: never)")
    train.add_argument("--eval-episodes", type=int, default=10, help="episodes per evaluation")
    train.add_argument("--eval-seed", type=int, default=12345,
                       help="evaluation episode k starts from reset(seed=EVAL_SEED + k)")
    train.add_argument("--target-return", type=float, default=None,
                       help="stop early once an evaluation reaches this mean return")
    train.add_argument("--log", type=Path, default=None,
                       help="append JSON-lines logs (start, episodes, evaluations, end; with elapsed seconds) here")
    train.add_argument("--tensorboard", type=Path, default=None, metavar="DIR",
                       help="write TensorBoard scalars to DIR (needs the tensorboard package)")
    train.add_argument("--checkpoint-every", type=int, default=0, help="write a checkpoint every N steps (0: never)")
    train.add_argument("--checkpoint", type=Path, default=None,
                       help="checkpoint path for --checkpoint-every (JSON; the replay buffer goes to PATH.replay)")
    train.add_argument("--resume", type=Path, default=None,
                       help="continue training from a checkpoint (and PATH.replay if present)")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--workers", type=int, default=0,
                       help="collect experience with N Ray workers (each stepping --n-envs copies) and learn in "
                            "this process (needs ray: pip install \"libsac[ray]\"); 0: one process, no Ray")
    train.add_argument("--address", default=None,
                       help="with --workers: the Ray cluster to join (auto, or ray://HOST:PORT); default: local Ray")

    evaluate = commands.add_parser(
        "eval", help="evaluate a saved agent",
        description="Run a saved agent's deterministic policy and report the mean episode return.",
        formatter_class=_HelpFormatter)
    evaluate.add_argument("agent", type=Path, help="a policy or checkpoint JSON file")
    evaluate.add_argument("env", help="Gymnasium environment id, e.g. Pendulum-v1 or CartPole-v1")
    evaluate.add_argument("--episodes", type=int, default=10, help="episodes to average over")
    evaluate.add_argument("--seed", type=int, default=12345, help="seed of the first episode (then +1 per episode)")
    evaluate.add_argument("--render", choices=["rgb_array"], default=None,
                          help="record one extra episode as frames (needs an environment that renders rgb_array)")
    evaluate.add_argument("--video", type=Path, default=Path("episode.gif"),
                          help="with --render: where to write the recording (.gif or .mp4; needs imageio)")
    plot.add_parser(commands)

    export = commands.add_parser(
        "export-onnx", help="export a saved policy to ONNX",
        description="Write the deterministic policy of a policy or checkpoint JSON file as an ONNX model for ONNX "
                    "Runtime, TensorRT or a game engine: observation normalisation, network, and for continuous "
                    "actions tanh and the action bounds, all in the graph (needs onnx: pip install \"libsac[onnx]\").",
        formatter_class=_HelpFormatter)
    export.add_argument("policy", type=Path, help="a policy or checkpoint JSON file")
    export.add_argument("out", type=Path, help="the ONNX file to write (replaced atomically if it exists)")
    return parser


def _train_freq(text: str) -> "int | tuple[int, str]":
    """N (environment steps) or N:step / N:episode, as Stable-Baselines3's train_freq."""
    count, _, unit = text.partition(":")
    try:
        every = int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N or N:step or N:episode, got {text!r}") from None
    if unit not in ("", "step", "episode"):
        raise argparse.ArgumentTypeError(f"the unit must be step or episode, got {unit!r}")
    return (every, unit) if unit else every


def _thread_count(text: str) -> int:
    """An integer from 1 to 64, as Agent.set_threads takes."""
    try:
        threads = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer from 1 to 64, got {text!r}") from None
    if not 1 <= threads <= 64:
        raise argparse.ArgumentTypeError(f"expected an integer from 1 to 64, got {threads}")
    return threads


def _train(args: argparse.Namespace) -> int:
    from .gym import train

    overrides = {}
    if args.lr is not None:
        overrides.update(actor_lr=args.lr, critic_lr=args.lr, alpha_lr=args.lr)
    for name, value in [("batch_size", args.batch_size), ("gamma", args.gamma),
                        ("learning_starts", args.learning_starts),
                        ("target_update_interval", args.target_update_interval)]:
        if value is not None:
            overrides[name] = value
    if args.hidden is not None:
        overrides["hidden_sizes"] = tuple(args.hidden)
    if args.normalize_observations:
        overrides["normalize_observations"] = True
    if args.algorithm is not None:
        overrides["algorithm"] = args.algorithm
    if args.workers:
        from .distributed import train as train_distributed

        if (args.train_freq, args.gradient_steps) != (1, 1):
            raise ConfigError("with --workers, gradient steps follow --updates-per-step (per transition ingested), "
                              "not --train-freq/--gradient-steps")
        agent, history = train_distributed(
            args.env, args.steps, workers=args.workers, envs_per_worker=args.n_envs, address=args.address,
            updates_per_step=args.updates_per_step if args.updates_per_step is not None else 1,
            seed=args.seed, eval_every=args.eval_every, eval_episodes=args.eval_episodes, eval_seed=args.eval_seed,
            target_return=args.target_return, log_path=args.log, tensorboard=args.tensorboard,
            checkpoint_every=args.checkpoint_every, checkpoint_path=args.checkpoint, resume_from=args.resume,
            threads=args.threads, **overrides)
    else:
        agent, history = train(
            args.env, args.steps, seed=args.seed, train_freq=args.train_freq, gradient_steps=args.gradient_steps,
            updates_per_step=args.updates_per_step, n_envs=args.n_envs, eval_every=args.eval_every,
            eval_episodes=args.eval_episodes, eval_seed=args.eval_seed,
            target_return=args.target_return, log_path=args.log, tensorboard=args.tensorboard,
            checkpoint_every=args.checkpoint_every, checkpoint_path=args.checkpoint, resume_from=args.resume,
            progress=not args.no_progress, threads=args.threads, **overrides)
    with agent:
        agent.save(args.out, args.kind)
        if args.kind == "checkpoint":
            agent.save_replay(str(args.out) + ".replay")
    best = history.best_evaluation
    print(f"trained {history.steps} steps in {history.seconds:.1f} s"
          + (f"; best evaluation {best:.1f}" if best is not None else "") + f"; saved {args.out}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from .gym import evaluate

    with Agent.load(args.agent) as agent:
        result = evaluate(agent, args.env, args.episodes, seed=args.seed)
        print(f"mean return {result['mean_return']:.2f} +- {result['std_return']:.2f} over {args.episodes} episodes")
        if args.render:
            try:
                import imageio.v2 as imageio
            except ImportError:
                print("--render needs imageio: pip install imageio (and imageio-ffmpeg for .mp4)", file=sys.stderr)
                return 2
            frames: List = []
            evaluate(agent, args.env, 1, seed=args.seed, on_frame=frames.append)
            imageio.mimsave(args.video, frames)
            print(f"wrote {len(frames)} frames to {args.video}")
    return 0


def _export_onnx(args: argparse.Namespace) -> int:
    from .onnx import export

    try:
        model = export(args.policy, args.out)
    except ImportError as error:
        print(f"libsac: {error}", file=sys.stderr)
        return 2

    def described(value) -> str:
        dims = (str(d.dim_param or d.dim_value) for d in value.type.tensor_type.shape.dim)
        return f"{value.name} [{', '.join(dims)}]"

    algorithm = next(p.value for p in model.metadata_props if p.key == "algorithm")
    inputs, outputs = described(model.graph.input[0]), ", ".join(map(described, model.graph.output))
    print(f"wrote {args.out}: {algorithm}, {inputs} -> {outputs}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "plot":
        return plot.run(args)
    commands = {"train": _train, "eval": _eval, "export-onnx": _export_onnx}
    try:
        return commands[args.command](args)
    except SacError as error:
        print(f"libsac: {error}", file=sys.stderr)
        return 1
