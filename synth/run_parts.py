"""Building a run's parts from its config: the plan (voices, prompts, prosody, splits, normalizer) and,
for a run that renders, the render settings, executor and prepared augmentation. Every config error is
raised here, before anything is written; synth/run.py runs the parts.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from synth import audio_io
from synth.asr_check import AsrSettings
from synth.config_guard import ConfigRefused, check_config
from synth.config_schema import check_config as check_schema
from synth.executors import create_executor
from synth.plan import ProsodyRanges, Rejection, SplitRule, WorkItem, build_plan
from synth.preflight import check_prompt_source
from synth.prompts import read_prompts
from synth.qc import QCThresholds
from synth.render import RenderSettings, warm_worker
from synth.voice_selection import run_voices
from voices.assign import VoiceAssigner

log = logging.getLogger("synth")


class ConfigError(ValueError):
    """A config value is wrong; the message names the key and what would be valid."""


def _range(cfg: DictConfig, key: str) -> tuple[float, float]:
    value = OmegaConf.select(cfg, key)
    if value is None:
        return (1.0, 1.0)
    if isinstance(value, (int, float)):
        return (float(value), float(value))
    values = list(value)
    if len(values) != 2:
        raise ConfigError(f"{key} must be a number or [min, max]; got {values}")
    return (float(values[0]), float(values[1]))


@dataclass
class RunParts:
    plan_factory: object  # () -> Iterator[WorkItem | Rejection]; called again if rows must be reordered
    settings: RenderSettings
    executor: object
    shard: tuple[int, int]
    voices: tuple = ()  # the run's voices (their engines decide which versions are recorded)


@dataclass
class Planning:
    """What the plan needs, and nothing that renders: `verify` recomputes labels from it."""

    plan_factory: object
    voices: tuple
    shard: tuple[int, int]


def build_planning(cfg: DictConfig) -> Planning:
    """The plan of a config (voices resolved, prompt source opened lazily); ConfigError if it is wrong."""
    try:
        check_schema(OmegaConf.to_container(cfg, resolve=True))  # unknown keys and wrong types first
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    try:
        check_config(cfg)  # the command line checked Hydra's config already; this covers generate(compose(...))
    except ConfigRefused as exc:
        raise ConfigError(str(exc)) from exc
    voices_cfg = cfg.voices
    shard = (int(cfg.shard.index), int(cfg.shard.count))
    if not (shard[1] >= 1 and 0 <= shard[0] < shard[1]):
        raise ConfigError(
            f"shard.index must be in [0, shard.count) and shard.count >= 1; got index={shard[0]}, count={shard[1]}"
        )
    try:
        engine_options = OmegaConf.to_container(cfg.get("engines") or {}, resolve=True)
        voices = run_voices(OmegaConf.to_container(voices_cfg, resolve=True), engine_options)
        assigner = VoiceAssigner(voices, int(voices_cfg.per_prompt), int(cfg.seed))
        prosody = ProsodyRanges(*(_range(cfg, f"voices.prosody.{n}") for n in ("rate", "pitch", "volume")))
        split = SplitRule(dev=float(cfg.split.dev), test=float(cfg.split.test), by=str(cfg.split.by))
    except ValueError as exc:  # CatalogError and friends: already phrased for the user
        raise ConfigError(str(exc)) from exc
    read_source = _prompt_source(cfg.prompts, int(cfg.seed))
    normalizer = _normalizer(cfg)

    def plan_factory() -> Iterator[WorkItem | Rejection]:
        return build_plan(read_source(), assigner, int(cfg.seed), prosody, split, normalizer)

    return Planning(plan_factory, tuple(voices), shard)


def build_parts(cfg: DictConfig) -> RunParts:
    planning = build_planning(cfg)
    shard = planning.shard
    try:
        settings = RenderSettings(
            out_dir=str(shard_dir(cfg.output.dir, shard).resolve()),
            sample_rate=int(cfg.output.sample_rate),
            audio_format=audio_io.check_audio_format(str(cfg.output.audio_format)),
            flac_level=audio_io.check_flac_level(cfg.output.get("flac_level", 5)),
            engine_timeout_s=float(cfg.engine.timeout_s),
            engine_retries=int(cfg.engine.get("retries", 2)),
            engine_options=tuple(
                (name, tuple(sorted((OmegaConf.to_container(opts, resolve=True) or {}).items())))
                for name, opts in (cfg.get("engines") or {}).items()
            ),
            qc=QCThresholds(**OmegaConf.to_container(cfg.qc.thresholds)),
            keep_failed_qc=bool(cfg.qc.keep_failed),
            asr=AsrSettings.from_config(OmegaConf.to_container(cfg.qc.get("asr") or {}, resolve=True)),
            align_words=_aligner_wanted(cfg),
        )
        if not 8000 <= settings.sample_rate <= 96000:
            raise ConfigError(f"output.sample_rate must be between 8000 and 96000 Hz; got {settings.sample_rate}")
        executor_options = {
            k: v
            for k, v in OmegaConf.to_container(cfg.executor, resolve=True).items()
            if k not in ("name", "max_restarts")
        }
        if executor_options.get("pin_workers") and _engine_threads(settings.engine_options) > 1:
            executor_options["pin_workers"] = False  # one CPU per worker would serialize the engine's threads
        executor = create_executor(str(cfg.executor.name), int(cfg.n_jobs), **executor_options)
        augmented = bool((OmegaConf.to_container(cfg.augment, resolve=True) or {}).get("steps"))
        settings = _with_augmentation(settings, cfg)  # it may build the RIR and babble banks
        # The workers start now, while this process prepares the corpus folder. Not before the banks: babble
        # renders eSpeak NG here, whose renderers are forked without exec, and a fork taken while start()'s
        # thread runs inherits its locks (CI: "renderer killed by signal 11" on the babble bank).
        executor.start(warm_worker, settings, _first_engines(planning, int(cfg.n_jobs)), augmented)
    except ValueError as exc:  # CatalogError and friends: already phrased for the user
        raise ConfigError(str(exc)) from exc
    formats = [str(f) for f in (cfg.output.formats or [])]
    if formats:
        from synth.exporters import ExportError, check_request

        try:
            check_request(formats, export_options(cfg))
        except ExportError as exc:
            raise ConfigError(f"output.formats / output.export_options: {exc}") from exc
    check_prompt_source(planning.plan_factory, f"prompts.path={cfg.prompts.get('path') or '(built-in)'}")
    return RunParts(planning.plan_factory, settings, executor, shard, planning.voices)


def _engine_threads(engine_options: tuple) -> int:
    """The most threads any engine is configured to run (engines.*.threads; 1 where none says)."""
    return max((int(dict(opts).get("threads") or 1) for _, opts in engine_options), default=1)


def _first_engines(planning: Planning, n_jobs: int) -> tuple[str, ...]:
    """The engines of the plan's first items, which the workers start ahead (a run of a mixed
    catalog that never reaches some engine should not load its model in every worker)."""
    try:
        first = list(itertools.islice(planning.plan_factory(), 4 * n_jobs))
    except Exception:  # noqa: BLE001 - a bad prompt source: check_prompt_source says so, naming the key
        return ()
    return tuple(dict.fromkeys(t.voice.engine for t in first if isinstance(t, WorkItem)))


def _normalizer(cfg: DictConfig):
    """normalize.*: the backend that reads prompts, the cross-check, NeMo's cache folder, the date order and the
    letter style.
    Unknown keys and backend names were refused by the key schema (synth/config_schema.py) already."""
    from synth.normalize import NormalizationError
    from synth.normalize_backends import PromptNormalizer

    opts = OmegaConf.to_container(cfg.get("normalize") or {}, resolve=True)
    backend = str(opts.get("backend") or "builtin")
    try:
        return PromptNormalizer(
            backend,
            bool(opts.get("cross_check", False)),
            opts.get("cache_dir"),
            str(opts.get("date_order") or "auto"),
            str(opts.get("letters") or "spaced"),
        )
    except (ValueError, NormalizationError) as exc:
        raise ConfigError(str(exc)) from exc


def _aligner_wanted(cfg: DictConfig) -> bool:
    """words.align: forced alignment for engines without word times, if pocketsphinx is installed."""
    wanted = (cfg.get("words") or {}).get("align", False)
    if not isinstance(wanted, bool):
        raise ConfigError(f"words.align must be true or false; got {wanted!r}")
    if wanted:
        import importlib.util

        if importlib.util.find_spec("pocketsphinx") is None:
            log.warning(
                "words.align: pocketsphinx is not installed (pip install '.[asr]'): "
                "voices whose engine gives no word times get words: null"
            )
            return False
    return wanted


PROMPT_SOURCES = ("file", "templates")


def _prompt_source(prompts_cfg: DictConfig, seed: int):
    """A function that opens the configured prompt stream afresh each time it is called."""
    source = str(prompts_cfg.get("source", "file"))
    if source not in PROMPT_SOURCES:
        raise ConfigError(f"prompts.source must be one of {', '.join(PROMPT_SOURCES)}; got {source!r}")
    path, max_chars = prompts_cfg.get("path"), int(prompts_cfg.get("max_chars", 500))
    per_intent = OmegaConf.to_container(prompts_cfg, resolve=True).get("per_intent")
    scrub = bool(prompts_cfg.get("scrub_pii", False))

    def open_stream():
        if source == "templates":
            from synth.templates import expand_templates

            stream = expand_templates(path, seed, per_intent, max_chars=max_chars)
        else:
            stream = read_prompts(path, max_chars=max_chars)
        if scrub:
            from synth.pii import scrub_prompts

            stream = scrub_prompts(stream, seed)
        return stream

    return open_stream


def _with_augmentation(settings: RenderSettings, cfg: DictConfig) -> RenderSettings:
    """Validate and prepare augmentation once, here in the parent, before any worker starts."""
    augment_cfg = OmegaConf.to_container(cfg.augment, resolve=True) or {}
    if not augment_cfg.get("steps"):
        return settings
    import augment
    from synth.talkers import espeak_talkers

    prepared = augment.prepare(augment_cfg, settings.sample_rate, int(cfg.seed), espeak_talkers())
    if prepared.is_empty and not prepared.paired:
        return settings
    key = json.dumps(augment_cfg, sort_keys=True, default=str)
    return dataclasses.replace(settings, augment=prepared, augment_key=key)


def export_options(cfg: DictConfig) -> dict:
    """output.export_options as a plain dict (empty when unset)."""
    options = cfg.output.get("export_options")
    return OmegaConf.to_container(options, resolve=True) if options is not None else {}


def shard_dir(output_dir: str | Path, shard: tuple[int, int]) -> Path:
    """Each shard of a sharded run writes its own folder under output.dir; `merge` joins them."""
    index, count = shard
    return Path(output_dir) if count == 1 else Path(output_dir) / f"shard-{index:03d}-of-{count:03d}"
