"""What the duration frames of Kokoro-82M's architecture say about the audio: word onsets and the heard rate.

Two engines run that architecture: Kokoro itself (synth/engines/kokoro.py) and hibari, a model
distilled from it (synth/engines/hibari.py). Both predict a whole number of frames per phoneme token
(25 ms: 600 samples at 24 kHz), both divide those durations by a ``speed`` input and round them, and
both sound the same way against those frames (measured against the forced aligner, RESULTS.md):

- Onsets: the sound runs ONSET_LEAD_S ahead of the frames, and a word's onset lies in the word-break
  token " " before it, not in its own first phoneme (which starts ~85 ms after the aligner's word
  start in Kokoro, ~80 ms in hibari). In connected speech a word starts ONSET_LEAD_S before its
  word-break token; after a pause (punctuation, then " ") at the word-break token's own start; at the
  start of a call ONSET_LEAD_S before its first phoneme. Other phonemes start ONSET_LEAD_S before their
  own token.
- Rate: the heard speech is the span from the first audible frame to the last (what the audit
  measures: 10 ms frames within 40 dB of the loudest). In frames it is, per model call, the speech
  frames (the tokens from the first sounding phoneme up to, not including, the last one, which
  carries the utterance's tail, most of it silent) plus a share of the leading pad (the audible
  lead-in grows with it) plus a constant (the audible tail less what the frames count of the
  onset): heard = speech + lead × pad + offset, with (lead, offset) fitted per model
  (benchmarks/heard_edges.py). The rate is the heard ratio at speed 1 over as rendered. A power of
  the speech-frame ratio alone (r ** gamma, before) was right on long prompts but 4-5 % off on
  two-word ones, whose edges are a large part of what is heard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

PAUSES = set(",.!?;:—…")  # punctuation the models pause at
NOT_SPOKEN = set(' ;:,.!?—…"()“”')  # tokens with no sound of their own
ONSET_LEAD_S = 0.04  # the sound runs this far ahead of the duration frames (the same in both models)


def phoneme_onsets(phonemes: str, token_starts: np.ndarray, sample_rate: int) -> list[int]:
    """The sample (in the model's output) where the sound of each phoneme character begins.

    :param phonemes: one call's phoneme characters, one per token (the ids without the 0 pads)
    :param token_starts: the sample at which each padded token starts (index i + 1 is phonemes[i])
    :param sample_rate: the model's output rate
    """
    lead = int(round(ONSET_LEAD_S * sample_rate))
    onsets = [int(token_starts[i + 1]) - lead for i in range(len(phonemes))]
    for i, ch in enumerate(phonemes):
        if ch in NOT_SPOKEN or i == 0 or phonemes[i - 1] != " ":
            continue
        before = phonemes[: i - 1].rstrip(" ")
        after_pause = not before or before[-1] in PAUSES
        onsets[i] = int(token_starts[i]) - (0 if after_pause else lead)  # token i (padded) is the " " before
    return [max(o, 0) for o in onsets]


def first_at_sound(onsets: list[int], phonemes: str, audio: np.ndarray, sample_rate: int) -> list[int]:
    """`onsets` with the call's first sounding phoneme moved to where the call's sound begins (the first
    10 ms frame within 35 dB of the loudest, as for eSpeak NG's first word).

    Why: nothing is heard before the first phoneme, but how far its sound runs ahead of its frames grows
    with the leading pad the model predicts, and differs by voice: 25-120 ms before the first phoneme's
    token (ONSET_LEAD_S is 40), on two-word prompts the most (Kokoro jf_gongitsune "Not yet.", pad 20
    frames: 120 ms, so its first word was labelled 80 ms late; "Turn on the kitchen lights.", pad 18: 40 ms).
    """
    from synth.engines.espeak import sound_onset

    first = next((i for i, ch in enumerate(phonemes) if ch not in NOT_SPOKEN), None)
    if first is None:
        return onsets
    moved = list(onsets)
    moved[first] = sound_onset(audio, sample_rate)
    return moved


def speech_span(phonemes: str) -> slice:
    """Padded-token indices from the first sounding phoneme up to the last one, exclusive: the 0 pads and the
    punctuation at either end are silence, and the model gives the last phoneme the utterance's tail
    (15 frames for the "s" of "lights" in Kokoro, most of them silent)."""
    sounding = [i for i, ch in enumerate(phonemes) if ch not in NOT_SPOKEN]
    if len(sounding) < 2:
        return slice(1, len(phonemes) + 1)
    return slice(sounding[0] + 1, sounding[-1] + 1)


@dataclass(frozen=True)
class HeardEdges:
    """How much of a model call's edges is heard, in frames: heard = speech + lead × pad + offset."""

    lead: float  # share of the leading pad's frames that is heard
    offset: float  # frames, the same at every speed


def frames_at(undivided: np.ndarray, speed: float) -> np.ndarray:
    """Both graphs' own arithmetic: float32 division by speed, round half to even, at least one frame."""
    return np.maximum(np.round(np.asarray(undivided, np.float32) / np.float32(speed)), np.float32(1.0))


def heard_frames(frames: np.ndarray, span: slice, edges: HeardEdges) -> float:
    """Frames from the first audible sound to the last one, for one call's frames per padded token and its
    speech span (at least one frame)."""
    speech = float(np.sum(frames[span]))
    pad = float(np.sum(frames[: span.start]))
    return max(speech + edges.lead * pad + edges.offset, 1.0)


def speed_for_rate(heard_at: Callable[[float], float], rate: float, limits: tuple[float, float]) -> float:
    """The model speed (4 decimals) whose heard ratio, heard_at(1) / heard_at(speed), is nearest `rate`
    (ties: the speed nearest to rate). Whole frames of at least one keep short phonemes from shrinking
    (speed 1.25 is heard as ~1.16), so the speed is searched; the ratio is monotone in the speed."""
    if rate == 1.0:
        return 1.0
    base = heard_at(1.0)

    def ratio(speed: float) -> float:
        return base / heard_at(speed)

    lo, hi = limits
    for _ in range(40):  # bisection
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ratio(mid) < rate else (lo, mid)
    candidates = {round(lo, 4), round(hi, 4), round(rate, 4)}
    return min(sorted(candidates), key=lambda sp: (abs(ratio(sp) - rate), abs(sp - rate)))
