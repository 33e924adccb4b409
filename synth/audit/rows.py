"""One row through every check that applies to it; what was measured, what failed and why, and
what could not be measured here (and why)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synth.asr_check import wer
from synth.audit import boundaries, prosody, reverb, silence, snr
from synth.audit.alignment import ScoringAligner, against_impostors, impostors
from synth.audit.files import check_file
from synth.audit.pronunciations import espeak_voice
from synth.audit.tolerances import Tolerances
from synth.engines.base import EngineError
from synth.letter_runs import is_joined, spell_out
from synth.manifest import Utterance

log = logging.getLogger(__name__)


@dataclass
class RowAudit:
    id: str
    engine: str
    voice: str
    device: str  # "clean" for rows without a device
    measures: dict = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (label, reason)
    unmeasured: list[tuple[str, str]] = field(default_factory=list)  # (label, why not)


@dataclass
class Listener:
    """What the checks share across rows: the corpus, its config and the measuring tools."""

    root: Path
    config: dict
    tolerances: Tolerances
    pool: list[str]  # the corpus's distinct transcripts: the impostors
    clean_of: dict[str, Utterance]  # pair stem -> its clean row
    aligner: ScoringAligner
    recognizer: object | None = None  # synth.asr_check.AsrChecker, or None: no free recognition
    renderer: prosody.NeutralRenderer | None = None  # None: prosody not checked
    banks: reverb.RirBanks | None = None
    voice_pronunciations: bool = True  # align eSpeak NG and MBROLA rows with their voice's pronunciations


def audit_row(row: Utterance, ctx: Listener) -> RowAudit:
    """Check every label of `row` that the audio can speak to."""
    result = RowAudit(
        row.id, row.speaker.engine, row.speaker.id, row.device_name or ("clean" if not row.augment else "none")
    )
    tol = ctx.tolerances
    file = check_file(ctx.root, row, tol.duration_s, tol.rms_db)
    result.failures += file.failures
    if file.pcm is None or not len(file.pcm):
        return result
    audio, rate = file.audio, file.rate
    if row.augment and row.pair is not None:
        result.unmeasured.append(("transcript, words, prosody", "measured on the clean row of the pair"))
    else:
        _speech_labels(row, audio, file.pcm, rate, ctx, result)
    if row.augment:
        _snr(row, audio, rate, ctx, result)
        _rooms(row, rate, ctx, result)
    return result


def _speech_labels(row, audio, pcm, rate, ctx: Listener, result: RowAudit) -> None:
    tol = ctx.tolerances
    aligned_pcm = ctx.aligner.pcm(audio, rate)
    spelled = spell_out(row.transcript)  # normalize.letters=joined: the aligner hears "PM" as two letter names
    voice = espeak_voice(row.speaker.engine, row.speaker.voice) if ctx.voice_pronunciations else None
    test = against_impostors(ctx.aligner, aligned_pcm, spelled, impostors(spelled, ctx.pool, row.id), voice)
    if test.label is None:
        result.failures.append(("transcript", "the forced aligner finds no path through the transcript in this audio"))
    else:
        if test.margin is None:
            result.unmeasured.append(("transcript", "no impostor, or no pause-free path, could be aligned"))
        else:
            result.measures["impostor_margin"] = round(test.margin, 2)
            if test.margin < tol.impostor_margin:
                result.failures.append(
                    (
                        "transcript",
                        f"the audio fits {test.best_impostor!r} as well as or better than the label "
                        f"(margin {test.margin:.1f} per frame < {tol.impostor_margin})",
                    )
                )
        if not row.augment:  # noise fills digital silence: gaps are looked for in clean audio only
            gaps = silence.zero_runs(pcm, rate, tol.gap_s)
            # A joined initialism's span holds the pauses between its letter names ("A, M"): not a word's inside.
            engine_words = (
                [w for w in row.words if not is_joined(w.word)] if boundaries.independent(row.words) else None
            )
            loud = silence.loud_frames(pcm, rate)
            missing = silence.missing_speech(gaps, test.label, tol.gap_phone_overlap_s, engine_words, loud)
            result.measures["gaps"] = len(missing)
            result.failures += [("transcript", reason) for reason in missing]
        _words(row, test.label, pcm, rate, ctx, result)
    if ctx.recognizer is not None:
        result.measures["wer"] = round(wer(spelled, ctx.recognizer.transcribe(audio, rate)), 4)
    if row.augment:
        result.unmeasured.append(("prosody", "measured on clean audio only (no clean pair: augment.paired=false)"))
    elif ctx.renderer is not None:
        _prosody(row, audio, rate, ctx, result)


def _words(row, label, pcm, rate, ctx: Listener, result: RowAudit) -> None:
    if not row.words:
        result.unmeasured.append(("words", "the row has no word times"))
        return
    if not boundaries.independent(row.words):
        result.unmeasured.append(("words", "the times came from this same forced aligner (source: aligner)"))
        return
    found = boundaries.compare(row.words, label, pcm, rate)
    if found is None:
        result.failures.append(("words", "the word times do not spell the transcript"))
        return
    result.measures["start_errors"] = found.start_errors
    result.measures["end_errors"] = found.end_errors
    result.measures["word_offset"] = round(found.offset, 4)
    if abs(found.offset) > ctx.tolerances.word_offset_s:
        direction = "late" if found.offset > 0 else "early"
        result.failures.append(
            (
                "words",
                f"word starts are a median {abs(found.offset) * 1000:.0f} ms {direction} against the aligner "
                f"(tolerance {ctx.tolerances.word_offset_s * 1000:.0f} ms)",
            )
        )


def _prosody(row, audio, rate, ctx: Listener, result: RowAudit) -> None:
    try:
        neutral, _ = ctx.renderer.render(row)
    except (EngineError, OSError, ValueError) as exc:
        result.unmeasured.append(("prosody", f"cannot re-render the voice here: {exc}"))
        return
    realized = prosody.realized(row, audio, neutral, rate)
    tol = ctx.tolerances
    checks = (
        ("pitch", realized.pitch, realized.expected_pitch, np.log1p(tol.pitch_ratio)),
        ("rate", realized.rate, realized.expected_rate, np.log1p(tol.rate_ratio)),
        ("volume", realized.volume, realized.expected_volume, tol.volume_db / 20 * np.log(10)),
    )
    neutral_otherwise = abs(realized.expected_pitch - 1) < 1e-3 and abs(realized.expected_rate - 1) < 1e-3
    for name, value, expected, allowed in checks:
        if name == "volume" and not neutral_otherwise:
            # a voice's level moves with its pitch and pace (measured: up to ±24% on RHVoice, Flite,
            # Festival, Kokoro at factors 0.8-1.2), so volume is judged only where they are 1.0
            result.unmeasured.append(("prosody.volume", "measured only on rows whose pitch and rate are 1.0"))
            continue
        error = prosody.log_error(value, expected)
        if error is None:
            result.unmeasured.append((f"prosody.{name}", "no voiced or speech frames to measure"))
            continue
        result.measures[f"{name}_label"] = expected
        result.measures[f"{name}_realized"] = round(value, 4)
        if abs(error) > allowed:
            result.failures.append(
                (
                    f"prosody.{name}",
                    f"labelled {expected:g} but realizes {value:.3f} against the voice at 1.0 "
                    f"(off by {np.expm1(abs(error)) * 100:.0f}%)",
                )
            )


def _rir_of(row: Utterance, ctx: Listener):
    """(step, its RIR or None) for each room step the row went through."""
    for step in row.augment:
        if "rir_id" in step.params:
            yield step, ctx.banks.get(str(step.params["rir_id"])) if ctx.banks is not None else None


def _snr(row, audio, rate, ctx: Listener, result: RowAudit) -> None:
    claim = snr.claimed_file_snr(row)
    if claim is None:
        if snr.has_noise_step(row):  # said aloud: a label renamed once made the whole check vanish quietly
            result.unmeasured.append(("file SNR", "the row has a noise step but no label claims the file's SNR"))
        return
    label, value = claim
    clean = ctx.clean_of.get(row.item_id) if row.pair is not None else None
    if clean is None:
        result.unmeasured.append((label, "no clean pair to measure against (augment.paired=false)"))
        return
    clean_file = check_file(ctx.root, clean, ctx.tolerances.duration_s, float("inf"))
    if clean_file.pcm is None or clean_file.rate != rate:
        result.unmeasured.append((label, "the clean pair's audio cannot be read at this rate"))
        return
    rirs = list(_rir_of(row, ctx))
    if any(rir is None for _, rir in rirs):
        result.unmeasured.append((label, "the room's RIR is not in this machine's augment cache"))
        return
    reference = clean_file.audio
    for _, rir in rirs:
        reference = snr.reverberant(reference, rir)
    processed = snr.processed_after_noise(row)
    measured = snr.file_snr(audio, reference, rate, varying_gain=processed)
    if measured is None:
        return
    result.measures["snr_label"] = value
    result.measures["snr_measured"] = round(measured, 2)
    low = ctx.tolerances.snr_label_low_db
    high = ctx.tolerances.snr_label_high_db if processed else low
    if not measured - low <= value <= measured + high:
        result.failures.append(
            (
                label,
                f"labelled {value:g} dB but the delivered file's SNR is {measured:.1f} dB "
                f"(a label from {measured - low:.1f} to {measured + high:.1f} dB would hold)",
            )
        )


def _rooms(row, rate, ctx: Listener, result: RowAudit) -> None:
    tol = ctx.tolerances
    for step, rir in _rir_of(row, ctx):
        label = f"augment.{step.name}.rt60"
        if rir is None:
            result.unmeasured.append((label, f"RIR {step.params['rir_id']} is not in this machine's augment cache"))
            continue
        measured = reverb.measured_rt60(rir, rate)
        if measured is None:
            result.unmeasured.append((label, "the RIR's decay does not reach -35 dB"))
            continue
        result.measures["rt60_measured"] = round(measured, 3)
        claimed = step.params.get("rt60")
        if claimed is not None:
            result.measures["rt60_label"] = claimed
            if abs(float(claimed) - measured) > tol.rt60_rel * measured:
                result.failures.append((label, f"labelled {claimed} s but the RIR measures {measured:.3f} s"))
        bounds = reverb.configured_range(ctx.config, row.device_name, step.name)
        if bounds is not None:
            low, high = bounds
            if not low * (1 - tol.rt60_range_rel) <= measured <= high * (1 + tol.rt60_range_rel):
                result.failures.append(
                    (label, f"the RIR measures {measured:.3f} s, outside the configured rt60_s [{low:g}, {high:g}]")
                )
