"""Digital silence where speech should be: the MBROLA defect, as a transcript failure.

When an MBROLA voice lacks a diphone it writes zeros in its place and only warns on stderr: "turn
on the kitchen lights" in mb-us3 holds ~120 ms of exact zeros where "on" should be, and the row
passes QC. Exact zeros alone do not prove it: MBROLA writes its pauses as zeros too, and a stop's
closure can be silent. What does: the forced aligner (which must place every word of the
transcript) either puts a sound that is not a stop into the zeros, or has to squeeze a word beside
them to its minimum length (3 frames per phone), i.e. finds no sound for it anywhere. Unless a
pause the aligner placed beside that word holds sound: then the aligner took the word's sound for a
pause (it does on eSpeak NG's formant voices: "times" squeezed beside a 43 ms stop closure while
the 270 ms "pause" before it held the word at -5 to -25 dB) and the word is not missing. Nor is the
first word when PAUSE_SOUND_S or more of sound lies between the file's start and the gap after it
(the last word likewise, before the file's end): no other word is said there, so that sound is the
word's (MBROLA mb-gr2 "what should I cook...": "what" squeezed into 0-90 ms, which holds 80 ms at -2
to -14 dB, before the 62 ms of zeros that gr2's "sh" diphones begin with).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.audio_io import frame_energy
from synth.audit.alignment import Scored

# Phones that may be silent for a while: stop and affricate closures.
SILENT_PHONES = frozenset({"P", "T", "K", "B", "D", "G", "CH", "JH", "SIL"})
MIN_PHONE_S = 0.03  # the acoustic model's minimum: three 10 ms frames
SQUEEZED_SHARE = 0.75  # a word with this share of its phones at the minimum has no room in the audio
LOUD_DB = -35.0  # a 10 ms frame this close to the loudest one is sound, not a pause
# This much sound in an aligner's pause: it heard speech as a pause. Measured: the pauses beside eSpeak NG's
# squeezed words held 70 and 230 ms of it; those beside MBROLA mb-us3's missing "on" and "off" 20 and 0 ms.
PAUSE_SOUND_S = 0.05
FRAME_S = 0.01
INSIDE_WORD_S = 0.08  # longer than eSpeak NG's stop closures, which are exact zeros too (31-54 ms seen at rate 0.8-1.2)


@dataclass(frozen=True)
class Gap:
    start: float  # seconds
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


def zero_runs(pcm: np.ndarray, sample_rate: int, min_s: float) -> list[Gap]:
    """Runs of exact digital zeros of at least `min_s`, strictly between the first and last non-zero
    sample (leading and trailing silence are not gaps).

    :param pcm: int16 samples as the file holds them
    """
    nonzero = np.flatnonzero(pcm)
    if len(nonzero) < 2:
        return []
    inner = pcm[nonzero[0] : nonzero[-1] + 1] == 0
    edges = np.diff(np.concatenate(([0], inner.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    offset = int(nonzero[0])
    return [
        Gap((offset + s) / sample_rate, (offset + e) / sample_rate)
        for s, e in zip(starts, ends)
        if (e - s) >= min_s * sample_rate
    ]


def loud_frames(pcm: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per 10 ms frame of the file: True where it is within LOUD_DB of the loudest frame."""
    energy = frame_energy(pcm, sample_rate, FRAME_S)
    if len(energy) == 0:
        return np.zeros(0, dtype=bool)
    return energy > max(float(energy.max()), 1e-30) * 10 ** (LOUD_DB / 10)


def _pause_beside_holds_sound(word, alignment: Scored, loud: np.ndarray) -> bool:
    """Whether a pause the aligner put next to `word` covers PAUSE_SOUND_S or more of loud frames."""
    for pause in alignment.words:
        if not pause.filler or not (abs(pause.end - word.start) <= 0.02 or abs(pause.start - word.end) <= 0.02):
            continue
        first, last = int(round(pause.start / FRAME_S)), int(round(pause.end / FRAME_S))
        if np.count_nonzero(loud[first:last]) * FRAME_S >= PAUSE_SOUND_S - 1e-9:
            return True
    return False


def _edge_word_holds_sound(word, words, gap: Gap, loud: np.ndarray) -> bool:
    """Whether `word`, first before `gap` (or last after it), has PAUSE_SOUND_S of loud frames between the
    file's edge and the gap: sound no other word can claim."""
    if word is words[0] and word.end <= gap.start + 0.02:
        first, last = 0, int(round(gap.start / FRAME_S))
    elif word is words[-1] and word.start >= gap.end - 0.02:
        first, last = int(round(gap.end / FRAME_S)), len(loud)
    else:
        return False
    return np.count_nonzero(loud[first:last]) * FRAME_S >= PAUSE_SOUND_S - 1e-9


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _squeezed(word) -> bool:
    at_minimum = sum(1 for p in word.phones if p.end - p.start <= MIN_PHONE_S + 1e-6)
    return len(word.phones) >= 2 and at_minimum >= SQUEEZED_SHARE * len(word.phones)


def missing_speech(
    gaps: list[Gap], alignment: Scored, phone_overlap_s: float, engine_words=None, loud: np.ndarray | None = None
) -> list[str]:
    """Why each gap holds speech the transcript claims, or [] when every gap is a pause or a closure.

    :param gaps: zero_runs of the file
    :param alignment: the label's forced alignment (phones included)
    :param phone_overlap_s: how much of a gap a sounding phone may cover (frame blur)
    :param engine_words: the row's own word times where the engine gave them (not the aligner's):
        a long gap well inside one of them is silence in the middle of a word
    :param loud: loud_frames of the file; where given, a squeezed word whose neighbouring pause holds
        sound is not called missing (the aligner heard its sound as a pause)
    """
    reasons = []
    words = alignment.spoken()
    for gap in gaps:
        where = f"{gap.length * 1000:.0f} ms of digital silence at {gap.start:.3f} s"
        inside = [
            (w.word, p.name)
            for w in words
            for p in w.phones
            if p.name not in SILENT_PHONES and _overlap(p.start, p.end, gap.start, gap.end) > phone_overlap_s
        ]
        if inside:
            reasons.append(f"{where} covers the sound {inside[0][1]} of {inside[0][0]!r}")
            continue
        squeezed = [
            w.word
            for w in words
            if _squeezed(w)
            and (abs(w.start - gap.end) <= 0.02 or abs(w.end - gap.start) <= 0.02)
            and not (
                loud is not None
                and (_pause_beside_holds_sound(w, alignment, loud) or _edge_word_holds_sound(w, words, gap, loud))
            )
        ]
        if squeezed:
            reasons.append(f"{where}: {squeezed[0]!r} beside it has no sound of its own (aligned at minimum length)")
            continue
        within = [
            w.word
            for w in engine_words or []
            if gap.length >= INSIDE_WORD_S and w.start + 0.02 <= gap.start and gap.end <= w.end - 0.02
        ]
        if within:
            reasons.append(f"{where} is inside {within[0]!r} by the engine's own word times")
    return reasons
