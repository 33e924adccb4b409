"""dask.distributed: the same tasks on a cluster (or a LocalCluster of worker processes).

Engines and augmentation chains are cached in module globals of synth.render, so each dask worker
process loads them once, exactly as a joblib worker does; results come back in task order, so the
corpus is the same bytes as joblib's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque

from synth.executors.base import ExecutorError, WorkerLost
from synth.executors.worker_cpus import WorkerCpus, pin_this_worker, plan_worker_cpus

POLL_S = 2.0  # how often a wait for a result checks that the cluster still has a worker


def quiet_dask_logs(level: str) -> None:
    """dask.distributed logs at `level` here and in the worker processes a LocalCluster starts
    (they read the environment when they import distributed)."""
    os.environ["DASK_LOGGING__DISTRIBUTED"] = level
    logging.getLogger("distributed").setLevel(level.upper())
    try:
        import dask

        dask.config.set({"logging.distributed": level})
    except ImportError:  # _client says what to install
        pass


class DaskExecutor:
    def __init__(
        self,
        n_jobs: int,
        address: str | None = None,
        max_in_flight: int | None = None,
        batch_size: int = 16,
        worker_wait_s: float = 30.0,
        log_level: str = "warning",
        pin_workers: bool = True,
    ):
        if batch_size < 1:
            raise ValueError(f"executor.batch_size must be at least 1; got {batch_size}")
        if not worker_wait_s > 0:
            raise ValueError(f"executor.worker_wait_s must be a positive number of seconds; got {worker_wait_s}")
        self.worker_wait_s = float(worker_wait_s)  # how long a cluster may have no worker before the run gives up
        self._connected = False  # once connected, an unreachable scheduler is a lost cluster, not a bad address
        self.n_jobs = n_jobs
        self.address = address
        self.log_level = log_level  # executor.log_level: dask's INFO lines (~30 a run) drown the progress bar
        self.batch_size = batch_size  # items per dask task: a task costs the scheduler ~1 ms, an item ~10 ms
        self.max_in_flight = (
            max_in_flight or 4 * n_jobs
        )  # batches taken from the stream ahead of results: bounds memory
        # executor.pin_workers: the local cluster's workers each on a CPU of their own, as joblib's are
        # (worker_cpus.py says why). A scheduler's workers (executor.address) run on machines whose CPUs
        # this process cannot see: they are left where their own machine puts them.
        self.cpus = plan_worker_cpus(n_jobs) if pin_workers and not address else None

    def _client(self):
        quiet_dask_logs(self.log_level)  # its INFO lines drown the progress bar
        _quiet_cancelled_reconnects()
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ExecutorError("executor=dask needs dask.distributed: pip install 'speechforge-corpus[dask]'") from exc
        if self.address:
            again = self._connected
            try:
                client = Client(self.address, timeout="10s")
            except OSError as exc:
                if again:  # it was there earlier in this run: the run may retry (executor.max_restarts)
                    raise WorkerLost(f"the dask scheduler at {self.address} is gone ({exc})") from exc
                raise ExecutorError(
                    f"executor.address {self.address!r}: cannot reach a dask scheduler there ({exc})"
                ) from exc
            self._connected = True
            try:
                client.wait_for_workers(1, timeout=self.worker_wait_s)
            except TimeoutError as exc:
                client.close()
                message = f"the dask scheduler at {self.address} has no worker (waited {self.worker_wait_s:g} s)"
                if again:
                    raise WorkerLost(message) from exc
                raise ExecutorError(
                    f"executor.address {self.address!r}: {message}; start one with `dask worker {self.address}`"
                ) from exc
            return client, None
        import dask

        from synth.interrupt import children_ignore_interrupt

        # Ctrl-C is the parent's to handle (synth/interrupt.py); one thread per worker process: an engine
        # renders one item at a time.
        with children_ignore_interrupt(), dask.config.set({_SPAWN_ENV: _spawn_env_without_trim_threshold()}):
            cluster = LocalCluster(n_workers=self.n_jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster

    def start(self, fn, *args):
        """Nothing ahead of map(): the cluster (a LocalCluster or a scheduler's) is reached there."""

    def map(self, fn, tasks, *args):
        client, cluster = self._client()
        try:
            [shared] = client.scatter([args], broadcast=True) if args else [()]
            pending: deque = deque()
            for batch in _batches(tasks, self.batch_size):
                pending.append(client.submit(_call_batch, fn, batch, shared, self.cpus, pure=False))
                if len(pending) >= self.max_in_flight:
                    yield from self._result(client, pending.popleft())
            while pending:
                yield from self._result(client, pending.popleft())
        except Exception as exc:
            lost = _lost(exc)
            if lost:
                raise WorkerLost(lost) from exc
            raise
        finally:
            _close_quietly(client)
            if cluster is not None:
                # Closing on purpose: a worker slow to exit (its engine helpers closing) is killed by
                # its nanny with a WARNING that says nothing about the run; keep it out of the output.
                nanny = logging.getLogger("distributed.nanny")
                level = nanny.level
                if self.log_level.lower() == "warning":
                    nanny.setLevel(logging.ERROR)
                try:
                    cluster.close()
                finally:
                    nanny.setLevel(level)

    def _result(self, client, future):
        """The future's result; WorkerLost when the cluster has had no worker for worker_wait_s (its
        tasks would wait forever) or the scheduler is gone."""
        without_workers = None
        while True:
            try:
                return future.result(timeout=POLL_S)
            except TimeoutError:
                pass
            if client.nthreads():
                without_workers = None
                continue
            without_workers = without_workers or time.monotonic()
            if time.monotonic() - without_workers > self.worker_wait_s:
                raise WorkerLost(f"no dask worker left for {self.worker_wait_s:g} s")


def _close_quietly(client) -> None:
    with contextlib.suppress(Exception):  # a client whose scheduler is gone may fail to say goodbye
        client.close(timeout=5)


def _quiet_cancelled_reconnects() -> None:
    """distributed logs a coroutine's exception under the name of the module it came from; a filter
    sits on a logger, not on its children, so each distributed logger gets it."""
    import distributed  # noqa: F401  (its modules, and their loggers, exist from here on)

    names = [n for n in logging.root.manager.loggerDict if n == "distributed" or n.startswith("distributed.")]
    for name in names:
        logger = logging.getLogger(name)
        if _drop_cancelled_reconnects not in logger.filters:
            logger.addFilter(_drop_cancelled_reconnects)


def _drop_cancelled_reconnects(record: logging.LogRecord) -> bool:
    """After its scheduler went, a client's reconnect loop is cancelled when the client closes, and
    distributed logs that as an error with a traceback: noise once the run has said what happened."""
    exc = record.exc_info[1] if record.exc_info else None
    return not isinstance(exc, asyncio.CancelledError)


def _lost(exc: Exception) -> str | None:
    """Why the cluster took the tasks with it, or None for an error of the task itself."""
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        return str(exc)
    if isinstance(exc, FutureCancelledError):  # the scheduler forgot the tasks: its last worker went, or it did
        return f"the dask cluster lost the tasks ({exc})"
    if isinstance(exc, (CommClosedError, ConnectionError, TimeoutError)):
        return f"the connection to the dask scheduler broke ({type(exc).__name__}: {exc})"
    return None


def _batches(tasks, size):
    batch = []
    for task in tasks:
        batch.append(task)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _call_batch(fn, batch, args, cpus: WorkerCpus | None = None):
    pin_this_worker(cpus)  # the thread that runs tasks, and the engine helpers it starts
    return [fn(task, *args) for task in batch]


_SPAWN_ENV = "distributed.nanny.pre-spawn-environ"


def _spawn_env_without_trim_threshold() -> dict:
    """The environment dask gives its worker processes, less MALLOC_TRIM_THRESHOLD_ (dask sets 65536).

    Why: setting that variable also fixes glibc's mmap threshold at 128 KB, so every array of an
    utterance's audio (a few hundred KB) is mapped and unmapped again, page by page, on each use.
    Measured on 2 cores, 2000 items, eSpeak NG (benchmarks/RESULTS.md): 3.3 ms of a worker's CPU per
    item with it, 2.4 ms without (joblib's workers: 2.2 ms), the same bytes. glibc's own default
    raises the threshold as it sees such arrays freed; joblib's workers have always run with it (the
    parent, which holds results, trims its own heap: run.release_freed_memory).
    """
    import dask

    return {k: v for k, v in (dask.config.get(_SPAWN_ENV, default=None) or {}).items() if k != "MALLOC_TRIM_THRESHOLD_"}
