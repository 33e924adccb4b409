"""Forced alignment with scores: does the audio fit its transcript better than it fits an impostor's?

A forced aligner always fits the transcript it is given (synth/align.py says so), so its word
times alone cannot tell a wrong transcript from a right one. Its score can: the acoustic
log-likelihood of the best path through the transcript's phones. The same audio is aligned to the
label and to impostors (other transcripts of the corpus: its transcripts shuffled over its rows);
a true label scores better than every impostor. Scores are compared per 10 ms frame of the same
audio, with no pause or noise model between words (every frame must be some transcript's phone),
so transcripts of different lengths compete fairly.

The decoder is synth.align's (same settings, same pronunciation routes), extended to keep the
score and the phone-level alignment (pocketsphinx 5's `set_alignment`/`get_alignment` pass). Given
the eSpeak NG voice that drove the audio (eSpeak NG and MBROLA rows), every word is pronounced as
that voice says it (synth.audit.pronunciations), not as CMU's American dictionary does.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass

import numpy as np

from synth.align import ALIGN_RATE, FRAME_S, Aligner, _has_speech
from synth.audio_io import resample, to_pcm16
from synth.audit.pronunciations import VoicePronunciations

_FILLER = re.compile(r"^(<.*>|\[.*\]|\+.*\+)$")
_ALT = re.compile(r"\(\d+\)$")


@dataclass(frozen=True)
class Phone:
    name: str  # ARPAbet, or SIL for a filler
    start: float  # seconds
    end: float


@dataclass(frozen=True)
class AlignedWord:
    word: str  # "<sil>" for a pause the aligner inserted
    start: float
    end: float
    phones: tuple[Phone, ...]

    @property
    def filler(self) -> bool:
        return bool(_FILLER.match(self.word))


@dataclass(frozen=True)
class Scored:
    """One forced alignment: `score` is the path's total acoustic score, `frames` the audio's 10 ms frames."""

    words: tuple[AlignedWord, ...]  # fillers included, in time order
    score: int
    frames: int

    @property
    def per_frame(self) -> float:
        return self.score / max(self.frames, 1)

    def spoken(self) -> list[AlignedWord]:
        return [w for w in self.words if not w.filler]


class ScoringAligner(Aligner):
    """synth.align.Aligner that also returns scores and phones (two decoding passes per call)."""

    def __init__(self, pronunciations: str = "auto"):
        super().__init__(pronunciations)
        self.voices = VoicePronunciations()

    def _key(self, word: str, voice: str | None) -> str:
        """The dictionary key to align `word` with: as eSpeak NG voice `voice` says it where it can be
        mapped (a key of its own, "word@voice"), else the aligner's usual route."""
        phones = self.voices.arpabet(voice, word) if voice else None
        if phones is None:
            return self._pronounce(word)[0]
        key = f"{word}@{voice}"
        if self._decoder.lookup_word(key) is None:
            try:
                self._decoder.add_word(key, phones, True)
            except RuntimeError:  # a phone the acoustic model lacks
                return self._pronounce(word)[0]
            # The usual route's pronunciations as alternates: the aligner with pauses (word times, gaps)
            # may take them; the pause-free comparison takes the first only (`_plain_decoder`), for the
            # label and the impostors alike. Measured on 240 eSpeak NG rows: the same margins as without
            # them, word starts as good as CMU's on en-us (median 8 ms, against 10 ms without).
            base = self._pronounce(word)[0]
            usual = [self._decoder.lookup_word(base)] + [self._decoder.lookup_word(f"{base}({i})") for i in range(2, 6)]
            for i, alt in enumerate([a for a in dict.fromkeys(usual) if a and a != phones], start=2):
                self._decoder.add_word(f"{key}({i})", alt, True)
        return key

    def pcm(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        return to_pcm16(resample(np.asarray(audio, dtype=np.float32), sample_rate, ALIGN_RATE))

    def score(self, pcm: np.ndarray, transcript: str, fillers: bool = True, voice: str | None = None) -> Scored | None:
        """Align `transcript` to 16 kHz PCM; None when there is no speech or no path through it.

        :param pcm: int16 mono at 16 kHz (`pcm()` makes it)
        :param transcript: lowercase words separated by spaces
        :param fillers: allow pauses and noise between words (the word times need them). Without
            them every frame must be one of the transcript's phones, which is what makes scores of
            different transcripts comparable: with fillers, a short impostor lets silence and noise
            models explain the speech it lacks, and beats a long true label on formant voices.
        :param voice: the eSpeak NG voice whose pronunciations the audio carries (`pronunciations.espeak_voice`),
            or None: CMU's
        """
        words = transcript.split()
        if not words or not _has_speech(pcm):
            return None
        with self._lock:
            try:
                keys = [self._key(w, voice) for w in words]
            except RuntimeError:
                return None
            decoder = self._decoder if fillers else self._plain_decoder(keys)
            decoder.reinit_feat()
            decoder.set_align_text(" ".join(keys))
            decoder.start_utt()
            decoder.process_raw(pcm.tobytes(), full_utt=True)
            decoder.end_utt()
            if decoder.hyp() is None:
                return None
            decoder.set_alignment()  # a second pass over the same path gives phones and scores
            decoder.reinit_feat()
            decoder.start_utt()
            decoder.process_raw(pcm.tobytes(), full_utt=True)
            decoder.end_utt()
            aligned, total = [], 0
            for word in decoder.get_alignment() or []:
                phones = tuple(Phone(p.name, p.start * FRAME_S, (p.start + p.duration) * FRAME_S) for p in word)
                total += sum(p.score for p in word)
                aligned.append(
                    AlignedWord(
                        _ALT.sub("", word.name), word.start * FRAME_S, (word.start + word.duration) * FRAME_S, phones
                    )
                )
        if [w.word for w in aligned if not w.filler] != keys:
            return None
        # A key may be "word@route" (synth.align's forced routes): report the transcript's word.
        names = iter(words)
        aligned = [w if w.filler else dataclasses.replace(w, word=next(names)) for w in aligned]
        return Scored(tuple(aligned), int(total), len(pcm) // int(ALIGN_RATE * FRAME_S))


def impostors(transcript: str, pool: list[str], key: str, count: int = 3) -> list[str]:
    """`count` other transcripts of the corpus nearest in word count (ties broken by a hash of
    `key`): the corpus's transcripts shuffled over its rows, as a true label's competitors.
    (The label's own words in another order were tried too: on eSpeak NG's formant voices that near
    miss sometimes out-scores the true label, so it is not used.)

    :param pool: the corpus's distinct transcripts
    :param key: the row's id, so the same row always meets the same impostors
    """
    n = len(transcript.split())

    def rank(other: str) -> tuple:
        return abs(len(other.split()) - n), hashlib.sha256(f"{key}|{other}".encode()).digest()

    return sorted((t for t in pool if t != transcript), key=rank)[:count]


@dataclass(frozen=True)
class TranscriptTest:
    label: Scored | None  # the label's alignment with pauses allowed (for word times and gaps)
    best_impostor: str | None
    margin: float | None  # label's score per frame minus the best impostor's; > 0: the label wins


# Leading and trailing frames this far below the loudest 10 ms frame are silence no transcript claims.
EDGE_SILENCE_DB = 40.0


def speech_span(pcm: np.ndarray, floor_db: float = EDGE_SILENCE_DB) -> np.ndarray:
    """`pcm` without its leading and trailing silence (10 ms frames more than `floor_db` below the
    loudest one; digital zeros included), from the audio alone, not from any transcript.

    Why: the pause-free comparison makes every frame some transcript's phone, so edge silence has to
    be absorbed by the first and last phones. That scores a transcript by how well its edge phones
    imitate silence, not by the speech: true labels of MBROLA (which writes exact zeros) and eSpeak NG
    voices lost to impostors by up to 19 per frame that way, and won by 6-24 once both could pause.
    """
    frame = int(ALIGN_RATE * FRAME_S)
    n = len(pcm) // frame
    if n < 3:
        return pcm
    energy = np.mean(pcm[: n * frame].astype(np.float64).reshape(n, frame) ** 2, axis=1)
    if energy.max() <= 0:
        return pcm
    loud = np.flatnonzero(10 * np.log10(energy / energy.max() + 1e-30) > -floor_db)
    return pcm[max(loud[0] - 1, 0) * frame : min(loud[-1] + 2, n) * frame]


def against_impostors(
    aligner: ScoringAligner, pcm: np.ndarray, transcript: str, others: list[str], voice: str | None = None
) -> TranscriptTest:
    """Align the label and each impostor to the same audio and compare scores per frame (pause-free,
    over the speech span: `speech_span`), all with the pronunciations of `voice` (see ScoringAligner.score)."""
    label = aligner.score(pcm, transcript, voice=voice)
    pcm = speech_span(pcm)
    strict = aligner.score(pcm, transcript, fillers=False, voice=voice)
    if label is None or strict is None:
        return TranscriptTest(label, None, None)
    best, best_score = None, None
    for other in others:
        scored = aligner.score(pcm, other, fillers=False, voice=voice)
        if scored is not None and (best_score is None or scored.per_frame > best_score):
            best, best_score = other, scored.per_frame
    margin = None if best_score is None else strict.per_frame - best_score
    return TranscriptTest(label, best, margin)
