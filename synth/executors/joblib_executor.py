"""joblib with loky worker processes: the default executor."""

from joblib import Parallel, delayed
from joblib.externals.loky.process_executor import TerminatedWorkerError

from synth.executors.base import WorkerLost


class JoblibExecutor:
    def __init__(self, n_jobs: int, batch_size: int | str = "auto", pre_dispatch: str = "4 * n_jobs"):
        self.n_jobs = n_jobs
        self.batch_size = batch_size
        self.pre_dispatch = pre_dispatch  # bounds how many tasks are taken from the stream ahead of results

    def map(self, fn, tasks, *args):
        parallel = Parallel(
            n_jobs=self.n_jobs,
            backend="loky",
            return_as="generator",  # ordered, and yielded as soon as each result is ready
            batch_size=self.batch_size,
            pre_dispatch=self.pre_dispatch,
        )
        try:
            yield from parallel(delayed(fn)(task, *args) for task in tasks)
        except TerminatedWorkerError as exc:
            raise WorkerLost(str(exc).splitlines()[0]) from exc
