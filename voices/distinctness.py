"""Are the speakers of a corpus really different speakers? A figure the dataset card can print.

From renders ``(speaker_id, audio, sample_rate[, prompt_key])`` this computes, per render, a voice vector: the mean
of MFCC 1-12 over the speech frames (c0, the level, is left out) and log2 of the median F0 (Praat's tracker). Then:

- content removal: when renders carry a prompt key and a prompt was spoken by two or more speakers, the mean vector
  of that prompt is subtracted from its renders, so what is left is the voice, not the words (the benchmark renders
  the same prompts in every speaker; a corpus sample without shared prompts keeps its content variance, which
  only makes the figure stricter);
- every dimension is scaled by its standard deviation over all renders, so F0 and each MFCC weigh the same;
- per speaker: the centroid of its renders and its *spread*, the RMS distance of its renders from that centroid;
- a pair of speakers is **distinct** when their centroids are further apart than their pooled spread,
  sqrt((spread_a^2 + spread_b^2) / 2): one utterance strays less from its own speaker than the two speakers differ;
- ``id_accuracy``: leave-one-out nearest-centroid speaker identification over the renders (each render's speaker
  centroid recomputed without it), the share of renders that land on their own speaker; chance is 1 / speakers.

It is a cheap, text-independent MFCC-mean measure, not a speaker-verification model: two speakers distinct here
can still sound alike to a listener, and the converse; read it as a relative figure (pseudo-speakers vs base voices).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from voices.perturb import median_f0

__all__ = ["FEATURE_RATE", "distinctness", "mfcc_mean", "voice_vector"]

FEATURE_RATE = 16000
_N_MELS, _N_MFCC, _FRAME, _HOP, _NFFT = 26, 12, 400, 160, 512  # 25 ms frames every 10 ms at 16 kHz
_SPEECH_DB = 35.0  # frames within this many dB of the loudest frame count as speech


def _mel_filters() -> np.ndarray:
    def mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m):
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    edges = hz(np.linspace(mel(100.0), mel(7600.0), _N_MELS + 2))
    bins = np.fft.rfftfreq(_NFFT, 1.0 / FEATURE_RATE)
    fb = np.zeros((_N_MELS, len(bins)))
    for i in range(_N_MELS):
        lo, mid, hi = edges[i : i + 3]
        fb[i] = np.clip(np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)), 0.0, None)
    return fb


_FILTERS = _mel_filters()
_DCT = np.cos(np.pi / _N_MELS * (np.arange(_N_MELS) + 0.5)[None, :] * np.arange(1, _N_MFCC + 1)[:, None])


def _to_feature_rate(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    audio = np.asarray(audio, dtype=np.float32)
    if sample_rate == FEATURE_RATE:
        return audio.astype(np.float64)
    import soxr

    return soxr.resample(audio, sample_rate, FEATURE_RATE, quality="HQ").astype(np.float64)


def mfcc_mean(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mean MFCC 1-12 over the speech frames of `audio` (resampled to 16 kHz first, so rates compare)."""
    x = _to_feature_rate(audio, sample_rate)
    if len(x) < _FRAME:
        raise ValueError(f"audio too short for MFCCs: {len(x)} samples at {FEATURE_RATE} Hz (need {_FRAME})")
    x = np.append(x[0], x[1:] - 0.97 * x[:-1])
    n = 1 + (len(x) - _FRAME) // _HOP
    frames = np.lib.stride_tricks.sliding_window_view(x, _FRAME)[::_HOP][:n] * np.hamming(_FRAME)
    power = np.abs(np.fft.rfft(frames, _NFFT)) ** 2
    energy_db = 10 * np.log10(power.sum(axis=1) + 1e-12)
    speech = energy_db > energy_db.max() - _SPEECH_DB
    log_mel = np.log(power[speech] @ _FILTERS.T + 1e-10)
    return (log_mel @ _DCT.T).mean(axis=0)


