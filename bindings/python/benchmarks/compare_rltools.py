"""libsac against RLtools' SAC (the `rltools` PyPI package) on Gymnasium's Pendulum-v1.

    python bindings/python/benchmarks/compare_rltools.py [--quick] [--json] [--steps N] [--no-mkl-all-sizes]

RLtools' Python interface (`rltools.SAC(env_factory, **compile_time_parameters)`) renders its
hyper-parameters into a C++ header and compiles the whole training loop with the system's g++ at
first use (cached under $TMPDIR/rltools afterwards; the compile time is reported apart from the
training time). Its training loop runs the Gymnasium environment through pybind11 callbacks, one
gradient step per environment step, for STEP_LIMIT steps.

Two configurations, each for 20,000 steps with seed 0:
- RLtools' defaults: hidden 64 (2 hidden layers, as ACTOR_NUM_LAYERS = CRITIC_NUM_LAYERS = 3 count
  the input and output layers), batch 100; Adam lr 1e-3, alpha learned from 0.5, replay buffer of
  STEP_LIMIT transitions, N_WARMUP_STEPS = batch size random steps;
- hidden 256, batch 256 (otherwise RLtools' defaults);
and libsac (`libsac.gym.train`) with the same sizes: hidden [h, h], batch b, lr 1e-3 for actor,
critics and alpha, learning_starts = b random steps, everything else at libsac's defaults (alpha
learned from 1.0, replay capacity 1,000,000, of which 20,000 are used); with 1 thread, and with 2
(`Agent.set_threads(2)`, bit-identical results) where the library has it and the machine 2 cores.

RLtools needs actions in [-1, 1], so it trains on `RescaleAction(Pendulum-v1, -1, 1)`; libsac takes
the bounds [-2, 2] itself. Both final deterministic policies are scored on 10 episodes reset with
seeds 12345 + episode (RLtools through `State.action`, which in evaluation mode returns the squashed
mean). Mid-training evaluation is off on both sides, so the wall times are of training alone.

RLtools picks its matrix backend when it compiles: MKL when the `mkl` and `mkl-include` pip
packages are installed (`pip install rltools[mkl]`, its documented acceleration on Linux; RLtools
then sets MKL_NUM_THREADS=1 unless it is set), else BLAS when `-lblas` links (e.g. Debian's
libopenblas-dev), else its own generic C++ kernels (compiled -O3 -march=native -ffast-math). Each
configuration runs RLtools with MKL when it is installed and, at RLtools' default sizes, once more
without it (whatever RLtools then picks), each in a module of its own; the table names the
backends. The build without MKL is skipped at hidden 256 / batch 256 (its generic kernels managed
about 5 steps/s there on a 2-vCPU EPYC: over an hour for 20,000 steps) unless --no-mkl-all-sizes
asks for it or MKL is missing.

`--json` prints the results as JSON instead of the table; progress (and RLtools' own output) goes
to stderr. `--quick` is a smoke test (RLtools' default sizes and preferred backend only, a few
hundred steps; the first run spends ~25 s compiling, later runs reuse the cache) that asserts every
code path works; its figures mean nothing.

Installs nothing: it needs numpy, gymnasium, rltools (with g++) and libsac in the running interpreter
(`make bench-venv` builds .venv-bench with them) and stops with the name of any that is missing.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import time
from typing import Any, Dict, List

from _common import (emit, evaluate, fmt, fmt_return, format_machine, log, machine_state, print_table, ratio, require,
                     stdout_to_stderr, warn_unless_threads_agree)

SCRIPT = "compare_rltools.py"
SEED = 0
LR = 1e-3
ENV_ID = "Pendulum-v1"
DEFAULT_SIZES = (64, 100)  # RLtools' ACTOR/CRITIC_HIDDEN_DIM and ACTOR/CRITIC_BATCH_SIZE defaults


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny step counts, figures meaningless")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--steps", type=int, default=None, help="training steps per run (default 20,000)")
    parser.add_argument("--no-mkl-all-sizes", action="store_true",
                        help="also run RLtools without MKL at hidden 256 / batch 256 (slow: about an hour)")
    return parser.parse_args()


def rltools_run(mods: Dict[str, Any], backend: str, hidden: int, batch: int, steps: int,
                episodes: int) -> Dict[str, Any]:
    """Compiles (or reuses) RLtools' SAC for these sizes and backend ("mkl", or "no_mkl": what
    RLtools picks when MKL is disabled), trains it and scores its final policy."""
    gymnasium, np = mods["gymnasium"], mods["numpy"]
    from gymnasium.wrappers import RescaleAction
    import rltools
    import rltools.src.accelerate as accelerate

    # RLtools reads RL_TOOLS_DISABLE_MKL once, at import, into this flag, and consults the flag at
    # every compile.
    accelerate.disable_mkl = backend != "mkl"

    def rescaled() -> Any:
        env = gymnasium.make(ENV_ID)
        shape = env.action_space.shape
        return RescaleAction(env, np.full(shape, -1.0, np.float32), np.full(shape, 1.0, np.float32))

    def env_factory() -> Any:
        env = rescaled()
        env.reset(seed=SEED)
        return env

    # One module per configuration: RLtools recompiles a module whenever its rendered parameters
    # change, so distinct names keep every configuration's build in the cache.
    name = f"libsac_bench_{backend}_h{hidden}_b{batch}_s{steps}"
    result: Dict[str, Any] = {}
    with stdout_to_stderr():
        start = time.perf_counter()
        sac = rltools.SAC(env_factory, interface_name=name, STEP_LIMIT=steps, ACTOR_HIDDEN_DIM=hidden,
                          CRITIC_HIDDEN_DIM=hidden, ACTOR_BATCH_SIZE=batch, CRITIC_BATCH_SIZE=batch,
                          enable_evaluation=False)
        result["compile_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        state = sac.State(SEED)
        calls = 1
        while not state.step():
            calls += 1
        result["seconds"] = time.perf_counter() - start
    assert calls >= steps, (calls, steps)
    result["env_steps"] = calls - 1  # the last call only reports that STEP_LIMIT was reached

    def act(obs: Any) -> Any:
        return state.action(np.asarray(obs, dtype=np.float32))

    result["eval"] = evaluate(act, rescaled, episodes)
    return result


def libsac_run(mods: Dict[str, Any], hidden: int, batch: int, steps: int, episodes: int,
               threads: int) -> Dict[str, Any]:
    gymnasium, libsac = mods["gymnasium"], mods["libsac"]
    from libsac.gym import train

    start = time.perf_counter()
    # What libsac.gym.train builds from its keyword arguments, made here to set the threads.
    agent = libsac.Agent.from_env(gymnasium.make(ENV_ID), seed=SEED, hidden_sizes=(hidden, hidden), batch_size=batch,
                                  actor_lr=LR, critic_lr=LR, alpha_lr=LR, learning_starts=batch)
    if threads != 1:
        agent.set_threads(threads)
    agent, history = train(ENV_ID, steps, seed=SEED, agent=agent, eval_every=0, progress=False)
    result: Dict[str, Any] = {"seconds": time.perf_counter() - start}
    assert history.steps == steps and agent.env_steps == steps, (history.steps, agent.env_steps)
    result["gradient_steps"] = agent.gradient_steps
    result["eval"] = evaluate(lambda obs: agent.act(obs, deterministic=True), lambda: gymnasium.make(ENV_ID), episodes)
    agent.close()
    return result


def rltools_backends() -> Dict[str, str]:
    """The backends RLtools can use here, by its own rules (rltools/src/accelerate.py), with a label
    each: "mkl" if the mkl and mkl-include packages are installed; "no_mkl" always, which is BLAS
    if `-lblas` links and RLtools' generic C++ kernels otherwise."""
    from importlib import metadata
    import os
    import subprocess
    import tempfile

    backends = {}
    try:
        backends["mkl"] = f"MKL {metadata.version('mkl')}, MKL_NUM_THREADS={os.environ.get('MKL_NUM_THREADS', '1')}"
        metadata.version("mkl-include")
    except metadata.PackageNotFoundError:
        backends.pop("mkl", None)
    compiler = shutil.which("g++") or shutil.which("clang++") or "c++"
    with tempfile.TemporaryDirectory() as directory:
        source = os.path.join(directory, "t.cpp")
        with open(source, "w", encoding="utf-8") as f:
            f.write("int main() { return 0; }\n")
        linked = subprocess.run([compiler, source, "-lblas", "-o", os.path.join(directory, "a.out")],
                                capture_output=True, check=False).returncode == 0
    backends["no_mkl"] = "BLAS (-lblas)" if linked else "generic C++"
    return backends


