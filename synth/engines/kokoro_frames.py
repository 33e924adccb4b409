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
- Rate: the speech is the tokens from the first sounding phoneme up to the last one (the pads and the
  punctuation at either end are silence, and the model gives the last phoneme the utterance's tail,
  most of it silent). The heard speech stretches more than those frames (the audible lead-in inside
  the leading pad and the audible part of the tail grow with them): a frame ratio r is heard as
  r ** gamma, with gamma fitted per model (benchmarks/prosody_slopes.py).
"""

from __future__ import annotations

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


def speech_span(phonemes: str) -> slice:
    """Padded-token indices from the first sounding phoneme up to the last one, exclusive: the 0 pads and the
    punctuation at either end are silence, and the model gives the last phoneme the utterance's tail
    (15 frames for the "s" of "lights" in Kokoro, most of them silent)."""
    sounding = [i for i, ch in enumerate(phonemes) if ch not in NOT_SPOKEN]
    if len(sounding) < 2:
        return slice(1, len(phonemes) + 1)
    return slice(sounding[0] + 1, sounding[-1] + 1)


def speech_frames(frames: np.ndarray, span: slice) -> float:
    return float(np.sum(frames[span]))


def heard_rate(base_frames: float, rendered_frames: float, gamma: float) -> float:
    """The duration ratio heard when the speech frames go from `base_frames` to `rendered_frames`."""
    return (base_frames / rendered_frames) ** gamma
