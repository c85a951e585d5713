"""kill -9 during saves (issue 14, finding 4): the file always loads, holding the old or the new
content, and at most one temporary file is ever left next to it.

A child saves two checkpoints in turn to one path and is killed with SIGKILL at a random moment,
200 times. The child is an os.fork of this process: it shares the loaded library and the agents, so
each round costs a fork instead of an interpreter start, and the whole test stays within seconds.
The checkpoints are large enough (hidden layers of 64: about 0.5 MB of JSON) that a save takes
milliseconds, writing included, and kills land at every stage of it; the child marks the start and
end of each save on a pipe, so the test knows (and checks) that most kills hit a save in progress.
"""
import os
import random
import signal
import time
from pathlib import Path

import libsac

KILLS = 200
NAME = "agent.json"


def _config(seed: int) -> libsac.Config:
    return libsac.Config(obs_dim=24, action_dim=4, hidden_sizes=(64, 64), batch_size=16,
                         replay_capacity=64, learning_starts=0, seed=seed)


def _save_forever(agents, path: Path, marks: int) -> None:
    """The child: saves the agents in turn, writing b"s" before and b"e" after each save."""
    k = 0
    while True:
        os.write(marks, b"s")
        agents[k % 2].save(path, "checkpoint")
        os.write(marks, b"e")
        k += 1


def _kill_during_saves(agents, path: Path, delay: float) -> bool:
    """Forks a saving child, kills it after `delay` seconds; True if a save was in progress."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        try:
            os.close(read_end)
            _save_forever(agents, path, write_end)
        finally:
            os._exit(1)
    os.close(write_end)
    try:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"the child ended with {status}"
        marks = b""
        while chunk := os.read(read_end, 65536):
            marks += chunk
    finally:
        os.close(read_end)
    return marks.endswith(b"s")


def test_kill_9_during_saves_leaves_a_complete_file_and_at_most_one_temporary(tmp_path):
    agents = [libsac.Agent(_config(seed)) for seed in (1, 2)]
    try:
        contents = [agent.to_json("checkpoint").encode() for agent in agents]
        assert contents[0] != contents[1]
        path = tmp_path / NAME
        # How long one save takes here, to spread the kills over a few saves.
        started = time.perf_counter()
        for agent in agents:
            agent.save(path, "checkpoint")
        save_seconds = (time.perf_counter() - started) / 2
        rng = random.Random(14)
        in_save = 0
        most_temporaries = 0
        for kill in range(KILLS):
            in_save += _kill_during_saves(agents, path, rng.uniform(0, 3 * save_seconds))
            data = path.read_bytes()
            assert data in contents, (f"kill {kill}: the file holds {len(data)} bytes, neither checkpoint "
                                      f"({len(contents[0])} or {len(contents[1])} bytes)")
            with libsac.Agent.load(path) as loaded:
                assert loaded.config == agents[contents.index(data)].config
            temporaries = sorted(name for name in os.listdir(tmp_path) if name != NAME)
            assert len(temporaries) <= 1, f"kill {kill}: temporary files left behind: {temporaries}"
            most_temporaries = max(most_temporaries, len(temporaries))
        # Most kills must have hit a save in progress, or the test proves little.
        assert in_save >= KILLS // 2, f"only {in_save} of {KILLS} kills landed during a save (one takes {save_seconds:.4f} s)"
        # A save after the kills replaces any leftover.
        agents[0].save(path, "checkpoint")
        assert os.listdir(tmp_path) == [NAME]
        assert path.read_bytes() == contents[0]
        print(f"{in_save} of {KILLS} kills during a save (one takes {save_seconds * 1000:.1f} ms); "
              f"at most {most_temporaries} temporary file at a time")
    finally:
        for agent in agents:
            agent.close()