def print_report(report: Dict[str, Any]) -> None:
    before, after = report["machine_before"], report["machine_after"]
    v = before["versions"]
    backends = report["rltools_backends"]
    names, threads = report["backends_run"], report["libsac_threads"]
    reference = names[0]
    quick = "  [--quick: figures meaningless]" if report["quick"] else ""
    print(f"libsac {v.get('libsac')} vs RLtools (rltools {v.get('rltools')}) SAC on {ENV_ID}, "
          f"{report['steps']:,} steps, lr {LR}, seed {SEED}{quick}")
    print(f"{before['cpu']}, {before['cpu_count']} cores; Python {before['python']}, numpy {v.get('numpy')}, "
          f"gymnasium {v.get('gymnasium')}; RLtools compiler {report['compiler']}")
    print("RLtools builds: " + "; ".join(_column(b, backends) for b in names))
    print(format_machine("start", before))
    print(format_machine("end  ", after))
    print(f"'libsac ×' is libsac's speed-up over RLtools {_column(reference, backends, short=True)} (its training "
          "time over libsac's; > 1: libsac faster); wall times include environment stepping; RLtools' compile time "
          "is apart (about 0 when cached)")
    print()
    headers = (["measurement"] + [f"RLtools {_column(b, backends, short=True)}" for b in names] +
               [f"libsac {t} thread{'s' if t > 1 else ''}" for t in threads] +
               [f"libsac × ({t} thread{'s' if t > 1 else ''})" for t in threads])
    rows: List[List[str]] = []
    for run in report["runs"]:
        size = f"hidden {run['hidden']}, batch {run['batch']}"
        r = [run["rltools"].get(b) for b in names]  # None: a build not run at these sizes
        s = [run["libsac"][str(t)] for t in threads]
        skipped = "(not run)"
        rows.append([f"{size}: training wall time s"] + [fmt(x["seconds"]) if x else skipped for x in r] +
                    [fmt(x["seconds"]) for x in s] + [fmt(run["speedup"][str(t)].get(reference), 2) for t in threads])
        rows.append(["  env steps/s"] + [fmt(report["steps"] / x["seconds"]) if x else "" for x in r + s] +
                    [""] * len(threads))
        rows.append([f"  final deterministic return ({s[0]['eval']['episodes']} ep.)"] +
                    [fmt_return(x["eval"]) if x else "" for x in r + s] + [""] * len(threads))
        rows.append(["  RLtools compile s"] + [fmt(x["compile_seconds"]) if x else "" for x in r] +
                    [""] * (2 * len(threads)))
    print_table(headers, rows)


