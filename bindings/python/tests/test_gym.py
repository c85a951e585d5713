"""libsac.gym: the Gymnasium training loop and evaluation, on Pendulum-v1 (continuous) and CartPole-v1
(discrete) with tiny networks."""
import json
import math

import numpy as np
import pytest

import libsac

gymnasium = pytest.importorskip("gymnasium")
from libsac.gym import History, evaluate, train  # noqa: E402  (needs gymnasium)

SMALL = dict(hidden_sizes=(16, 16), batch_size=16, replay_capacity=4096)
TINY_DISCRETE = dict(hidden_sizes=(16, 16), batch_size=16, replay_capacity=4096, learning_starts=50)


def evaluate_by_hand(agent, env, episodes, seed):
    """The documented evaluation, written out: deterministic actions, episode i reset with seed + i."""
    returns = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(agent.act(obs, deterministic=True))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return {"mean_return": float(np.mean(returns)), "std_return": float(np.std(returns))}


def read_log(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_train_smoke_returns_agent_history_and_writes_the_log(tmp_path):
    log = tmp_path / "log.jsonl"
    agent, history = train("Pendulum-v1", 600, seed=0, eval_every=300, eval_episodes=2, log_path=log,
                           progress=False, **SMALL)
    with agent:
        assert isinstance(agent, libsac.Agent) and isinstance(history, History)
        assert history.steps == 600
        assert not history.stopped_early
        assert history.seconds > 0
        assert len(history.episode_returns) == 3  # Pendulum episodes are 200 steps
        assert all(math.isfinite(r) and r < 0 for r in history.episode_returns)
        assert [e["step"] for e in history.evaluations] == [300, 600]
        assert history.best_evaluation == max(e["mean_return"] for e in history.evaluations)
        assert agent.env_steps == 600 and agent.replay_size == 600
        assert agent.gradient_steps == 600 - 100 + 1  # one update per step from the 100th (learning_starts) on
        assert agent.config.hidden_sizes == (16, 16) and agent.config.action_low == [-2.0]

    records = read_log(log)
    episodes = [r for r in records if r["event"] == "episode"]
    evals = [r for r in records if r["event"] == "eval"]
    assert records[0]["event"] == "start" and records[-1]["event"] == "end"
    assert len(episodes) + len(evals) + 2 == len(records)
    assert records[0]["step"] == 0 and records[-1]["step"] == 600
    assert [r["elapsed"] for r in records] == sorted(r["elapsed"] for r in records)
    assert all(r["steps_per_s"] >= 0 for r in records)
    assert [r["step"] for r in episodes] == [200, 400, 600]
    assert [r["length"] for r in episodes] == [200, 200, 200]
    assert [r["episode_return"] for r in episodes] == history.episode_returns
    for record in episodes:
        for key in ("critic_loss", "actor_loss", "alpha", "alpha_loss", "entropy", "mean_q"):
            assert math.isfinite(record[key]), record
    assert [(r["step"], r["mean_return"], r["std_return"]) for r in evals] == \
        [(e["step"], e["mean_return"], e["std_return"]) for e in history.evaluations]


@pytest.mark.parametrize("env_id, steps, seed, sizes", [
    ("Pendulum-v1", 250, 4, SMALL),
    ("CartPole-v1", 300, 3, TINY_DISCRETE),
])
def test_train_is_deterministic_for_a_seed(env_id, steps, seed, sizes):
    runs = []
    for _ in range(2):
        agent, history = train(env_id, steps, seed=seed, eval_every=0, progress=False, **sizes)
        with agent:
            runs.append((history.episode_returns, agent.to_json()))
    assert runs[0] == runs[1]


def test_several_threads_train_the_same_agent_as_one():
    runs = []
    for threads in (1, 2, 3, None):
        agent, history = train("Pendulum-v1", 120, seed=2, eval_every=0, progress=False, threads=threads,
                               hidden_sizes=(64, 64), batch_size=64, replay_capacity=4096)
        with agent:
            runs.append((history.episode_returns, agent.gradient_steps, agent.to_json()))
    assert runs[0][1] == 120 - 100 + 1  # from learning_starts on
    assert all(run == runs[0] for run in runs[1:])


@pytest.mark.parametrize("threads", [0, 65, True, 1.5])
def test_threads_outside_1_to_64_are_a_config_error(threads):
    with pytest.raises(libsac.ConfigError, match="threads must be an integer from 1 to 64"):
        train("Pendulum-v1", 10, eval_every=0, progress=False, threads=threads, **SMALL)


def test_checkpoint_every_writes_a_checkpoint_and_its_replay_file(tmp_path):
    checkpoint = tmp_path / "ckpt.json"
    agent, history = train("Pendulum-v1", 600, seed=0, eval_every=0, checkpoint_every=250,
                           checkpoint_path=checkpoint, progress=False, **SMALL)
    agent.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.json", "ckpt.json.replay", "ckpt.json.train.json"]
    with libsac.Agent.load(checkpoint) as saved:
        assert saved.env_steps == 500  # the last multiple of 250
        assert saved.gradient_steps == 500 - 100 + 1
        saved.load_replay(str(checkpoint) + ".replay")
        assert saved.replay_size == 500


def test_resume_from_continues_the_step_count(tmp_path):
    checkpoint, log = tmp_path / "ckpt.json", tmp_path / "log.jsonl"
    first, _ = train("Pendulum-v1", 400, seed=0, eval_every=0, checkpoint_every=400, checkpoint_path=checkpoint,
                     progress=False, **SMALL)
    first.close()
    agent, history = train("Pendulum-v1", 200, seed=1, eval_every=200, eval_episodes=1, resume_from=checkpoint,
                           log_path=log, progress=False)
    with agent:
        assert history.steps == 200
        assert agent.env_steps == 600
        assert agent.replay_size == 600  # the checkpoint's 400 transitions plus 200 new ones
        assert agent.gradient_steps == (400 - 100 + 1) + 200
        assert agent.config.hidden_sizes == (16, 16)  # the checkpoint's config, not the defaults
    records = read_log(log)
    assert [(r["event"], r["step"]) for r in records] == [("start", 400), ("episode", 600), ("eval", 600), ("end", 600)]


def test_resume_from_without_a_replay_file_starts_with_an_empty_buffer(tmp_path):
    checkpoint = tmp_path / "ckpt.json"
    first, _ = train("Pendulum-v1", 100, seed=0, eval_every=0, progress=False, **SMALL)
    first.save(checkpoint)
    first.close()
    agent, _ = train("Pendulum-v1", 20, eval_every=0, resume_from=checkpoint, progress=False)
    with agent:
        assert agent.env_steps == 120
        assert agent.replay_size == 20


def test_target_return_stops_training_at_the_first_evaluation_reaching_it(tmp_path):
    agent, history = train("Pendulum-v1", 600, seed=0, eval_every=200, eval_episodes=1, target_return=-1e9,
                           progress=False, **SMALL)
    with agent:
        assert history.stopped_early
        assert history.steps == 200
        assert [e["step"] for e in history.evaluations] == [200]
        assert agent.env_steps == 200


def test_unreachable_target_return_trains_to_the_end():
    agent, history = train("Pendulum-v1", 400, seed=0, eval_every=200, eval_episodes=1, target_return=1e9,
                           progress=False, **SMALL)
    agent.close()
    assert not history.stopped_early
    assert history.steps == 400 and len(history.evaluations) == 2


def test_agent_and_resume_from_together_are_a_config_error(tmp_path, small_config):
    checkpoint = tmp_path / "ckpt.json"
    with libsac.Agent(small_config) as agent:
        agent.save(checkpoint)
        with pytest.raises(libsac.ConfigError) as excinfo:
            train("Pendulum-v1", 10, agent=agent, resume_from=checkpoint, progress=False)
        assert "resume_from" in excinfo.value.message and "agent" in excinfo.value.message


def test_config_overrides_cannot_change_a_given_agent():
    env = gymnasium.make("Pendulum-v1")
    with libsac.Agent.from_env(env, **SMALL) as agent:
        with pytest.raises(libsac.ConfigError) as excinfo:
            train("Pendulum-v1", 10, agent=agent, progress=False, gamma=0.5)
        assert "gamma" in excinfo.value.message
        assert agent.env_steps == 0
    env.close()


def test_train_continues_a_given_agent():
    env = gymnasium.make("Pendulum-v1")
    with libsac.Agent.from_env(env, seed=2, **SMALL) as agent:
        returned, history = train("Pendulum-v1", 50, agent=agent, eval_every=0, progress=False)
        assert returned is agent
        returned, history = train("Pendulum-v1", 30, agent=agent, eval_every=0, progress=False)
        assert agent.env_steps == 80 and history.steps == 30
    env.close()


def test_checkpoint_every_without_a_path_is_a_config_error():
    with pytest.raises(libsac.ConfigError) as excinfo:
        train("Pendulum-v1", 10, checkpoint_every=5, progress=False, **SMALL)
    assert "checkpoint_path" in excinfo.value.message


class ToyWalk(gymnasium.Env):
    """A tiny unregistered environment (env.spec is None): 50-step episodes."""

    def __init__(self):
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, (2,), np.float32)
        self.action_space = gymnasium.spaces.Box(-1.0, 1.0, (1,), np.float32)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.t, self.x = 0, 0.0
        return np.array([0.0, 0.0], np.float32), {}

    def step(self, action):
        self.t += 1
        self.x += float(action[0])
        return np.array([self.x, self.t / 50], np.float32), -abs(self.x), False, self.t >= 50, {}


