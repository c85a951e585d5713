"""SAC through the Python binding must learn Gymnasium's own Pendulum-v1 (slow: a few minutes)."""
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
