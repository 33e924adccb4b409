"""What Ctrl-C tells the user: one line, how much is kept, how to carry on; exit status 130 (128 + SIGINT).

A render interrupted mid-item leaves at most a torn manifest line and a temporary audio file, both of
which the next run with the same command discards (synth/corpus.py); every row already written is kept.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path

from synth.manifest import read_jsonl

EXIT_INTERRUPTED = 130


def kept_utterances(corpus_dir: str | Path) -> int:
    """Whole rows in `corpus_dir`/manifest.jsonl (a torn last line is not a row); 0 when there is none."""
    path = Path(corpus_dir) / "manifest.jsonl"
    return sum(1 for _ in read_jsonl(path)) if path.is_file() else 0


def interrupted_message(corpus_dir: str | Path) -> str:
    """The one line printed on Ctrl-C."""
    return (
        f"interrupted: {kept_utterances(corpus_dir)} utterances kept in {Path(corpus_dir).resolve()}; "
        "run the same command to resume"
    )


# ---------------------------------------------------------------- stopping a run cleanly on Ctrl-C
#
# The terminal sends SIGINT to the whole process group. A KeyboardInterrupt raised inside joblib's or
# dask's machinery, in every worker and in every eSpeak NG helper, prints a traceback from each. So:
# workers ignore SIGINT (their helpers inherit that), and the parent's first Ctrl-C only asks the
# task stream to stop; what is in flight finishes and is written, then the run ends with one line.
# A second Ctrl-C interrupts at once (Python's default), still without losing finished rows.

_PARENT_ENV = "SPEECHFORGE_RUN_PID"
_requested = False
_worker_checked = False


def stop_requested() -> bool:
    """True once Ctrl-C was pressed in this run."""
    return _requested


def _on_first_interrupt(signum, frame) -> None:
    global _requested
    _requested = True
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the second one interrupts at once


@contextlib.contextmanager
def stop_on_interrupt():
    """While the run renders: Ctrl-C sets stop_requested() instead of raising in the middle of it;
    worker processes started inside see _PARENT_ENV and ignore SIGINT (ignore_interrupt_in_worker)."""
    global _requested
    _requested = False
    previous_env = os.environ.get(_PARENT_ENV)
    os.environ[_PARENT_ENV] = str(os.getpid())
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _on_first_interrupt) if in_main_thread else None
    try:
        yield
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
        if previous_env is None:
            os.environ.pop(_PARENT_ENV, None)
        else:
            os.environ[_PARENT_ENV] = previous_env


def ignore_interrupt_in_worker() -> None:
    """Called by each task: in a worker process (not the run's own), SIGINT is ignored from now on,
    and by the engine helpers it starts. The parent decides what Ctrl-C means."""
    global _worker_checked
    if _worker_checked:
        return
    _worker_checked = True
    if os.environ.get(_PARENT_ENV) != str(os.getpid()) and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def children_ignore_interrupt():
    """Processes started inside (dask's worker processes, whose tasks run in threads where
    ignore_interrupt_in_worker cannot act) inherit an ignored SIGINT; this process's handler is put back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
