"""Render one WorkItem into an audio file and its manifest row. Runs inside the workers."""

from __future__ import annotations

import atexit
from dataclasses import dataclass, field
from pathlib import Path

from synth import asr_check, audio_io, qc
from synth.engines.base import Engine, EngineError, create_engine
from synth.normalize import spoken_words
from synth.plan import Rejection, WorkItem
from synth.word_times import word_times


@dataclass(frozen=True)
class RenderSettings:
    out_dir: str
    sample_rate: int = 16000
    audio_format: str = "flac"
    engine_timeout_s: float = 60.0
    engine_retries: int = 2
    engine_options: tuple = ()  # ((engine name, ((key, value), ...)), ...): hashable, picklable
    qc: qc.QCThresholds = field(default_factory=qc.QCThresholds)
    keep_failed_qc: bool = False
    augment: object | None = None  # augment.PreparedAugment, or None for clean speech
    augment_key: str = ""  # identifies `augment` across pickling, for the per-worker chain cache
    run_token: str = ""  # one per invocation; changes nothing that is written
    asr: asr_check.AsrSettings | None = None  # pocketsphinx round trip (qc.asr), or None when off
    align_words: bool = False  # words.align: word times from a forced aligner where the engine gives none


# One engine per (worker process, engine name), started on first use and reused for every item.
_ENGINES: dict[tuple, Engine] = {}


def _engine(name: str, settings: RenderSettings) -> Engine:
    options = dict(dict(settings.engine_options).get(name, ()))
    key = (name, settings.engine_timeout_s, tuple(sorted(options.items())))
    if key not in _ENGINES:
        _ENGINES[key] = create_engine(name, timeout_s=settings.engine_timeout_s, **options)
    return _ENGINES[key]


# One augmentation chain per (worker process, augment config): audiomentations transforms scan
# folders and load files in __init__, so they are built once, not per item.
_CHAINS: dict[str, object] = {}


def _chain(settings: RenderSettings):
    if settings.augment_key not in _CHAINS:
        _CHAINS[settings.augment_key] = settings.augment.build()
    return _CHAINS[settings.augment_key]


@atexit.register
def close_engines() -> None:
    while _ENGINES:
        _ENGINES.popitem()[1].close()


def render(item: WorkItem, settings: RenderSettings) -> list[dict] | Rejection | OutputFailure:
    """The manifest rows for `item` after writing its audio (two when clean and augmented are paired),
    the reason it was rejected, or why nothing can be written at all."""
    if settings.run_token in _OUTPUT_BROKEN:
        return _OUTPUT_BROKEN[settings.run_token]
    try:
        return _render(item, settings)
    except OSError as exc:
        failure = _OUTPUT_BROKEN[settings.run_token] = OutputFailure(item.id, exc.errno or 0, exc.strerror or str(exc))
        return failure


