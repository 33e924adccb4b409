"""Render one WorkItem into an audio file and its manifest row. Runs inside the workers."""

from __future__ import annotations

import atexit
import os
from dataclasses import dataclass, field

import numpy as np

from synth import asr_check, audio_io, qc
from synth.engines.base import Engine, EngineError, create_engine, is_crash
from synth.interrupt import ignore_interrupt_in_worker
from synth.letter_runs import join_word_times
from synth.manifest import QC, AppliedStep, Pair, Prompt, Prosody, Speaker, Utterance, Word
from synth.normalize import spoken_words
from synth.plan import Rejection, WorkItem
from synth.safe_paths import write_under
from synth.word_times import word_times


@dataclass(frozen=True)
class RenderSettings:
    out_dir: str
    sample_rate: int = 16000
    audio_format: str = "flac"
    flac_level: int = 5  # output.flac_level: bytes and size of FLAC files, not their samples
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


def render_task(task: WorkItem | Rejection, settings: RenderSettings) -> list[dict] | Rejection | OutputFailure:
    """What a worker runs for each task (synth/run.py maps it). It lives here, not in synth.run, so
    that a worker imports only what rendering needs. Rejections from planning pass through, so all
    results keep plan order."""
    ignore_interrupt_in_worker()
    return task if isinstance(task, Rejection) else render(task, settings)


