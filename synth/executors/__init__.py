"""Executors map a function over a lazy stream of tasks and yield results in task order."""

from synth.executors.base import Executor, create_executor

__all__ = ["Executor", "create_executor"]
