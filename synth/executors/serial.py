"""Everything in the calling process: for debugging and for the simplest possible reference run."""


class SerialExecutor:
    def __init__(self, n_jobs: int = 1, **options):
        """One process whatever `n_jobs` says; no option applies (built like the others by create_executor)."""

    def start(self, fn, *args):
        """Nothing to start ahead: there are no workers."""

    def map(self, fn, tasks, *args):
        for task in tasks:
            yield fn(task, *args)