def test_evaluation_never_disturbs_the_training_environment_of_an_unregistered_env(tmp_path):
    # With an environment instance that has no spec id, evaluation must not run on (and reset) the
    # training environment: every training episode must still run its full 50 steps.
    # (Refusing such an environment with a ConfigError when eval_every is set would also be correct.)
    log = tmp_path / "log.jsonl"
    env = ToyWalk()
    try:
        agent, history = train(env, 200, eval_every=30, eval_episodes=1, log_path=log, progress=False, **SMALL)
    except libsac.ConfigError as error:
        assert "eval" in error.message
        return
    agent.close()
    assert len(history.evaluations) == 7
    episodes = [r for r in read_log(log) if r["event"] == "episode"]
    assert [r["length"] for r in episodes] == [50, 50, 50, 50]
    assert [r["step"] for r in episodes] == [50, 100, 150, 200]


def test_evaluate_returns_mean_and_std_of_the_deterministic_policy():
    env = gymnasium.make("Pendulum-v1")
    with libsac.Agent.from_env(env, **SMALL) as agent:
        result = evaluate(agent, "Pendulum-v1", episodes=3)
        assert set(result) == {"mean_return", "std_return"}
        assert math.isfinite(result["mean_return"]) and result["mean_return"] < 0
        assert result["std_return"] > 0
        assert evaluate(agent, "Pendulum-v1", episodes=3) == result  # seeded: repeatable
        # The documented computation, by hand: deterministic actions, episode i reset with seed + i.
        assert result == evaluate_by_hand(agent, env, episodes=3, seed=12345)
        assert agent.env_steps == 0  # evaluation does not train
        single = evaluate(agent, env, episodes=1, seed=7)
        assert single["std_return"] == 0.0
        with pytest.raises(libsac.ConfigError):
            evaluate(agent, "Pendulum-v1", episodes=0)
    env.close()


