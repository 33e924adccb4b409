"""dask.distributed: the same tasks on a cluster (or a LocalCluster of worker processes).

Engines and augmentation chains are cached in module globals of synth.render, so each dask worker
process loads them once, exactly as a joblib worker does; results come back in task order, so the
corpus is the same bytes as joblib's.
"""

from __future__ import annotations

import logging
import os
from collections import deque

from synth.executors.base import ExecutorError, WorkerLost


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
        log_level: str = "warning",
    ):
        if batch_size < 1:
            raise ValueError(f"executor.batch_size must be at least 1; got {batch_size}")
        self.n_jobs = n_jobs
        self.address = address
        self.log_level = log_level  # executor.log_level: dask's INFO lines (~30 a run) drown the progress bar
        self.batch_size = batch_size  # items per dask task: a task costs the scheduler ~1 ms, an item ~10 ms
        self.max_in_flight = (
            max_in_flight or 4 * n_jobs
        )  # batches taken from the stream ahead of results: bounds memory

    def _client(self):
        quiet_dask_logs(self.log_level)
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ExecutorError("executor=dask needs dask.distributed: pip install 'speechforge-corpus[dask]'") from exc
        if self.address:
            try:
                return Client(self.address, timeout="10s"), None
            except OSError as exc:
                raise ExecutorError(
                    f"executor.address {self.address!r}: cannot reach a dask scheduler there ({exc})"
                ) from exc
        # One thread per worker process: an engine renders one item at a time.
        from synth.interrupt import children_ignore_interrupt

        with children_ignore_interrupt():  # Ctrl-C is the parent's to handle (synth/interrupt.py)
            cluster = LocalCluster(n_workers=self.n_jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster

    def map(self, fn, tasks, *args):
        client, cluster = self._client()
        try:
            [shared] = client.scatter([args], broadcast=True) if args else [()]
            pending: deque = deque()
            for batch in _batches(tasks, self.batch_size):
                pending.append(client.submit(_call_batch, fn, batch, shared, pure=False))
                if len(pending) >= self.max_in_flight:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        except Exception as exc:
            from distributed.scheduler import KilledWorker

            if isinstance(exc, KilledWorker):
                raise WorkerLost(str(exc)) from exc
            raise
        finally:
            client.close()
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


def _batches(tasks, size):
    batch = []
    for task in tasks:
        batch.append(task)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _call_batch(fn, batch, args):
    return [fn(task, *args) for task in batch]
