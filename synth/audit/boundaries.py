"""Word times of the label against the forced aligner's, on the same audio and transcript.

Only engine word times are tested: rows whose words came from this same aligner (`source:
aligner`) would be compared with themselves, so they are reported as not independent.

Where speech resumes after silence, the level says where the next word starts better than the
aligner does, so that word's measured start is the first frame of sound (`resumed_starts`). Silence
is the file's leading quiet, or a quiet run (QUIET_DB below the loudest frame) of MIN_PAUSE_S or more
that falls to PAUSE_DB somewhere. The aligner, which has no room to model short edge silences and
blurs a pause into the words beside it, was measured off there on rows whose labels sit on the rise
of the level (10 ms frames, corpus rows of the issue-13 done-when run): eSpeak NG "turn" (first
word) 100 ms late, "call" 30 ms late; Kokoro "could"/"good" (first words, after 50 ms of trimmed
lead) 50-55 ms early, "everyone" and "please" after a comma 80-105 ms early, inside the pause's -59
to -75 dB frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.audio_io import frame_energy
from synth.audit.alignment import AlignedWord, Scored
from synth.letter_runs import join_aligned
from synth.manifest import Word

FRAME_S = 0.01
PAUSE_DB = -45.0  # a 10 ms frame this far below the loudest is silence (pauses measured at -59 to -113 dB)
# Speech resumes at the first frame back above QUIET_DB: Flite awb's leading silence is noise at 43-54 dB
# below the peak, which PAUSE_DB alone cut into "pauses" that ended 80 ms before the word.
QUIET_DB = -35.0
MIN_PAUSE_S = 0.05  # an inner silent run this long is a pause (shorter ones can be a stop's closure)
# A word's aligned start this far before the pause began still belongs after it (Kokoro "everyone": the
# aligner began it 35 ms before, in the fade of "morning"); a word begun earlier sounds before the pause
# (its silence is the word's own closure) and is left to the aligner.
BEFORE_PAUSE_S = 0.05
RESUME_WINDOW_S = 0.15  # farther from the resumption than this, the aligner's word is not the one resuming
# A stop's closure is part of its word: an inner quiet run no longer than this before a word that begins with a
# stop is that closure, so the word starts where the quiet begins, not at the burst. (Kokoro jf_gongitsune
# "Sounds good.": 50 ms of quiet at -36 to -59 dB between the "z" and the "g" burst; the label and the aligner
# started "good" 25-30 ms before the quiet, and the burst rule called the row's words 42 ms early.)
MAX_CLOSURE_S = 0.1
STOPS = frozenset({"P", "B", "T", "D", "K", "G", "CH", "JH"})


@dataclass(frozen=True)
class Boundaries:
    start_errors: list[float]  # label − aligner, seconds, one per word
    end_errors: list[float]

    @property
    def offset(self) -> float:
        """Median signed start error: a row's words all late (positive) or early."""
        return float(np.median(self.start_errors))


def independent(words: list[Word] | None) -> bool:
    """Whether the row's word times came from the engine, not from the forced aligner."""
    return bool(words) and not any(w.source == "aligner" for w in words)


def pauses(pcm: np.ndarray, sample_rate: int) -> list[tuple[float, float]]:
    """(start, end) in seconds of the leading quiet (any length) and of inner quiet runs of MIN_PAUSE_S or
    more that reach PAUSE_DB; `end` is where sound resumes."""
    energy = frame_energy(pcm, sample_rate, FRAME_S)
    n = len(energy)
    if n == 0:
        return []
    if energy.max() <= 0:
        return []
    quiet = energy < energy.max() * 10 ** (QUIET_DB / 10)
    silent = energy < energy.max() * 10 ** (PAUSE_DB / 10)
    edges = np.diff(np.concatenate(([0], quiet.astype(np.int8), [0])))
    found = []
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if b < n and (a == 0 or ((b - a) * FRAME_S >= MIN_PAUSE_S - 1e-9 and silent[a:b].any())):
            found.append((a * FRAME_S, b * FRAME_S))
    if not quiet[0]:
        found.insert(0, (0.0, 0.0))  # sound from the first frame: the first word starts there
    return found


def resumed_starts(aligned: list[AlignedWord], silences: list[tuple[float, float]]) -> list[float]:
    """The aligner's word starts, with the first word after each pause moved to where sound resumes (or, for a
    word beginning with a stop after a quiet run no longer than a closure, to where the quiet began)."""
    starts = [a.start for a in aligned]
    for begin, resume in silences:
        after = next((i for i, a in enumerate(aligned) if a.end > resume), None)
        if after is None:
            continue
        start = aligned[after].start
        if start >= begin - BEFORE_PAUSE_S and abs(start - resume) <= RESUME_WINDOW_S:
            phones = aligned[after].phones
            closure = begin > 0 and resume - begin <= MAX_CLOSURE_S + 1e-9 and bool(phones) and phones[0].name in STOPS
            starts[after] = begin if closure else resume
    return starts


def compare(
    words: list[Word], alignment: Scored, pcm: np.ndarray | None = None, sample_rate: int = 0
) -> Boundaries | None:
    """Per-word start and end errors; None when the two do not spell the same words.

    :param pcm: the audio the alignment is of; where given, starts after silence are where sound resumes
    """
    aligned = alignment.spoken()
    if [w.word for w in words] != [a.word for a in aligned]:
        # normalize.letters=joined: the aligner's letter names, merged into the row's initialisms ("PM")
        aligned = join_aligned(aligned, [w.word for w in words])
        if aligned is None:
            return None
    starts = resumed_starts(aligned, pauses(pcm, sample_rate)) if pcm is not None else [a.start for a in aligned]
    return Boundaries(
        [round(w.start - start, 4) for w, start in zip(words, starts)],
        [round(w.end - a.end, 4) for w, a in zip(words, aligned)],
    )