# -- discrete action spaces ----------------------------------------------------------------------



def test_train_on_cartpole_picks_discrete_sac_and_logs_its_stats(tmp_path):
    log = tmp_path / "log.jsonl"
    agent, history = train("CartPole-v1", 400, seed=0, eval_every=200, eval_episodes=2, log_path=log,
                           progress=False, **TINY_DISCRETE)
    with agent:
        assert agent.config.algorithm == "discrete" and agent.config.n_actions == 2
        assert agent.env_steps == 400 and agent.gradient_steps == 400 - 50 + 1
        assert history.steps == 400 and [e["step"] for e in history.evaluations] == [200, 400]
        assert sum(history.episode_returns) <= 400 and all(r >= 1 for r in history.episode_returns)
        assert type(agent.act(np.zeros(4, np.float32))) is int
    episodes = [r for r in read_log(log) if r["event"] == "episode"]
    assert episodes and sum(r["length"] for r in episodes) <= 400
    assert [r["episode_return"] for r in episodes] == history.episode_returns
    for record in episodes[1:]:  # the first episode may end before the first update
        for key in ("critic_loss", "actor_loss", "alpha", "alpha_loss", "entropy", "mean_q", "value_loss"):
            assert math.isfinite(record[key]), record
        assert record["value_loss"] == 0.0


