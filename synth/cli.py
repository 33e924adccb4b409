"""Command-line entry point: `python generate.py [overrides]` and the `speechforge-generate` script."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import hydra
from omegaconf import DictConfig


def config_dir() -> str:
    """conf/ in a source checkout; synth/conf when installed (pyproject maps one onto the other)."""
    installed = resources.files("synth") / "conf"
    if installed.is_dir():
        return str(installed)
    return str(Path(__file__).resolve().parent.parent / "conf")


def run(cfg: DictConfig) -> None:
    from synth.corpus import CorpusError
    from synth.executors.base import ExecutorError
    from synth.normalize import NormalizationError
    from synth.prompts import PromptFileError
    from synth.run import ConfigError, generate

    try:
        generate(cfg)
    except (ConfigError, CorpusError, ExecutorError, PromptFileError, NormalizationError) as exc:
        print(f"error: {exc}", file=sys.stderr)  # a message for the user, not a traceback
        sys.exit(2)


def main() -> None:
    hydra.main(version_base="1.3", config_path=config_dir(), config_name="config")(run)()


if __name__ == "__main__":
    main()
