"""SAC through the Python binding must learn Gymnasium's own Pendulum-v1 (continuous SAC) and
CartPole-v1 (discrete SAC). Slow: a few minutes for Pendulum, seconds to a minute for CartPole."""
import libsac.gym


def test_gymnasium_pendulum_beats_minus_200_within_20000_steps():
    # SB3 RL-zoo's tuned Pendulum settings (lr 1e-3), library defaults otherwise (hidden [256, 256],
    # batch 256). Evaluation every 1,000 steps over 10 deterministic episodes; training stops at the
    # first evaluation better than -200, so a solved run takes a fraction of the budget.
    agent, history = libsac.gym.train(
        "Pendulum-v1", 20_000, seed=1, actor_lr=1e-3, critic_lr=1e-3, alpha_lr=1e-3,
        eval_every=1_000, eval_episodes=10, target_return=-200, progress=False)
    with agent:
        print(f"evaluations: {history.evaluations}")
        assert history.best_evaluation is not None
        assert history.best_evaluation > -200, history.evaluations
        assert history.steps <= 20_000


def test_gymnasium_cartpole_reaches_400_with_discrete_sac_within_50000_steps():
    # The Discrete action space picks discrete SAC (Agent.from_env); hidden [64, 64], batch 64,
    # library defaults otherwise (lr 3e-4, alpha learned toward 0.98 log 2). Evaluation every 1,000
    # steps over 10 deterministic episodes (at most 500 steps each); training stops at the first
    # mean return of 400 or more. Seeds 0-5 stop after 1,000-11,000 steps (5-12 s).
    agent, history = libsac.gym.train(
        "CartPole-v1", 50_000, seed=0, hidden_sizes=(64, 64), batch_size=64,
        eval_every=1_000, eval_episodes=10, target_return=400, progress=False)
    with agent:
        print(f"evaluations: {history.evaluations}")
        assert agent.config.algorithm == "discrete" and agent.config.n_actions == 2
        assert history.best_evaluation is not None
        assert history.best_evaluation >= 400, history.evaluations
        assert history.stopped_early and history.steps <= 50_000
        # the saved policy acts like the trained agent
        result = libsac.gym.evaluate(agent, "CartPole-v1", episodes=5)
        with libsac.Agent.from_json(agent.to_json("policy")) as policy:
            assert libsac.gym.evaluate(policy, "CartPole-v1", episodes=5) == result
