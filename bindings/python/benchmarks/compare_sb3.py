"""libsac against Stable-Baselines3's SAC, in one run, with the same hyper-parameters.

    python bindings/python/benchmarks/compare_sb3.py [--quick] [--json]

Both sides use batch 256, hidden [256, 256], Adam lr 3e-4, a 1,000,000-transition replay buffer,
seed 0, and torch runs on the CPU with every core (torch.set_num_threads(os.cpu_count()), or
--torch-threads N).
Measured, each figure the best of several timed repeats (the machine's cores are shared):

1. Gradient steps per second at (obs, act) = (3, 1) and (17, 6). Both replay buffers are filled
   with the same 10,000 random transitions (SB3 through `model.replay_buffer.add`, libsac through
   `Agent.observe`); then SB3 times `model.train(gradient_steps=N, batch_size=256)` (after
   `model._setup_learn`, which sets up its logger) and libsac `Agent.update(N)`.
2. Python-side latency of one observation's action: `Agent.act` against `model.predict`,
   deterministic and stochastic.
3. Training on Gymnasium's Pendulum-v1 for 20,000 steps with lr 1e-3 (one gradient step per
   environment step, 100 random warm-up steps): wall time, and the final deterministic policy's
   mean return over 10 episodes (the same seeds for both, 12345 + episode).
   libsac trains with `libsac.gym.train`, SB3 with `model.learn`; libsac's first update waits for
   a full batch (256 transitions), SB3's starts after its 100 warm-up steps, sampling with
   replacement.

libsac's gradient steps use 1 thread by default; where the library has `Agent.set_threads` and the
machine 2 cores, the gradient-step and Pendulum figures are also measured with `set_threads(2)`
(bit-identical results, so the 2-thread policy must score exactly the 1-thread one's return).

The table gives the figures and "libsac ×", the speed-up of libsac (SB3's time over libsac's, or
libsac's rate over SB3's): above 1, libsac is faster. `--json` prints the results as JSON instead;
progress goes to stderr. `--quick` is a smoke test (tiny step counts, well under a minute) that
checks every code path and asserts the results are sane; its figures mean nothing.

Installs nothing: it needs numpy, torch, stable-baselines3, gymnasium and libsac in the running
interpreter (`make bench-venv` builds .venv-bench with them) and stops with the name of any that
is missing.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import Any, Dict, List

from _common import (best_time, emit, evaluate, fmt, fmt_return, format_machine, log, machine_state, per_call_us,
                     print_table, ratio, require, warn_unless_threads_agree)

SCRIPT = "compare_sb3.py"
BATCH = 256
HIDDEN = (256, 256)
LR = 3e-4
BUFFER = 1_000_000
SEED = 0
PENDULUM_LR = 1e-3
WARMUP_STEPS = 100  # SB3's learning_starts default; libsac's learning_starts default too


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny step counts, figures meaningless")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--pendulum-steps", type=int, default=None, help="training steps (default 20,000)")
    parser.add_argument("--skip-pendulum", action="store_true", help="only the gradient-step and latency figures")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch intra-op threads (default os.cpu_count(), every core)")
    return parser.parse_args()


def make_box_env(gymnasium: Any, np: Any, obs_dim: int, action_dim: int) -> Any:
    """A stand-in environment with Box spaces of the given sizes: SB3 needs one to build a model;
    the gradient-step measurement never steps it."""
    class _Env(gymnasium.Env):
        metadata: Dict[str, Any] = {}

        def __init__(self) -> None:
            self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, (obs_dim,), np.float32)
            self.action_space = gymnasium.spaces.Box(-1.0, 1.0, (action_dim,), np.float32)
            self._rng = np.random.default_rng(SEED)

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            return self._rng.standard_normal(obs_dim).astype(np.float32), {}

        def step(self, action):
            return self._rng.standard_normal(obs_dim).astype(np.float32), 0.0, False, False, {}

    return _Env()


def transitions(np: Any, n: int, obs_dim: int, action_dim: int) -> Dict[str, Any]:
    """n random transitions, the same for both libraries (actions in [-1, 1], the bounds of both)."""
    rng = np.random.default_rng(SEED)
    return {
        "obs": rng.standard_normal((n, obs_dim)).astype(np.float32),
        "actions": rng.uniform(-1.0, 1.0, (n, action_dim)).astype(np.float32),
        "rewards": rng.standard_normal(n).astype(np.float32),
        "next_obs": rng.standard_normal((n, obs_dim)).astype(np.float32),
        "terminated": rng.random(n) < 0.01,
    }


def measure_dims(mods: Dict[str, Any], obs_dim: int, action_dim: int, q: Dict[str, int]) -> Dict[str, Any]:
    """Gradient steps per second and act latency of both libraries at one (obs, act) size."""
    np, torch, gymnasium, libsac = mods["numpy"], mods["torch"], mods["gymnasium"], mods["libsac"]
    from stable_baselines3 import SAC

    data = transitions(np, q["fill"], obs_dim, action_dim)
    result: Dict[str, Any] = {"obs_dim": obs_dim, "action_dim": action_dim, "transitions": q["fill"],
                              "steps_per_repeat": q["grad_steps"], "repeats": q["repeats"]}

    # -- SB3 ------------------------------------------------------------------------------------
    torch.manual_seed(SEED)
    model = SAC("MlpPolicy", make_box_env(gymnasium, np, obs_dim, action_dim), learning_rate=LR, buffer_size=BUFFER,
                batch_size=BATCH, learning_starts=WARMUP_STEPS, policy_kwargs={"net_arch": list(HIDDEN)}, seed=SEED,
                device="cpu", verbose=0)
    model._setup_learn(total_timesteps=q["fill"])  # resets the env and sets up the logger train() writes to
    buffer = model.replay_buffer
    for i in range(q["fill"]):
        buffer.add(data["obs"][i:i + 1], data["next_obs"][i:i + 1], data["actions"][i:i + 1],
                   data["rewards"][i:i + 1], data["terminated"][i:i + 1], [{}])
    assert buffer.size() == q["fill"], buffer.size()
    model.train(gradient_steps=q["warmup"], batch_size=BATCH)
    seconds = best_time(lambda: model.train(gradient_steps=q["grad_steps"], batch_size=BATCH), q["repeats"])
    result["sb3_steps_per_second"] = q["grad_steps"] / seconds
    assert model._n_updates == q["warmup"] + q["grad_steps"] * q["repeats"], model._n_updates

    # -- libsac ---------------------------------------------------------------------------------
    agent = libsac.Agent(obs_dim=obs_dim, action_dim=action_dim, hidden_sizes=HIDDEN, batch_size=BATCH,
                         actor_lr=LR, critic_lr=LR, alpha_lr=LR, replay_capacity=BUFFER,
                         learning_starts=WARMUP_STEPS, seed=SEED)
    for i in range(q["fill"]):
        agent.observe(data["obs"][i], data["actions"][i], float(data["rewards"][i]), data["next_obs"][i],
                      bool(data["terminated"][i]), False)
    assert agent.replay_size == q["fill"], agent.replay_size
    agent.update(q["warmup"])
    seconds = best_time(lambda: agent.update(q["grad_steps"]), q["repeats"])
    result["libsac_steps_per_second"] = q["grad_steps"] / seconds
    assert agent.gradient_steps == q["warmup"] + q["grad_steps"] * q["repeats"], agent.gradient_steps
    result["gradient_steps_speedup"] = ratio(result["libsac_steps_per_second"], result["sb3_steps_per_second"])
    if 2 in q["libsac_threads"]:
        agent.set_threads(2)
        agent.update(q["warmup"])
        seconds = best_time(lambda: agent.update(q["grad_steps"]), q["repeats"])
        result["libsac_2threads_steps_per_second"] = q["grad_steps"] / seconds
        result["gradient_steps_2threads_speedup"] = ratio(result["libsac_2threads_steps_per_second"],
                                                          result["sb3_steps_per_second"])
        agent.set_threads(1)

    # -- act latency: one observation, numpy float32 in, numpy out ----------------------------------
    obs = data["obs"][0].copy()
    for deterministic in (True, False):
        label = "deterministic" if deterministic else "stochastic"
        sb3_action = model.predict(obs, deterministic=deterministic)[0]
        libsac_action = agent.act(obs, deterministic=deterministic)
        assert sb3_action.shape == (action_dim,) and libsac_action.shape == (action_dim,)
        assert np.all(np.abs(libsac_action) <= 1.0) and np.all(np.abs(sb3_action) <= 1.0)
        result[f"sb3_predict_us_{label}"] = per_call_us(lambda: model.predict(obs, deterministic=deterministic),
                                                        q["act_calls"], q["repeats"])
        result[f"libsac_act_us_{label}"] = per_call_us(lambda: agent.act(obs, deterministic=deterministic),
                                                       q["act_calls"], q["repeats"])
        result[f"act_speedup_{label}"] = ratio(result[f"sb3_predict_us_{label}"], result[f"libsac_act_us_{label}"])
    agent.close()
    del model
    return result


def pendulum(mods: Dict[str, Any], steps: int, episodes: int, threads_list: Any) -> Dict[str, Any]:
    """20,000 steps of Pendulum-v1 for each library, then 10 deterministic evaluation episodes."""
    gymnasium, torch, libsac = mods["gymnasium"], mods["torch"], mods["libsac"]
    from libsac.gym import train
    from stable_baselines3 import SAC

    make_env = lambda: gymnasium.make("Pendulum-v1")  # noqa: E731
    result: Dict[str, Any] = {"steps": steps, "lr": PENDULUM_LR, "eval_episodes": episodes}

    log(f"  SB3: training Pendulum-v1 for {steps} steps")
    torch.manual_seed(SEED)
    model = SAC("MlpPolicy", make_env(), learning_rate=PENDULUM_LR, buffer_size=BUFFER, batch_size=BATCH,
                learning_starts=WARMUP_STEPS, policy_kwargs={"net_arch": list(HIDDEN)}, seed=SEED, device="cpu",
                verbose=0)
    start = time.perf_counter()
    model.learn(total_timesteps=steps, progress_bar=False)
    result["sb3_seconds"] = time.perf_counter() - start
    assert model.num_timesteps == steps, model.num_timesteps
    result["sb3_gradient_steps"] = int(model._n_updates)
    result["sb3_eval"] = evaluate(lambda obs: model.predict(obs, deterministic=True)[0], make_env, episodes)
    log(f"  SB3: {result['sb3_seconds']:.1f} s, return {fmt_return(result['sb3_eval'])}")
    del model

    for threads in threads_list:
        key = "libsac" if threads == 1 else f"libsac_{threads}threads"
        log(f"  libsac, {threads} thread(s): training Pendulum-v1 for {steps} steps")
        start = time.perf_counter()
        # What libsac.gym.train builds from its keyword arguments, made here to set the threads.
        agent = libsac.Agent.from_env(make_env(), seed=SEED, actor_lr=PENDULUM_LR, critic_lr=PENDULUM_LR,
                                      alpha_lr=PENDULUM_LR, hidden_sizes=HIDDEN, batch_size=BATCH,
                                      replay_capacity=BUFFER, learning_starts=WARMUP_STEPS)
        if threads != 1:
            agent.set_threads(threads)
        agent, history = train("Pendulum-v1", steps, seed=SEED, agent=agent, eval_every=0, progress=False)
        result[f"{key}_seconds"] = time.perf_counter() - start
        assert history.steps == steps and agent.env_steps == steps, (history.steps, agent.env_steps)
        result[f"{key}_gradient_steps"] = agent.gradient_steps
        result[f"{key}_eval"] = evaluate(lambda obs: agent.act(obs, deterministic=True), make_env, episodes)
        log(f"  libsac: {result[f'{key}_seconds']:.1f} s, return {fmt_return(result[f'{key}_eval'])}")
        agent.close()
        result[f"{'wall_time' if threads == 1 else f'wall_time_{threads}threads'}_speedup"] = \
            ratio(result["sb3_seconds"], result[f"{key}_seconds"])
    if "libsac_2threads_eval" in result:
        result["libsac_2threads_same_return"] = result["libsac_2threads_eval"] == result["libsac_eval"]
    return result


def print_report(report: Dict[str, Any]) -> None:
    before, after = report["machine_before"], report["machine_after"]
    v = before["versions"]
    two = 2 in report["libsac_threads"]
    print(f"libsac {v.get('libsac')} vs Stable-Baselines3 {v.get('stable_baselines3')} SAC (torch {v.get('torch')}, "
          f"{report['torch_threads']} threads){'  [--quick: figures meaningless]' if report['quick'] else ''}")
    print(f"{before['cpu']}, {before['cpu_count']} cores; Python {before['python']}, numpy {v.get('numpy')}, "
          f"gymnasium {v.get('gymnasium')}")
    print(format_machine("start", before))
    print(format_machine("end  ", after))
    print(f"batch {BATCH}, hidden {list(HIDDEN)}, lr {LR} (Pendulum: {PENDULUM_LR}), buffer {BUFFER:,}, seed {SEED}; "
          f"'libsac ×' is libsac's speed-up over SB3 (> 1: libsac faster)")
    print()
    headers = ["measurement", "SB3", "libsac 1 thread", "libsac × (1 thread)"]
    if two:
        headers[3:3] = ["libsac 2 threads"]
        headers.append("libsac × (2 threads)")

    def row(name: str, sb3: str, one: str, two_: str, r1: str, r2: str) -> List[str]:
        return [name, sb3, one, two_, r1, r2] if two else [name, sb3, one, r1]

    rows = []
    for d in report["dims"]:
        size = f"({d['obs_dim']}, {d['action_dim']})"
        rows.append(row(f"gradient steps/s {size}", fmt(d["sb3_steps_per_second"]), fmt(d["libsac_steps_per_second"]),
                        fmt(d.get("libsac_2threads_steps_per_second")), fmt(d["gradient_steps_speedup"], 2),
                        fmt(d.get("gradient_steps_2threads_speedup"), 2)))
    for d in report["dims"]:
        size = f"({d['obs_dim']}, {d['action_dim']})"
        for label in ("deterministic", "stochastic"):
            rows.append(row(f"act/predict µs {size} {label}", fmt(d[f"sb3_predict_us_{label}"]),
                            fmt(d[f"libsac_act_us_{label}"]), "", fmt(d[f"act_speedup_{label}"], 2), ""))
    p = report.get("pendulum")
    if p:
        n = p["steps"]
        rows.append(row(f"Pendulum-v1 {n:,} steps: wall time s", fmt(p["sb3_seconds"]), fmt(p["libsac_seconds"]),
                        fmt(p.get("libsac_2threads_seconds")), fmt(p["wall_time_speedup"], 2),
                        fmt(p.get("wall_time_2threads_speedup"), 2)))
        rows.append(row("  env steps/s", fmt(n / p["sb3_seconds"]), fmt(n / p["libsac_seconds"]),
                        fmt(n / p["libsac_2threads_seconds"]) if two else "", "", ""))
        rows.append(row("  gradient steps", f"{p['sb3_gradient_steps']:,}", f"{p['libsac_gradient_steps']:,}",
                        f"{p['libsac_2threads_gradient_steps']:,}" if two else "", "", ""))
        rows.append(row(f"  final deterministic return ({p['eval_episodes']} ep.)", fmt_return(p["sb3_eval"]),
                        fmt_return(p["libsac_eval"]), fmt_return(p.get("libsac_2threads_eval")), "", ""))
    print_table(headers, rows)
    d0 = report["dims"][0]
    print()
    print(f"gradient steps: {d0['transitions']:,} transitions, best of {d0['repeats']} × {d0['steps_per_repeat']} "
          f"steps; act: best of {d0['repeats']} loops of {report.get('act_calls', '')} calls, on the 1-thread agent "
          "(act uses one thread); wall times include environment stepping and Python overhead")


def main() -> None:
    args = parse_args()
    mods = {
        "numpy": require("numpy", script=SCRIPT),
        "torch": require("torch", script=SCRIPT),
        "gymnasium": require("gymnasium", script=SCRIPT),
    }
    require("stable_baselines3", "stable-baselines3", script=SCRIPT)
    mods["libsac"] = require("libsac", "libsac (pip install ./bindings/python)", script=SCRIPT)

    torch = mods["torch"]
    torch.set_num_threads(args.torch_threads or os.cpu_count() or 1)
    q = ({"fill": 1_000, "warmup": 1, "grad_steps": 3, "repeats": 1, "act_calls": 20} if args.quick else
         {"fill": 10_000, "warmup": 10, "grad_steps": 100, "repeats": 5, "act_calls": 2_000})
    two = hasattr(mods["libsac"].Agent, "set_threads") and (os.cpu_count() or 1) >= 2
    q["libsac_threads"] = [1, 2] if two else [1]
    steps = args.pendulum_steps or (300 if args.quick else 20_000)
    episodes = 1 if args.quick else 10

    packages = ["libsac", "stable_baselines3", "torch", "numpy", "gymnasium"]
    report: Dict[str, Any] = {"quick": args.quick, "torch_threads": torch.get_num_threads(),
                              "libsac_threads": q["libsac_threads"], "act_calls": q["act_calls"],
                              "machine_before": machine_state(packages), "dims": []}
    for obs_dim, action_dim in ((3, 1), (17, 6)):
        log(f"gradient steps and act latency at ({obs_dim}, {action_dim})")
        d = measure_dims(mods, obs_dim, action_dim, q)
        log(f"  SB3 {d['sb3_steps_per_second']:.1f} steps/s, libsac {d['libsac_steps_per_second']:.1f} steps/s")
        report["dims"].append(d)
    if not args.skip_pendulum:
        report["pendulum"] = pendulum(mods, steps, episodes, q["libsac_threads"])
    report["machine_after"] = machine_state(packages)

    # The smoke test's assertions: every figure was measured and is finite and positive.
    for d in report["dims"]:
        for key, value in d.items():
            if key.endswith(("per_second", "_us_deterministic", "_us_stochastic", "speedup")) or "speedup" in key:
                assert value is not None and math.isfinite(value) and value > 0, (key, value)
    if "pendulum" in report:
        p = report["pendulum"]
        assert p["sb3_seconds"] > 0 and p["libsac_seconds"] > 0
        for side in ("sb3_eval", "libsac_eval", "libsac_2threads_eval"):
            assert side not in p or math.isfinite(p[side]["mean_return"]), p[side]
        assert p["libsac_gradient_steps"] > 0 and p["sb3_gradient_steps"] > 0
        if "libsac_2threads_same_return" in p:
            warn_unless_threads_agree(p["libsac_2threads_same_return"])

    emit(report, args.json, print_report)


if __name__ == "__main__":
    main()
