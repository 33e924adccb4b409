from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from seams import Registry

# Executor name (the `executor` config group) -> "module:class", imported only when chosen (dask is an extra).
EXECUTORS = Registry(
    "executor",
    {
        "joblib": "synth.executors.joblib_executor:JoblibExecutor",
        "dask": "synth.executors.dask_executor:DaskExecutor",
        "serial": "synth.executors.serial:SerialExecutor",
    },
)


class WorkerLost(RuntimeError):
    """A worker process died (killed, out of memory) and took its tasks with it; the run restarts them."""


class ExecutorError(RuntimeError):
    """The executor cannot run (no scheduler at the address, a missing extra); the message says why."""


class Executor(Protocol):
    """Maps a function over a lazy stream of tasks in worker processes. A class in EXECUTORS is
    built as ``cls(n_jobs, **options)`` (options: the `executor` config group's other keys)."""

    def start(self, fn: Callable[..., Any], *args: Any) -> None:
        """Start the workers ahead of map() and run fn(*args) once in each (imports, engines), without
        waiting: their start-up then overlaps the parent's. An executor may do nothing here.

        :param fn: a picklable module-level function; its result is not kept
        """

    def map(self, fn: Callable[..., Any], tasks: Iterable[Any], *args: Any) -> Iterator[Any]:
        """fn(task, *args) for each task, yielded in task order, consuming `tasks` lazily.

        :param fn: a picklable module-level function (it runs in the workers)
        :param tasks: the stream; read only as fast as workers take tasks, so a million-task plan
            is never held in memory
        :param args: passed to every call (sent to each worker once where the executor can)
        :raises WorkerLost: a worker died with tasks in flight (the run restarts them)
        """


def create_executor(name: str, n_jobs: int, **options: Any) -> Executor:
    """The executor `name` with `n_jobs` workers.

    :param name: a name in EXECUTORS
    :param n_jobs: worker processes (serial runs everything in this process whatever it says)
    :param options: the executor's own settings, e.g. joblib's batch_size or dask's address
    :raises ValueError: n_jobs < 1, or an unknown name (with did-you-mean)
    """
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive number of workers; got {n_jobs}")
    return EXECUTORS.load(name)(n_jobs, **options)
