"""`python -m libsac`: help texts, a tiny train + eval round trip, and clean failures."""
import os
import subprocess
import sys

import pytest

import libsac

pytest.importorskip("gymnasium")

TRAIN_OPTIONS = ["--algorithm", "--steps", "--out", "--kind", "--seed", "--lr", "--batch-size", "--hidden", "--gamma",
                 "--learning-starts", "--updates-per-step", "--threads", "--eval-every", "--eval-episodes", "--target-return",
                 "--log", "--checkpoint-every", "--checkpoint", "--resume", "--no-progress", "--train-freq",
                 "--gradient-steps", "--n-envs", "--eval-seed", "--tensorboard", "--normalize-observations",
                 "--target-update-interval"]
EVAL_OPTIONS = ["--episodes", "--seed", "--render", "--video"]
TINY_TRAIN = ["--steps", "300", "--hidden", "16", "16", "--batch-size", "16", "--eval-every", "0", "--no-progress"]


def cli(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("SAC_LIBRARY_PATH", "PYTHONPATH")}
    return subprocess.run([sys.executable, "-m", "libsac", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_help_lists_the_commands(tmp_path):
    result = cli("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for word in ("train", "eval", "plot", "--version", "--help"):
        assert word in result.stdout


def test_train_help_mentions_every_option(tmp_path):
    result = cli("train", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for option in TRAIN_OPTIONS + ["env"]:
        assert option in result.stdout, option


def test_eval_help_mentions_every_option(tmp_path):
    result = cli("eval", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for option in EVAL_OPTIONS + ["agent", "env"]:
        assert option in result.stdout, option


def test_version_prints_the_library_version(tmp_path):
    result = cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"libsac {libsac.__version__}"


def test_train_then_eval_round_trip(tmp_path):
    out = tmp_path / "pendulum.json"
    trained = cli("train", "Pendulum-v1", *TINY_TRAIN, "--out", out, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "trained 300 steps" in trained.stdout
    assert out.is_file() and (tmp_path / "pendulum.json.replay").is_file()
    with libsac.Agent.load(out) as agent:
        assert agent.env_steps == 300
        assert agent.config.hidden_sizes == (16, 16) and agent.config.batch_size == 16
        agent.load_replay(tmp_path / "pendulum.json.replay")
        assert agent.replay_size == 300

    evaluated = cli("eval", out, "Pendulum-v1", "--episodes", "2", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "mean return" in evaluated.stdout
    assert "over 2 episodes" in evaluated.stdout


def test_train_on_several_threads_saves_the_same_checkpoint_as_one(tmp_path):
    outputs = []
    for threads in ("1", "2", "3"):
        out = tmp_path / f"threads-{threads}.json"
        trained = cli("train", "Pendulum-v1", *TINY_TRAIN, "--threads", threads, "--out", out, cwd=tmp_path)
        assert trained.returncode == 0, trained.stderr
        outputs.append(out.read_bytes())
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]
    for bad in ("0", "65", "two"):
        refused = cli("train", "Pendulum-v1", *TINY_TRAIN, "--threads", bad, "--out", tmp_path / "x.json", cwd=tmp_path)
        assert refused.returncode == 2 and "--threads" in refused.stderr and "1 to 64" in refused.stderr


def test_train_a_policy_file_and_evaluate_it(tmp_path):
    out = tmp_path / "policy.json"
    trained = cli("train", "Pendulum-v1", *TINY_TRAIN, "--kind", "policy", "--lr", "0.001", "--gamma", "0.95",
                  "--normalize-observations", "--target-update-interval", "4", "--out", out, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy.json"]
    with libsac.Agent.load(out) as agent:
        assert agent.config.gamma == 0.95 and agent.config.actor_lr == 0.001
        assert agent.config.normalize_observations and agent.config.target_update_interval == 4
        assert agent.obs_normalization()[2] == 300  # the policy file carries the statistics of the run
        with pytest.raises(libsac.PolicyOnlyError):
            agent.update()
    evaluated = cli("eval", out, "Pendulum-v1", "--episodes", "1", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "mean return" in evaluated.stdout


def test_corrupt_agent_file_exits_1_with_a_libsac_message(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format":"libsac","format_version":1,')
    result = cli("eval", bad, "Pendulum-v1", "--episodes", "1", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("libsac:")
    assert "SAC_ERR_FORMAT" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_agent_file_exits_1_with_a_libsac_message(tmp_path):
    result = cli("eval", tmp_path / "missing.json", "Pendulum-v1", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("libsac:")
    assert "missing.json" in result.stderr and "Traceback" not in result.stderr


def test_invalid_training_settings_exit_1_with_a_libsac_message(tmp_path):
    result = cli("train", "Pendulum-v1", "--steps", "10", "--gamma", "2", "--no-progress", "--out",
                 tmp_path / "a.json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("libsac:") and "gamma" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "a.json").exists()


def test_usage_errors_exit_2(tmp_path):
    assert cli(cwd=tmp_path).returncode == 2
    assert cli("train", "Pendulum-v1", cwd=tmp_path).returncode == 2  # --out is required
    assert cli("eval", "agent.json", cwd=tmp_path).returncode == 2  # env is required


def test_train_help_lists_the_algorithms(tmp_path):
    result = cli("train", "--help", cwd=tmp_path)
    for name in ("continuous", "continuous_v1", "discrete", "soft_q"):
        assert name in result.stdout


@pytest.mark.parametrize("algorithm", [None, "soft_q"])
def test_train_then_eval_on_cartpole(tmp_path, algorithm):
    out = tmp_path / "cartpole.json"
    options = [] if algorithm is None else ["--algorithm", algorithm]
    trained = cli("train", "CartPole-v1", *TINY_TRAIN, *options, "--out", out, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "trained 300 steps" in trained.stdout
    with libsac.Agent.load(out) as agent:
        assert agent.config.algorithm == (algorithm or "discrete") and agent.config.n_actions == 2
        assert agent.env_steps == 300
        agent.load_replay(tmp_path / "cartpole.json.replay")
        assert agent.replay_size == 300
    evaluated = cli("eval", out, "CartPole-v1", "--episodes", "2", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "mean return" in evaluated.stdout and "over 2 episodes" in evaluated.stdout


def test_train_continuous_v1_on_pendulum(tmp_path):
    out = tmp_path / "v1.json"
    trained = cli("train", "Pendulum-v1", *TINY_TRAIN, "--algorithm", "continuous_v1", "--kind", "policy",
                  "--out", out, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    with libsac.Agent.load(out) as agent:
        assert agent.config.algorithm == "continuous_v1"


def test_an_algorithm_that_does_not_fit_the_action_space_exits_1(tmp_path):
    result = cli("train", "CartPole-v1", "--steps", "10", "--algorithm", "continuous", "--no-progress", "--out",
                 tmp_path / "a.json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("libsac:") and "Box" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "a.json").exists()
    assert cli("train", "CartPole-v1", "--algorithm", "dqn", "--out", tmp_path / "a.json", cwd=tmp_path).returncode == 2


def test_plot_draws_the_curve_of_a_training_log(tmp_path):
    trained = cli("train", "Pendulum-v1", *TINY_TRAIN[:-3], "--eval-every", "150", "--eval-episodes", "1",
                  "--log", "run.jsonl", "--out", "agent.json", "--no-progress", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    result = cli("plot", "run.jsonl", "-o", "curve.png", "--x", "seconds", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "libsac  Pendulum-v1  1 run  step 300" in result.stdout
    assert (tmp_path / "curve.png").read_bytes()[:4] == b"\x89PNG"
    missing = cli("plot", "nothing.jsonl", "-o", "curve.png", cwd=tmp_path)
    assert missing.returncode == 2 and "no such log file" in missing.stderr
