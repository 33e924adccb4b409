from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

EXECUTORS = ("joblib", "dask", "serial")


class WorkerLost(RuntimeError):
    """A worker process died (killed, out of memory) and took its tasks with it; the run restarts them."""


class ExecutorError(RuntimeError):
    """The executor cannot run (no scheduler at the address, a missing extra); the message says why."""


class Executor(Protocol):
    def map(self, fn: Callable[..., Any], tasks: Iterable[Any], *args: Any) -> Iterator[Any]:
        """fn(task, *args) for each task, yielded in task order, consuming `tasks` lazily."""


def create_executor(name: str, n_jobs: int, **options: Any) -> Executor:
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive number of workers; got {n_jobs}")
    if name == "joblib":
        from synth.executors.joblib_executor import JoblibExecutor

        return JoblibExecutor(n_jobs, **options)
    if name == "dask":
        from synth.executors.dask_executor import DaskExecutor

        return DaskExecutor(n_jobs, **options)
    if name == "serial":
        from synth.executors.serial import SerialExecutor

        return SerialExecutor()
    raise ValueError(f"unknown executor {name!r}; valid: {', '.join(EXECUTORS)}")
