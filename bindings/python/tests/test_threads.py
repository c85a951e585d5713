"""Distinct agents may be used from different threads at the same time: training two agents in two
threads gives bit-for-bit what training them one after the other gives; error messages are per thread."""
import threading

import numpy as np

import libsac

OBS_DIM, ACTION_DIM = 4, 2
STEPS = 232  # one update per step from the 40th (learning_starts) transition on: 193 updates


def train_sequence(seed):
    """observe/update/act on synthetic data; returns everything the run produced."""
    agent = libsac.Agent(obs_dim=OBS_DIM, action_dim=ACTION_DIM, action_low=[-1.0, 0.0], action_high=[1.0, 2.0],
                         hidden_sizes=(32, 32), batch_size=32, replay_capacity=1024, learning_starts=40, seed=seed)
    rng = np.random.default_rng(seed)
    probe = rng.standard_normal((8, OBS_DIM)).astype(np.float32)
    actions, stats = [], []
    try:
        obs = rng.standard_normal(OBS_DIM).astype(np.float32)
        for step in range(STEPS):
            action = agent.act(obs)
            actions.append(action)
            next_obs = rng.standard_normal(OBS_DIM).astype(np.float32)
            agent.observe(obs, action, float(rng.standard_normal()), next_obs, step % 40 == 39)
            if agent.env_steps >= 40:
                stats.append(agent.update())
                actions.append(agent.act_batch(probe, deterministic=True).ravel())
            obs = next_obs
        return {"actions": np.concatenate(actions), "stats": stats, "json": agent.to_json(),
                "gradient_steps": agent.gradient_steps}
    finally:
        agent.close()


def test_two_agents_trained_in_parallel_threads_match_sequential_runs():
    seeds = (1, 2)
    sequential = [train_sequence(seed) for seed in seeds]
    assert sequential[0]["gradient_steps"] == sequential[1]["gradient_steps"] == 193
    assert sequential[0]["json"] != sequential[1]["json"]

    results, errors = [None, None], []
    start = threading.Barrier(len(seeds))

    def worker(index, seed):
        try:
            start.wait(timeout=30)
            results[index] = train_sequence(seed)
        except BaseException as error:  # reported below: an exception in a thread would be lost
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i, seed)) for i, seed in enumerate(seeds)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    assert errors == []
    for parallel, alone in zip(results, sequential):
        np.testing.assert_array_equal(parallel["actions"], alone["actions"])
        assert parallel["stats"] == alone["stats"]
        assert parallel["json"] == alone["json"]


def test_error_messages_are_per_thread():
    # sac_last_error() is thread-local: concurrent failures never swap messages between threads.
    mismatches, errors = [], []
    start = threading.Barrier(2)

    def worker(obs_dim, bad_len):
        try:
            with libsac.Agent(obs_dim=obs_dim, action_dim=1, hidden_sizes=(8,), batch_size=4,
                              replay_capacity=8) as agent:
                start.wait(timeout=30)
                expected = f"obs_len is {bad_len} but the agent was created with obs_dim {obs_dim}"
                for _ in range(2000):
                    try:
                        agent.act_batch(np.zeros((1, bad_len), dtype=np.float32))
                    except libsac.ShapeError as error:
                        if f"obs_len is {bad_len}" not in error.message or f"obs_dim {obs_dim}" not in error.message:
                            mismatches.append(error.message)
                    else:
                        mismatches.append("no error")
                    try:
                        agent.observe([0.0] * bad_len, [0.0], 0.0, [0.0] * obs_dim, False)
                    except libsac.ShapeError as error:
                        if expected not in error.message:
                            mismatches.append(error.message)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(3, 5)), threading.Thread(target=worker, args=(7, 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert mismatches == []
