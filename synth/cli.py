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


def _own_folder_per_sweep_point(cfg: DictConfig) -> None:
    """In a multirun, each sweep point writes under output.dir/<its overrides>, e.g. corpus/augment=phone;
    shard and execution settings are excluded (conf/config.yaml), so the shards of one point share a folder."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized():
        return
    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode == RunMode.MULTIRUN and hydra_cfg.job.override_dirname:
        point = hydra_cfg.job.override_dirname.replace("/", "_")
        cfg.output.dir = str(Path(cfg.output.dir) / point)


def run(cfg: DictConfig) -> None:
    from synth.corpus import CorpusError
    from synth.executors.base import ExecutorError
    from synth.exporters import ExportError
    from synth.interrupt import EXIT_INTERRUPTED, interrupted_message
    from synth.normalize import NormalizationError
    from synth.prompts import PromptFileError
    from synth.run import ConfigError, generate
    from synth.run_parts import shard_dir
    from synth.templates import TemplateError

    _own_folder_per_sweep_point(cfg)
    try:
        generate(cfg)
    except KeyboardInterrupt:  # one line and the way on, not a traceback
        print(
            interrupted_message(shard_dir(cfg.output.dir, (int(cfg.shard.index), int(cfg.shard.count)))),
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERRUPTED)
    except (
        ConfigError,
        CorpusError,
        ExecutorError,
        ExportError,
        PromptFileError,
        NormalizationError,
        TemplateError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)  # a message for the user, not a traceback
        sys.exit(2)


def _before_hydra(args: list[str]) -> None:
    """--help is ours (the tool, its keys, their defaults); unknown keys stop here, before Hydra's
    hint to add them with '+' (which would then be ignored)."""
    from synth.config_schema import override_problems

    if "--help" in args or "-h" in args:
        from synth.config_help import help_text

        print(help_text([a for a in args if a not in ("--help", "-h") and not a.startswith("-")]))
        sys.exit(0)
    problems = override_problems(args)
    if problems:
        print("error: " + "\n       ".join(problems), file=sys.stderr)
        sys.exit(2)


def main() -> None:
    from synth.config_guard import hydra_composition_guard

    _before_hydra(sys.argv[1:])
    with hydra_composition_guard(exit_on_refusal=True):  # before Hydra instantiates anything a config names
        hydra.main(version_base="1.3", config_path=config_dir(), config_name="config")(run)()


if __name__ == "__main__":
    main()