def _render(item: WorkItem, settings: RenderSettings) -> list[dict] | Rejection:
    synthesis, failures = None, []
    for _ in range(1 + settings.engine_retries):  # a crash or hang may be transient; the bytes are not
        try:
            synthesis = _engine(item.voice.engine, settings).synthesize(item.spoken.spoken, item.voice.engine_voice, item.prosody, item.seed)
            break
        except EngineError as exc:
            failures.append(str(exc))
    if synthesis is None:
        reason = f"failed {len(failures)} times: {failures[-1]}"
        return Rejection(item.id, "render", reason, {"voice": item.voice.id, "text": item.prompt.text[:200]})
    words = spoken_words(item.spoken.spoken)
    audio = synthesis.audio
    if item.voice.extra.get("perturbation"):  # a pseudo-speaker: its warp keeps every sample's time, so word times stay valid
        from voices.pseudo_speakers import apply

        audio = apply(item.voice, audio, synthesis.sample_rate, seed=item.seed)
    timed = None
    if synthesis.word_events is not None and len(audio):
        timed = word_times(item.spoken.spoken, words, synthesis.word_events, synthesis.boundaries, audio, synthesis.sample_rate)
    clean = audio_io.resample(audio, synthesis.sample_rate, settings.sample_rate)
    if timed is None and settings.align_words:  # no times from the engine: a forced aligner's, marked as such
        from synth.align import align_words

        timed = align_words(clean, settings.sample_rate, item.spoken.transcript)
    # QC judges the render itself; augmentation clips and adds noise on purpose.
    checks = qc.check(clean, settings.sample_rate, len(words), settings.qc)
    asr = asr_check.check_item(settings.asr, item.seed, clean, settings.sample_rate, item.spoken.transcript)
    if asr is not None:  # flags for review; never fails QC on its own
        checks = qc.merge(checks, [], asr=asr)
    if not checks["passed"] and not settings.keep_failed_qc:
        return _qc_rejection(item, checks)
    common = {
        "text": item.prompt.text,
        "transcript": item.spoken.transcript,
        "language": item.voice.language,
        "speaker": item.voice.to_speaker(),
        "prosody": synthesis.prosody.to_dict(),
        "seed": item.seed,
        "split": item.split,
        "qc": checks,
        "prompt": {"id": item.prompt.id, **item.prompt.fields},
    }
    if settings.augment is None:
        return [_write(item.id, item, clean, timed, [], None, common, settings)]
    result = _chain(settings).apply(clean, settings.sample_rate, item.seed)
    augmented = {**common, "qc": qc.merge(checks, qc.check_augmentation(result.applied, settings.qc))}
    if not augmented["qc"]["passed"] and not settings.keep_failed_qc:
        return _qc_rejection(item, augmented["qc"])
    if not settings.augment.paired:
        return [_write(item.id, item, result.audio, timed, result.applied, result.device, augmented, settings)]
    return [
        _write(f"{item.id}-clean", item, clean, timed, [], None, {**common, "pair": {"stem": item.id, "role": "clean"}}, settings),
        _write(f"{item.id}-aug", item, result.audio, timed, result.applied, result.device, {**augmented, "pair": {"stem": item.id, "role": "augmented"}}, settings),
    ]


@dataclass(frozen=True)
class OutputFailure:
    """This worker cannot write to the corpus folder (disk full, read-only): the run must stop."""

    id: str
    errno: int
    reason: str


# Set after this worker's first failed write in a run: the run's later items are not rendered only
# to fail too. Keyed by run, since workers (and the parent, for the serial executor) outlive a run.
_OUTPUT_BROKEN: dict[str, OutputFailure] = {}


def _qc_rejection(item: WorkItem, checks: dict) -> Rejection:
    return Rejection(item.id, "qc", "; ".join(checks["reasons"]), {"qc": checks, "voice": item.voice.id, "text": item.prompt.text[:200]})


def _write(row_id: str, item: WorkItem, audio, timed, applied: list, device, common: dict, settings: RenderSettings) -> dict:
    pcm = audio_io.to_pcm16(audio)
    data = audio_io.encode(pcm, settings.sample_rate, settings.audio_format)
    relpath = f"audio/{item.voice.id}/{row_id}.{settings.audio_format}"
    audio_io.write_atomic(Path(settings.out_dir) / relpath, data)
    duration = len(pcm) / settings.sample_rate
    words = None
    if timed:
        words = [dict(w) for w in timed]
        for entry in words:  # resampling can shorten the signal by a fraction of a sample
            entry["end"] = min(entry["end"], round(duration, 3))
            entry["start"] = min(entry["start"], entry["end"] - 0.001)
    row = {
        "id": row_id,
        "audio_filepath": relpath,
        "duration": round(duration, 4),
        "sample_rate": settings.sample_rate,
        **{k: common[k] for k in ("text", "transcript", "language", "speaker", "prosody")},
        "words": words,
        "augment": applied,
        "seed": item.seed,
        "sha256": audio_io.sha256_bytes(data),
        **{k: common[k] for k in ("split", "qc", "prompt")},
    }
    if device is not None:
        row["device"] = device
    if "pair" in common:
        row["pair"] = common["pair"]
    return row
