"""joblib with loky worker processes: the default executor."""

import logging
import threading

from joblib import Parallel, delayed
from joblib.externals.loky.process_executor import TerminatedWorkerError

from synth.executors.base import WorkerLost
from synth.executors.worker_cpus import plan_worker_cpus, run_pinned

log = logging.getLogger("synth")


class JoblibExecutor:
    def __init__(
        self, n_jobs: int, batch_size: int | str = "auto", pre_dispatch: str = "4 * n_jobs", pin_workers: bool = True
    ):
        self.n_jobs = n_jobs
        self.batch_size = batch_size
        self.pre_dispatch = pre_dispatch  # bounds how many tasks are taken from the stream ahead of results
        # executor.pin_workers: each worker and its engine helpers on a CPU of their own (worker_cpus.py says why)
        self.cpus = plan_worker_cpus(n_jobs) if pin_workers else None
        self._starting = None  # the thread of start(), joined before map() dispatches

    def start(self, fn, *args):
        """Start the worker processes now and run fn(*args) once in each, in a thread of this
        process, so that their start-up (interpreter, imports, engine helpers) overlaps the parent's
        own (config checks, augmentation banks, the corpus folder) instead of following it.

        loky keeps its pool between calls (joblib's reusable executor): map() finds these workers."""
        if self.n_jobs == 1 or self._starting is not None:  # n_jobs=1 runs everything in this process
            return

        def warm():
            try:
                Parallel(n_jobs=self.n_jobs, backend="loky", batch_size=1)(
                    delayed(run_pinned)(self.cpus, fn, *args) for _ in range(self.n_jobs)
                )
            except Exception as exc:  # noqa: BLE001 - only time is lost; map() meets a broken pool itself
                log.debug("starting the workers ahead of the run failed: %s", exc)

        self._starting = threading.Thread(target=warm, name="start-workers", daemon=True)
        self._starting.start()

    def map(self, fn, tasks, *args):
        if self._starting is not None:  # one call at a time on loky's pool
            self._starting.join()
            self._starting = None
        parallel = Parallel(
            n_jobs=self.n_jobs,
            backend="loky",
            return_as="generator",  # ordered, and yielded as soon as each result is ready
            batch_size=self.batch_size,
            pre_dispatch=self.pre_dispatch,
        )
        try:
            yield from parallel(delayed(run_pinned)(self.cpus, fn, task, *args) for task in tasks)
        except TerminatedWorkerError as exc:
            raise WorkerLost(str(exc).splitlines()[0]) from exc
