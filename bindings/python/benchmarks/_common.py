"""Shared helpers of compare_sb3.py and compare_rltools.py: dependency checks, timing, evaluation,
machine state and table printing. Not a public module; the scripts import it from their folder."""
from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import platform
import sys
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

VENV_HINT = ("`make bench-venv` in the repository builds .venv-bench with all of them "
             "(torch CPU, stable-baselines3, gymnasium, rltools, numpy and the libsac wheel)")


def require(module: str, package: Optional[str] = None, script: str = "this script") -> Any:
    """Imports `module`, or exits with a message naming the PyPI package to install. Nothing is
    installed here: the benchmark measures the environment it is given."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        sys.exit(f"{script}: the Python package '{package or module}' is missing ({error}).\n"
                 f"Install it into this interpreter ({sys.executable}), e.g. `pip install {package or module}`; "
                 f"{VENV_HINT}.")


def log(message: str) -> None:
    """Progress goes to stderr, so that stdout holds only the table (or the JSON)."""
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Sends everything written to file descriptor 1, by Python or by native code (RLtools' C++
    prints its timing), to stderr for the duration."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def best_time(body: Callable[[], Any], repeats: int) -> float:
    """The shortest of `repeats` timings of `body()`, in seconds: the machine is shared, and the
    least disturbed run is the closest to the code's own speed."""
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - start)
    return best


def per_call_us(call: Callable[[], Any], calls: int, repeats: int) -> float:
    """Microseconds per call of `call()`, best of `repeats` loops of `calls` calls."""
    def loop() -> None:
        for _ in range(calls):
            call()
    return best_time(loop, repeats) / calls * 1e6


def evaluate(act: Callable[[Any], Any], make_env: Callable[[], Any], episodes: int,
             seed: int = 12345) -> Dict[str, float]:
    """Mean and standard deviation of the return of the deterministic policy `act` over `episodes`
    episodes, episode i reset with seed `seed + i` (as libsac.gym.evaluate does), so every library
    is scored on the same initial states."""
    env = make_env()
    returns: List[float] = []
    try:
        for episode in range(episodes):
            obs, _ = env.reset(seed=seed + episode)
            total, done = 0.0, False
            while not done:
                obs, reward, terminated, truncated, _ = env.step(act(obs))
                total += float(reward)
                done = bool(terminated or truncated)
            returns.append(total)
    finally:
        env.close()
    mean = sum(returns) / len(returns)
    std = math.sqrt(sum((r - mean) ** 2 for r in returns) / len(returns))
    return {"mean_return": mean, "std_return": std, "episodes": episodes}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _busy_processes(limit: int = 5) -> List[str]:
    """Other processes using at least 5% of a core (ps's average over each one's lifetime), so a
    reader can tell a loaded machine from a quiet one. Empty where ps is missing."""
    import subprocess

    try:
        out = subprocess.run(["ps", "-eo", "pid,pcpu,comm", "--sort=-pcpu", "--no-headers"], capture_output=True,
                             text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    rows = []
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) != 3 or parts[0] == str(os.getpid()) or parts[2] == "ps":
            continue
        try:
            if float(parts[1]) >= 5.0:
                rows.append(f"{parts[2]} (pid {parts[0]}) {parts[1]}%")
        except ValueError:
            continue
        if len(rows) >= limit:
            break
    return rows


def machine_state(packages: Sequence[str]) -> Dict[str, Any]:
    """CPU, core count, load average and busy processes now, and the versions of `packages`."""
    versions = {}
    from importlib import metadata

    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "busy_processes": _busy_processes(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "time": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "versions": versions,
    }


def format_machine(label: str, state: Dict[str, Any]) -> str:
    load = state.get("load_average")
    busy = ", ".join(state.get("busy_processes") or []) or "none above 5%"
    return (f"{label}: {state['time']}, load average {load}, busy processes: {busy}")


def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    if numerator is None or denominator in (None, 0) or not math.isfinite(numerator) or not math.isfinite(denominator):
        return None
    return numerator / denominator


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Markdown table (also readable as plain text)."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    print(line(headers))
    print("|" + "|".join(("-" * (w + 1) + ":") if i else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|")
    for row in rows:
        print(line(row))


def fmt(value: Optional[float], digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}{suffix}"


def fmt_return(result: Optional[Dict[str, float]]) -> str:
    if not result:
        return "-"
    return f"{result['mean_return']:.1f} ± {result['std_return']:.1f}"


def warn_unless_threads_agree(same: bool) -> None:
    """sac_agent_set_threads promises bit-identical results; say so loudly if a run disagrees."""
    if not same:
        log("WARNING: libsac with 2 threads ended with another return than with 1 thread, although "
            "sac_agent_set_threads promises bit-identical results")


def emit(report: dict, as_json: bool, print_report) -> None:
    """The report as JSON on stdout, or as the script's tables."""
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