def warm_worker(settings: RenderSettings, engines: tuple[str, ...], augment: bool) -> int:
    """Run once in each worker while the parent is still starting (executor.start): the imports, the
    engines' own start (eSpeak NG's helper process, a model's load) and, for an augmented run, the
    augment package's imports (scipy.signal), so the first items do not wait for them. Its pid."""
    ignore_interrupt_in_worker()
    for name in engines:
        try:
            _engine(name, settings)
        except Exception:  # noqa: BLE001 - the first item for this engine says what is wrong, with its id
            pass
    if augment:
        import augment.chain  # noqa: F401
        import augment.file_snr  # noqa: F401
    return os.getpid()


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
            synthesis = _engine(item.voice.engine, settings).synthesize(
                item.spoken.spoken, item.voice.engine_voice, item.prosody, item.seed
            )
            break
        except EngineError as exc:
            failures.append(exc)
    if synthesis is None:
        reason = f"failed {len(failures)} times: {failures[-1]}"
        # a crash, kill or timeout (load, a killed helper) is the machine's: a resume tries the item again
        cause = "machine" if any(is_crash(f) for f in failures) else "item"
        details = {"voice": item.voice.id, "text": item.prompt.text[:200]}
        return Rejection(item.id, "render", reason, details, cause=cause)
    words = spoken_words(item.spoken.spoken)
    audio = synthesis.audio
    if item.voice.extra.get(
        "perturbation"
    ):  # a pseudo-speaker: its warp keeps every sample's time, so word times stay valid
        from voices.pseudo_speakers import apply

        audio = apply(item.voice, audio, synthesis.sample_rate, seed=item.seed)
    timed = None
    if synthesis.word_events is not None and len(audio):
        timed = word_times(
            item.spoken.spoken, words, synthesis.word_events, synthesis.boundaries, audio, synthesis.sample_rate
        )
    clean = audio_io.resample(audio, synthesis.sample_rate, settings.sample_rate)
    # QC of the render itself first: an item whose render fails is not worth augmenting.
    checks = qc.check(clean, settings.sample_rate, len(words), settings.qc)
    asr = asr_check.check_item(settings.asr, item.seed, clean, settings.sample_rate, item.spoken.aligned)
    if asr is not None:  # flags for review; never fails QC on its own
        checks = qc.merge(checks, [], asr=asr)
    if not checks["passed"] and not settings.keep_failed_qc:
        return _qc_rejection(item, checks)
    if timed is None and settings.align_words:  # no times from the engine: a forced aligner's, marked as such
        from synth.align import align_words

        timed = align_words(clean, settings.sample_rate, item.spoken.aligned)
    if timed and item.spoken.letters == "joined":  # one entry per initialism, as the transcript writes it
        timed = join_word_times(timed, item.spoken.transcript.split(), item.spoken.joins)
    # The labels every row of this item shares, as Utterance fields (a misspelt name is a TypeError, not a silent None).
    common = {
        "text": item.prompt.text,
        "transcript": item.spoken.transcript,
        "language": item.voice.language,
        "speaker": Speaker.from_dict(item.voice.to_speaker()),
        "prosody": Prosody.from_dict(synthesis.prosody.to_dict()),
        "words": [Word.from_dict(w) for w in timed] if timed else None,
        "seed": item.seed,
        "split": item.split,
        "qc": QC.from_dict(checks),
        "prompt": Prompt.from_dict({"id": item.prompt.id, **item.prompt.fields}),
        "normalize": item.normalize,  # only with normalize.backend=nemo or normalize.cross_check=true
    }
    if settings.augment is None:
        return [_write(item.id, clean, common, settings)]
    from augment.file_snr import file_snr_db  # here: the augment package imports scipy.signal (0.7 CPU s)

    result = _chain(settings).apply(clean, settings.sample_rate, item.seed)
    # The row's `qc` measures the file as delivered; the render's own QC moves to `qc_clean`. The
    # verdict is the render's, the delivered file's and the augmentation labels' reasons together.
    delivered = audio_io.to_pcm16(result.audio).astype(np.float32) / np.float32(32767.0)
    file_checks = qc.check(delivered, settings.sample_rate, len(words), settings.qc)
    reasons = [f"render: {r}" for r in checks["reasons"]] + qc.check_augmentation(result.applied, settings.qc)
    extra = {"asr": checks["asr"]} if "asr" in checks else {}
    augmented_checks = qc.merge(file_checks, reasons, **extra)
    if not augmented_checks["passed"] and not settings.keep_failed_qc:
        return _qc_rejection(item, augmented_checks)
    augmented = {
        **common,
        "qc": QC.from_dict(augmented_checks),
        "qc_clean": QC.from_dict(checks),
        "file_snr_db": file_snr_db(delivered, result.speech),
        "augment": [AppliedStep.from_dict(s) for s in result.applied],
        "device": result.device,
    }
    if not settings.augment.paired:
        return [_write(item.id, result.audio, augmented, settings)]
    return [
        _write(f"{item.id}-clean", clean, {**common, "pair": Pair(stem=item.id, role="clean")}, settings),
        _write(f"{item.id}-aug", result.audio, {**augmented, "pair": Pair(stem=item.id, role="augmented")}, settings),
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
    return Rejection(
        item.id,
        "qc",
        "; ".join(checks["reasons"]),
        {"qc": checks, "voice": item.voice.id, "text": item.prompt.text[:200]},
    )


def _write(row_id: str, audio, labels: dict, settings: RenderSettings) -> dict:
    """Encode and write `audio`, then return its manifest row: `labels` (Utterance fields shared by the
    item's rows, words as timed on the item's audio) plus what this file alone decides."""
    pcm = audio_io.to_pcm16(audio)
    data = audio_io.encode(pcm, settings.sample_rate, settings.audio_format, settings.flac_level)
    relpath = f"audio/{labels['speaker'].id}/{row_id}.{settings.audio_format}"
    write_under(settings.out_dir, relpath, data)  # never through a link inside the corpus
    duration = len(pcm) / settings.sample_rate
    words = labels["words"]
    row = Utterance(
        id=row_id,
        audio_filepath=relpath,
        duration=round(duration, 4),
        sample_rate=settings.sample_rate,
        sha256=audio_io.sha256_bytes(data),
        **{"augment": [], **labels, "words": [w.within(duration) for w in words] if words else None},
    )
    return row.to_dict()  # a plain dict crosses the process boundary; the parent appends it as is
