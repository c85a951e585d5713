"""libsac.gym.train's Stable-Baselines3 semantics: the learning_starts gate, train_freq and
gradient_steps, evaluation seeds, timestamps, vector environments and TensorBoard scalars."""
import json
import math

import pytest

import libsac

gymnasium = pytest.importorskip("gymnasium")
from gymnasium.vector import AutoresetMode  # noqa: E402
from libsac.gym import evaluate, train  # noqa: E402

SMALL = dict(hidden_sizes=(16, 16), batch_size=16, replay_capacity=4096)


def read_log(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def vector(env_id, copies, mode=AutoresetMode.SAME_STEP):
    return gymnasium.make_vec(env_id, num_envs=copies, vectorization_mode="sync",
                              vector_kwargs={"autoreset_mode": mode})


# -- when gradient steps happen ---------------------------------------------------------------------

@pytest.mark.parametrize("schedule, expected", [
    (dict(), 300 - 150 + 1),                                    # one per step from the 150th transition on
    (dict(updates_per_step=3), 3 * (300 - 150 + 1)),
    (dict(train_freq=4, gradient_steps=2), 2 * len(range(152, 301, 4))),   # steps 152, 156, ..., 300
    (dict(train_freq=5, gradient_steps=-1), 5 * len(range(150, 301, 5))),  # 5 after each 5th step from 150
    (dict(train_freq=(1, "episode"), gradient_steps=-1), 200),             # episodes end at 200 and 300
    (dict(gradient_steps=0), 0),
])
def test_no_gradient_step_before_learning_starts_then_the_schedule_counted_exactly(schedule, expected):
    agent, _ = train("Pendulum-v1", 300, seed=0, eval_every=0, progress=False, learning_starts=150,
                     **schedule, **SMALL)
    with agent:
        assert agent.env_steps == 300
        assert agent.gradient_steps == expected


def test_an_episode_schedule_counts_only_finished_episodes():
    # Pendulum's episodes are 200 steps: the first one ends during the warm-up (learning_starts 250),
    # so nothing is owed for it; the second ends at 400 with 200 transitions collected since.
    agent, _ = train("Pendulum-v1", 450, seed=0, eval_every=0, progress=False, learning_starts=250,
                     train_freq=(1, "episode"), gradient_steps=-1, **SMALL)
    with agent:
        assert agent.gradient_steps == 200


@pytest.mark.parametrize("bad", [dict(train_freq=0), dict(train_freq=(2, "epoch")), dict(train_freq=(1.5, "step")),
                                 dict(gradient_steps=-2), dict(gradient_steps=1.0),
                                 dict(updates_per_step=2, gradient_steps=2), dict(updates_per_step=-1),
                                 dict(n_envs=0), dict(n_envs=True)])
def test_an_impossible_schedule_is_a_config_error(bad):
    with pytest.raises(libsac.ConfigError):
        train("Pendulum-v1", 10, eval_every=0, progress=False, **bad, **SMALL)


# -- evaluation seeds and timestamps ------------------------------------------------------------------

def test_evaluations_use_eval_seed_plus_k_for_episode_k():
    agent, history = train("Pendulum-v1", 200, seed=0, eval_every=200, eval_episodes=3, eval_seed=777,
                           progress=False, **SMALL)
    with agent:
        assert history.evaluations[0]["mean_return"] == evaluate(agent, "Pendulum-v1", 3, seed=777)["mean_return"]
        assert history.evaluations[0]["mean_return"] != evaluate(agent, "Pendulum-v1", 3, seed=12345)["mean_return"]


def test_a_resumed_run_continues_the_clock_of_its_checkpoint(tmp_path):
    checkpoint, log = tmp_path / "ckpt.json", tmp_path / "log.jsonl"
    first, _ = train("Pendulum-v1", 200, seed=0, eval_every=0, checkpoint_every=200, checkpoint_path=checkpoint,
                     log_path=log, progress=False, **SMALL)
    first.close()
    at_checkpoint = json.loads((tmp_path / "ckpt.json.train.json").read_text())["elapsed"]
    end_of_first = read_log(log)[-1]
    assert end_of_first["event"] == "end" and 0 < at_checkpoint <= end_of_first["elapsed"]
    resumed, _ = train("Pendulum-v1", 200, seed=0, eval_every=0, resume_from=checkpoint, log_path=log,
                       progress=False)
    resumed.close()
    second = read_log(log)[3:]  # the first run logged start, the episode ending at 200, end
    assert second[0]["event"] == "start" and second[0]["step"] == 200
    assert second[0]["elapsed"] == pytest.approx(at_checkpoint, abs=1e-3)
    assert [r["step"] for r in second] == [200, 400, 400]  # start, the episode ending at 400, end
    assert second[-1]["elapsed"] > second[0]["elapsed"]
    assert second[-1]["steps_per_s"] > 0


# -- vector environments ------------------------------------------------------------------------------

@pytest.mark.parametrize("env_id, overrides", [("Pendulum-v1", {}), ("CartPole-v1", dict(learning_starts=50))])
def test_one_vector_copy_trains_exactly_like_the_single_environment(env_id, overrides):
    single, single_history = train(env_id, 400, seed=3, eval_every=200, eval_episodes=2, progress=False,
                                   **overrides, **SMALL)
    copies = vector(env_id, 1)
    try:
        batched, batched_history = train(copies, 400, seed=3, eval_every=200, eval_episodes=2, eval_env=env_id,
                                         progress=False, **overrides, **SMALL)
    finally:
        copies.close()
    with single, batched:
        assert batched_history.episode_returns == single_history.episode_returns
        assert batched_history.evaluations == single_history.evaluations
        assert batched.to_json() == single.to_json()


@pytest.mark.parametrize("mode", [AutoresetMode.SAME_STEP, AutoresetMode.NEXT_STEP])
def test_vector_copies_store_only_real_transitions(mode):
    # CartPole's episodes end at different times in different copies; in next-step mode the step
    # call after an episode's end only resets that copy and must not be stored.
    copies = vector("CartPole-v1", 3, mode)
    try:
        agent, history = train(copies, 600, seed=1, eval_every=0, progress=False, learning_starts=600, **SMALL)
    finally:
        copies.close()
    with agent:
        assert 600 <= agent.env_steps < 603 and history.steps == agent.env_steps
        assert agent.replay_size == agent.env_steps
        assert len(history.episode_returns) >= 10 and sum(history.episode_returns) <= agent.env_steps
        assert all(r == int(r) and r >= 1 for r in history.episode_returns)  # CartPole pays 1 per step


def test_n_envs_steps_copies_together_and_counts_gradient_steps_per_call():
    # 3 copies, 600 transitions in 200 calls; one gradient step per call from the 150th transition
    # (the 50th call) on: calls 50..200.
    agent, history = train("Pendulum-v1", 600, seed=0, n_envs=3, eval_every=300, eval_episodes=1, progress=False,
                           learning_starts=150, **SMALL)
    with agent:
        assert agent.env_steps == history.steps == 600
        assert agent.gradient_steps == 151
        assert [e["step"] for e in history.evaluations] == [300, 600]
        assert len(history.episode_returns) == 3  # each copy finished one 200-step episode


# -- TensorBoard ----------------------------------------------------------------------------------------

def test_tensorboard_scalars_read_back_with_tensorboards_own_reader(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util.tensor_util import make_ndarray

    board = tmp_path / "board"
    agent, history = train("Pendulum-v1", 400, seed=0, eval_every=200, eval_episodes=1, tensorboard=board,
                           progress=False, **SMALL)
    agent.close()
    reader = EventAccumulator(str(board))
    reader.Reload()

    def series(tag):
        return [(event.step, float(make_ndarray(event.tensor_proto))) for event in reader.Tensors(tag)]

    assert series("rollout/episode_return") == [(200, pytest.approx(history.episode_returns[0])),
                                                (400, pytest.approx(history.episode_returns[1]))]
    assert series("eval/mean_return") == [(e["step"], pytest.approx(e["mean_return"])) for e in history.evaluations]
    for name in ("critic_loss", "actor_loss", "alpha", "alpha_loss", "entropy", "mean_q", "value_loss"):
        values = series(f"train/{name}")
        assert [step for step, _ in values] == [200, 400] and all(math.isfinite(v) for _, v in values), name


def test_cli_passes_the_new_options_through(tmp_path):
    from libsac.cli import main

    log, board, out = tmp_path / "log.jsonl", tmp_path / "board", tmp_path / "agent.json"
    assert main(["train", "Pendulum-v1", "--steps", "300", "--hidden", "16", "16", "--batch-size", "16",
                 "--learning-starts", "100", "--train-freq", "2", "--gradient-steps", "3", "--n-envs", "2",
                 "--eval-every", "300", "--eval-episodes", "1", "--eval-seed", "5", "--log", str(log),
                 "--tensorboard", str(board), "--out", str(out), "--no-progress"]) == 0
    records = read_log(log)
    assert records[0]["n_envs"] == 2 and records[0]["eval_seed"] == 5
    with libsac.Agent.load(out) as agent:
        assert agent.gradient_steps == 3 * len(range(50, 151, 2))  # calls 50, 52, ..., 150
    assert any(board.iterdir())
    with pytest.raises(SystemExit):
        main(["train", "Pendulum-v1", "--train-freq", "2:epoch", "--out", str(out)])


def test_a_log_cut_in_the_middle_of_a_line_is_repaired_before_records_are_added(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"event": "start", "step": 0}\n{"event": "episode", "step": 20', encoding="utf-8")  # killed
    agent, _ = train("Pendulum-v1", 200, seed=0, eval_every=0, log_path=log, progress=False, **SMALL)
    agent.close()
    records = read_log(log)  # every line parses
    assert records[0] == {"event": "start", "step": 0} and records[1]["event"] == "start"
