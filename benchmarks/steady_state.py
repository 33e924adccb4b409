"""A process tree's CPU over its steady state: run a command that appends one JSON line per finished
item to a file, sample the CPU of its whole process tree as the lines arrive, and keep the CPU and
the audio seconds between two line counts (by default 20% and 90% of the items).

Why not the difference of two runs of N/2 and N items (what engine_throughput.py did before): each
run's start-up and card carry this machine's ±30% noise, and the difference of two noisy totals is
noise (an espeak overhead of -70%, a hibari pipeline with negative CPU). Sampling one run between
two of its own rows leaves start-up and the end out by construction, and the two measured tracks
(bare engine, pipeline) are sampled by the same code at the same rows.

CPU of a live tree: each process's utime + stime, plus cutime + cstime (the children it has already
waited for: an utterance's fork, a helper that was closed), from /proc, summed over the root and
every descendant alive at the sample. The kernel counts in clock ticks (10 ms at USER_HZ=100) per
process: a window should hold several CPU seconds for the figure to mean anything, which is why
`Window.cpu_s` is reported with each result.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import children_cpu

_TICK = os.sysconf("SC_CLK_TCK")


def _own_cpu(pid: int) -> float:
    """utime + stime + cutime + cstime of one process, seconds; 0 when it has gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / _TICK  # fields 14-17 of proc(5), after "comm)"


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def tree_cpu(root: int) -> float:
    """CPU seconds of `root` and all its live descendants, with what each has waited for."""
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += _own_cpu(pid)
        stack.extend(_children(pid))
    return total


@dataclass(frozen=True)
class Window:
    rows: int  # items finished between the two samples
    audio_s: float  # their audio seconds (the 'duration' of each line)
    cpu_s: float  # CPU of the whole tree between the two samples
    total_cpu_s: float  # the whole run's, start-up and end included
    wall_s: float

    @property
    def per_cpu_s(self) -> float:
        return self.audio_s / self.cpu_s


def follow(cmd: list[str], rows_file: Path, expected: int, window=(0.2, 0.9), poll_s: float = 0.003, **popen) -> Window:
    """Run `cmd`, which appends a JSON line with a 'duration' (seconds) to `rows_file` per finished
    item, `expected` of them; the tree's CPU between the rows at window[0] and window[1] of `expected`.

    :raises SystemExit: the command failed (with its stderr), or wrote too few rows for the window
    """
    first, last = (max(1, int(f * expected)) for f in window)
    started, before = time.perf_counter(), children_cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **popen)
    marks: dict[int, tuple[float, int]] = {}  # window edge -> (tree CPU, rows seen) at the first poll past it
    durations: list[float] = []
    buffered, read_at = b"", 0
    while proc.poll() is None:
        if len(durations) < last:
            try:
                with open(rows_file, "rb") as handle:
                    handle.seek(read_at)
                    chunk = handle.read()
            except FileNotFoundError:
                chunk = b""
            if chunk:
                cpu = tree_cpu(proc.pid)  # right after reading: the rows seen are those finished by now
                read_at += len(chunk)
                *lines, buffered = (buffered + chunk).split(b"\n")
                durations += [json.loads(line)["duration"] for line in lines if line.strip()]
                for count in (first, last):
                    if count not in marks and len(durations) >= count:
                        marks[count] = (cpu, len(durations))  # a poll can see several rows at once
        time.sleep(poll_s)
    wall = time.perf_counter() - started
    total = children_cpu() - before
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} ...: exit {proc.returncode}\n{proc.stderr.read()[-3000:]}")
    if first not in marks or last not in marks:
        raise SystemExit(f"{cmd[1]}: {len(durations)} rows seen, fewer than the window's {last}")
    (cpu_a, a), (cpu_b, b) = marks[first], marks[last]
    return Window(b - a, sum(durations[a:b]), cpu_b - cpu_a, total, wall)
