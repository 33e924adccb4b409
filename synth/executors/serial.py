"""Everything in the calling process: for debugging and for the simplest possible reference run."""


class SerialExecutor:
    def map(self, fn, tasks, *args):
        for task in tasks:
            yield fn(task, *args)
