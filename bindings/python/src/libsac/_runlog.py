"""What a training run writes as it goes: JSON lines, TensorBoard scalars and its clock.

Every JSON record carries `step` (environment steps of the agent so far), `elapsed` (wall seconds
since the run began, continued across resumes from a checkpoint) and `steps_per_s` (environment
steps per wall second since this process took over the run). Events: "start", "episode", "eval",
"end". A run resumed from a checkpoint logs again the steps after that checkpoint: readers keep the
last record for each event and step (as `libsac.plot` does).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Dict, Optional, Union

PathLike = Union[str, Path]

#: Train statistics (`Stats` fields) written to TensorBoard under "train/".
TRAIN_SCALARS = ("critic_loss", "actor_loss", "alpha", "alpha_loss", "entropy", "mean_q", "value_loss")


def _tensorboard_writer(directory: PathLike) -> Any:
    try:
        from tensorboard.summary import Writer
    except ImportError as error:
        raise ImportError('tensorboard logging needs the tensorboard package: pip install "libsac[tensorboard]"') \
            from error
    return Writer(str(directory))


class RunLog:
    def __init__(self, log_path: Optional[PathLike], tensorboard: Optional[PathLike], first_step: int,
                 prior_elapsed: float = 0.0):
        self._file = _open_for_appending(Path(log_path)) if log_path else None
        self._board = _tensorboard_writer(tensorboard) if tensorboard else None
        self._first_step, self._prior = first_step, prior_elapsed
        self._start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return self._prior + time.perf_counter() - self._start

    def record(self, event: str, step: int, **fields: Any) -> Dict[str, Any]:
        """Writes one JSON line (when logging) and returns the record."""
        seconds = time.perf_counter() - self._start
        rate = (step - self._first_step) / seconds if seconds > 0 else 0.0
        record = {"event": event, "step": step, **fields, "elapsed": round(self._prior + seconds, 3),
                  "steps_per_s": round(rate, 2)}
        if self._file:
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()
        return record

    def scalars(self, step: int, prefix: str, values: Dict[str, Any]) -> None:
        """TensorBoard scalars `prefix/name` (when writing TensorBoard); None values are skipped."""
        if self._board is None:
            return
        for name, value in values.items():
            if value is not None:
                self._board.add_scalar(f"{prefix}/{name}", float(value), step)

    def flush(self) -> None:
        if self._board is not None:
            self._board.flush()

    def close(self) -> None:
        if self._file:
            self._file.close()
        if self._board is not None:
            self._board.close()


def _open_for_appending(path: Path) -> Any:
    """Opens a log to add records to. A run killed while writing leaves half a line at the end; it is
    cut off first, so that the next record starts a line of its own and the log stays readable."""
    with open(path, "a+b") as log:
        size = log.seek(0, os.SEEK_END)
        start = max(0, size - 65536)  # far longer than any record
        log.seek(start)
        tail = log.read()
        if tail and not tail.endswith(b"\n"):
            if b"\n" in tail or start == 0:
                log.truncate(start + tail.rfind(b"\n") + 1)
            else:
                log.write(b"\n")  # not a record of ours: keep it, on a line of its own
    return open(path, "a", encoding="utf-8")


def progress_path(checkpoint: PathLike) -> Path:
    """The trainer's own state beside a checkpoint (`<checkpoint>.train.json`): the clock, which the
    agent's checkpoint does not hold."""
    return Path(str(checkpoint) + ".train.json")


def save_progress(checkpoint: PathLike, elapsed: float) -> None:
    """Written to a temporary file and renamed, like the checkpoint itself: never half a file."""
    target = progress_path(checkpoint)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"elapsed": elapsed}), encoding="utf-8")
    os.replace(temporary, target)


def load_progress(checkpoint: PathLike) -> float:
    """Elapsed seconds at the checkpoint; 0 without (or with an unreadable) progress file, which only
    restarts the clock."""
    try:
        elapsed = float(json.loads(progress_path(checkpoint).read_text(encoding="utf-8"))["elapsed"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0
    return elapsed if elapsed >= 0 and elapsed != float("inf") else 0.0


def save_checkpoint(agent: Any, path: PathLike, elapsed: float) -> None:
    """What a trainer's checkpoint is: the agent (`path`), its replay buffer (`path.replay`) and the
    clock (`path.train.json`), each written to a temporary file and renamed."""
    agent.save(path, "checkpoint")
    agent.save_replay(str(path) + ".replay")
    save_progress(path, elapsed)


def load_checkpoint(path: PathLike) -> "tuple[Any, float]":
    """The agent of a trainer's checkpoint, with its replay buffer when the file is there, and the
    elapsed seconds at the checkpoint."""
    from .agent import Agent

    agent = Agent.load(path)
    replay = Path(str(path) + ".replay")
    if replay.is_file():
        agent.load_replay(replay)
    return agent, load_progress(path)