@pytest.mark.parametrize("env_id, algorithm", [("CartPole-v1", "soft_q"), ("Pendulum-v1", "continuous_v1")])
def test_train_takes_the_algorithm_as_a_config_override(env_id, algorithm):
    agent, history = train(env_id, 100, seed=0, eval_every=100, eval_episodes=1, progress=False,
                           algorithm=algorithm, **TINY_DISCRETE)
    with agent:
        assert agent.config.algorithm == algorithm
        assert agent.gradient_steps == 100 - 50 + 1
        assert len(history.evaluations) == 1


def test_train_refuses_an_algorithm_that_does_not_fit_the_action_space():
    with pytest.raises(libsac.ConfigError) as excinfo:
        train("CartPole-v1", 10, eval_every=0, progress=False, algorithm="continuous")
    assert "Box" in excinfo.value.message


def test_discrete_checkpoint_resumes_with_its_replay_file(tmp_path):
    checkpoint = tmp_path / "ckpt.json"
    first, _ = train("CartPole-v1", 200, seed=0, eval_every=0, checkpoint_every=200, checkpoint_path=checkpoint,
                     progress=False, **TINY_DISCRETE)
    first.close()
    agent, history = train("CartPole-v1", 100, seed=1, eval_every=0, resume_from=checkpoint, progress=False)
    with agent:
        assert agent.config.algorithm == "discrete"
        assert agent.env_steps == 300 and agent.replay_size == 300


def test_evaluate_a_discrete_agent_by_hand():
    env = gymnasium.make("CartPole-v1")
    with libsac.Agent.from_env(env, **TINY_DISCRETE) as agent:
        result = evaluate(agent, "CartPole-v1", episodes=2, seed=5)
        assert result == evaluate_by_hand(agent, env, episodes=2, seed=5)
    env.close()


class ShiftedChoice(gymnasium.Env):
    """An unregistered environment whose Discrete actions are {-1, 0, 1}."""

    def __init__(self):
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, (2,), np.float32)
        self.action_space = gymnasium.spaces.Discrete(3, start=-1)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.t, self.x = 0, 0
        return np.array([0.0, 0.0], np.float32), {}

    def step(self, action):
        assert self.action_space.contains(action), action
        self.t += 1
        self.x += int(action)
        return np.array([self.x, self.t / 20], np.float32), -abs(self.x), False, self.t >= 20, {}


def test_a_discrete_space_not_starting_at_zero_is_refused_and_a_shifting_wrapper_works():
    with pytest.raises(libsac.ConfigError) as excinfo:
        train(ShiftedChoice(), 10, eval_every=0, progress=False)
    assert "start" in excinfo.value.message
    shifted = gymnasium.wrappers.TransformAction(ShiftedChoice(), lambda a: int(a) - 1, gymnasium.spaces.Discrete(3))
    agent, history = train(shifted, 60, eval_every=0, progress=False, **TINY_DISCRETE)
    with agent:
        assert agent.config.n_actions == 3 and len(history.episode_returns) == 3
