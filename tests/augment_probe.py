"""A test's own step: appends this process id to a file whenever a chain containing it is built.

Lets a test check that chains are built once per worker, not per item. Audio passes through
unchanged. Not in the production registry: the `probe_step` fixture (tests/conftest.py) registers
it for the test that asks, the way a plugin would add a step.
"""

from __future__ import annotations

import os
from pathlib import Path

from augment.errors import AugmentConfigError
from augment.step import Step


class BuildProbe(Step):
    KEYS = frozenset({"log"})

    @classmethod
    def prepare(cls, cfg, key, ctx):
        log = cfg.get("log")
        if not isinstance(log, str) or not Path(log).parent.is_dir():
            raise AugmentConfigError(f"{key}.log: a file path in an existing folder; got {log!r}")
        return {"log": log}

    def __init__(self, log: str):
        with open(log, "a") as handle:  # one short line per build: atomic enough across processes
            handle.write(f"{os.getpid()}\n")

    def apply(self, audio, sample_rate, rng):
        return audio, sample_rate, {}