def _column(backend: str, backends: Dict[str, str], short: bool = False) -> str:
    """"RLtools MKL 2026.2.0, MKL_NUM_THREADS=1", or "MKL" (short) for a table header."""
    label = backends[backend]
    if short:
        return "MKL" if backend == "mkl" else "BLAS" if label.startswith("BLAS") else "generic"
    return f"RLtools {label}"


def main() -> None:
    args = parse_args()
    mods = {"numpy": require("numpy", script=SCRIPT), "gymnasium": require("gymnasium", script=SCRIPT)}
    require("rltools", "rltools[mkl]", script=SCRIPT)
    require("pybind11", script=SCRIPT)
    mods["libsac"] = require("libsac", "libsac (pip install ./bindings/python)", script=SCRIPT)
    compiler = shutil.which("g++") or shutil.which("clang++")
    if compiler is None:
        sys.exit(f"{SCRIPT}: RLtools compiles its training loop with a C++ compiler at first use, and neither "
                 "g++ nor clang++ is on PATH; install one (Debian: apt-get install g++).")

    steps = args.steps or (300 if args.quick else 20_000)
    episodes = 1 if args.quick else 10
    configs = [DEFAULT_SIZES] if args.quick else [DEFAULT_SIZES, (256, 256)]
    backends = rltools_backends()
    backends_run = list(backends)[:1] if args.quick else list(backends)
    two = hasattr(mods["libsac"].Agent, "set_threads") and (os.cpu_count() or 1) >= 2
    threads_list = [1, 2] if two else [1]
    packages = ["libsac", "rltools", "numpy", "gymnasium", "mkl"]
    report: Dict[str, Any] = {"quick": args.quick, "steps": steps, "compiler": compiler, "rltools_backends": backends,
                              "backends_run": backends_run, "libsac_threads": threads_list,
                              "machine_before": machine_state(packages), "runs": []}
    for hidden, batch in configs:
        run: Dict[str, Any] = {"hidden": hidden, "batch": batch, "rltools": {}, "speedup": {}}
        for backend in backends_run:
            if backend == "no_mkl" and "mkl" in backends and (hidden, batch) != DEFAULT_SIZES and \
                    not args.no_mkl_all_sizes:
                continue
            log(f"hidden {hidden}, batch {batch}: RLtools, {backends[backend]} (compiling at first use)")
            r = rltools_run(mods, backend, hidden, batch, steps, episodes)
            log(f"  RLtools: compile {r['compile_seconds']:.1f} s, training {r['seconds']:.1f} s, "
                f"return {fmt_return(r['eval'])}")
            run["rltools"][backend] = r
        run["libsac"] = {}
        for threads in threads_list:
            log(f"hidden {hidden}, batch {batch}: libsac, {threads} thread(s)")
            s = libsac_run(mods, hidden, batch, steps, episodes, threads)
            log(f"  libsac: training {s['seconds']:.1f} s, return {fmt_return(s['eval'])}")
            run["libsac"][str(threads)] = s
            run["speedup"][str(threads)] = {b: ratio(r["seconds"], s["seconds"]) for b, r in run["rltools"].items()}
        report["runs"].append(run)
    report["machine_after"] = machine_state(packages)

    # The smoke test's assertions: every figure was measured and is finite.
    for run in report["runs"]:
        for r in run["rltools"].values():
            assert r["seconds"] > 0 and r["env_steps"] == steps and math.isfinite(r["eval"]["mean_return"]), r
        for threads in threads_list:
            s = run["libsac"][str(threads)]
            assert s["seconds"] > 0 and s["gradient_steps"] > 0 and math.isfinite(s["eval"]["mean_return"]), s
            assert all(x is not None and x > 0 for x in run["speedup"][str(threads)].values()), run["speedup"]
        if "2" in run["libsac"]:
            warn_unless_threads_agree(run["libsac"]["2"]["eval"] == run["libsac"]["1"]["eval"])

    emit(report, args.json, print_report)


if __name__ == "__main__":
    main()