def voice_vector(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """[MFCC 1-12 means..., log2 median F0] of one render (F0 nan when nothing is voiced)."""
    f0 = median_f0(audio, sample_rate)
    return np.append(mfcc_mean(audio, sample_rate), math.log2(f0) if math.isfinite(f0) else np.nan)


def distinctness(renders: Iterable[Sequence]) -> dict:
    """The distinctness figures of a set of renders ``(speaker_id, audio, sample_rate[, prompt_key])``.

    Needs at least two speakers with two renders each. Returns a JSON-ready dict: speakers, renders, pairs,
    distinct_pairs, distinct_share, id_accuracy, chance, and per speaker: median_f0_hz, spread, nearest (the
    nearest other speaker), nearest_distance, mfcc_mean (the raw MFCC 1-12 means).
    """
    ids, keys, vectors = [], [], []
    for i, r in enumerate(renders):
        if len(r) not in (3, 4):
            raise ValueError(f"render {i}: expected (speaker_id, audio, sample_rate[, prompt_key]); got {len(r)} items")
        ids.append(str(r[0]))
        keys.append(r[3] if len(r) == 4 else None)
        vectors.append(voice_vector(r[1], int(r[2])))
    raw = np.array(vectors)
    speakers = sorted(set(ids))
    counts = {s: ids.count(s) for s in speakers}
    if len(speakers) < 2 or min(counts.values()) < 2:
        raise ValueError(f"distinctness needs >= 2 speakers with >= 2 renders each; got {counts}")
    unvoiced = np.isnan(raw[:, -1])
    if unvoiced.any():  # a render with no voiced frame: use its speaker's median log F0 of the others
        for i in np.flatnonzero(unvoiced):
            same = [j for j, s in enumerate(ids) if s == ids[i] and not unvoiced[j]]
            raw[i, -1] = np.median(raw[same, -1]) if same else np.nanmedian(raw[:, -1])
    x = raw.copy()
    by_key = defaultdict(list)
    for i, k in enumerate(keys):
        if k is not None:
            by_key[k].append(i)
    for rows in by_key.values():
        if len({ids[i] for i in rows}) >= 2:
            x[rows] -= x[rows].mean(axis=0)
    scale = x.std(axis=0)
    x /= np.where(scale > 0, scale, 1.0)

    rows_of = {s: [i for i, v in enumerate(ids) if v == s] for s in speakers}
    centroid = {s: x[rows].mean(axis=0) for s, rows in rows_of.items()}
    spread = {s: float(np.sqrt(((x[rows] - centroid[s]) ** 2).sum(axis=1).mean())) for s, rows in rows_of.items()}
    distance = {
        (a, b): float(np.linalg.norm(centroid[a] - centroid[b])) for a, b in itertools.combinations(speakers, 2)
    }
    distinct = sum(d > math.sqrt((spread[a] ** 2 + spread[b] ** 2) / 2) for (a, b), d in distance.items())

    def dist(a, b):
        return distance[(a, b) if a < b else (b, a)]

    hits = 0
    for i, s in enumerate(ids):
        best, best_d = None, math.inf
        for t in speakers:
            rows = [j for j in rows_of[t] if j != i]
            d = float(np.linalg.norm(x[i] - x[rows].mean(axis=0)))
            if d < best_d:
                best, best_d = t, d
        hits += best == s
    per_speaker = {}
    for s in speakers:
        nearest = min((t for t in speakers if t != s), key=lambda t: dist(s, t))
        per_speaker[s] = {
            "renders": counts[s],
            "median_f0_hz": round(float(2 ** np.median(raw[rows_of[s], -1])), 1),
            "spread": round(spread[s], 3),
            "nearest": nearest,
            "nearest_distance": round(dist(s, nearest), 3),
            "mfcc_mean": [round(float(v), 3) for v in raw[rows_of[s], :-1].mean(axis=0)],
        }
    return {
        "speakers": len(speakers),
        "renders": len(ids),
        "pairs": len(distance),
        "distinct_pairs": int(distinct),
        "distinct_share": round(distinct / len(distance), 4),
        "id_accuracy": round(hits / len(ids), 4),
        "chance": round(1 / len(speakers), 4),
        "per_speaker": per_speaker,
    }
