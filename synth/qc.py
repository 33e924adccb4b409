"""Automatic checks on each rendered utterance, before it is written.

`check` measures and judges one signal: the clean render (an augmented row's `qc_clean`) and the
delivered augmented file (its `qc`); `check_augmentation` judges what the augmentation chain reports
it did; `merge` folds further reasons into a row's `qc`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class QCThresholds:
    min_duration_s: float = 0.2
    max_duration_s: float = 60.0
    silence_dbfs: float = -50.0  # whole-utterance RMS below this is a silent render
    max_clipped_ratio: float = 0.001  # fraction of samples at full scale
    max_words_per_second: float = 7.0
    min_words_per_second: float = 0.5
    # A frame is speech when its RMS is within `frame_range_db` of the loudest frame and above
    # `frame_floor_dbfs`: relative, so a quiet voice (volume 0.5) is judged like a loud one.
    frame_range_db: float = 40.0
    frame_floor_dbfs: float = -60.0
    min_speech_ratio: float = 0.2  # a click in silence has an RMS but hardly any speech frames
    max_leading_silence_s: float = 1.0
    max_trailing_silence_s: float = 1.0
    max_snr_error_db: float = 3.0  # |realized - target| SNR of a noise step

    def __post_init__(self):
        if self.min_duration_s > self.max_duration_s:
            raise ValueError(f"qc: min_duration_s {self.min_duration_s} > max_duration_s {self.max_duration_s}")
        if self.min_words_per_second > self.max_words_per_second:
            raise ValueError(
                f"qc: min_words_per_second {self.min_words_per_second} > max_words_per_second "
                f"{self.max_words_per_second}"
            )
        if not 0 <= self.min_speech_ratio <= 1:
            raise ValueError(f"qc: min_speech_ratio must be in [0, 1]; got {self.min_speech_ratio}")


_FRAME_S = 0.02  # 20 ms frames: short enough to time edges, long enough to hold a pitch period


def speech_frames(audio: np.ndarray, sample_rate: int, t: QCThresholds) -> np.ndarray:
    """One boolean per 20 ms frame: does it hold speech (or at least signal)?"""
    size = max(1, int(round(_FRAME_S * sample_rate)))
    n = len(audio) // size
    if n == 0:
        return np.zeros(0, dtype=bool)
    frames = np.asarray(audio[: n * size]).reshape(n, size)
    rms = np.sqrt(np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / size)  # float64 sums, no float64 copy
    db = 20 * np.log10(np.maximum(rms, 1e-10))
    return db >= max(float(db.max()) - t.frame_range_db, t.frame_floor_dbfs)


def check(audio: np.ndarray, sample_rate: int, n_words: int, t: QCThresholds) -> dict:
    """The row's `qc` object: passed, reasons, and the measurements behind them."""
    reasons = []
    duration = len(audio) / sample_rate
    # One float64 pass gives the energy and says whether every sample is finite: a NaN or an Inf
    # makes the sum NaN or Inf, and finite float32 squares cannot overflow a float64 sum.
    energy = float(np.einsum("i,i->", audio, audio, dtype=np.float64)) if len(audio) else 0.0
    finite = math.isfinite(energy)
    rms = float(np.sqrt(energy / len(audio))) if len(audio) and finite else 0.0
    rms_dbfs = 20 * np.log10(rms) if rms > 0 else -np.inf
    clipped = _clipped_ratio(audio) if len(audio) and finite else 0.0
    wps = n_words / duration if duration > 0 else float("inf")
    if not finite:
        reasons.append("non-finite samples (NaN or Inf)")
    if duration < t.min_duration_s:
        reasons.append(f"too short: {duration:.3f} s < {t.min_duration_s} s")
    if duration > t.max_duration_s:
        reasons.append(f"too long: {duration:.3f} s > {t.max_duration_s} s")
    silent = rms_dbfs < t.silence_dbfs
    if silent:
        reasons.append(f"silent: RMS {rms_dbfs:.1f} dBFS < {t.silence_dbfs} dBFS")
    if clipped > t.max_clipped_ratio:
        reasons.append(f"clipped: {clipped:.4f} of samples at full scale > {t.max_clipped_ratio}")
    if n_words and not t.min_words_per_second <= wps <= t.max_words_per_second:
        reasons.append(f"speaking rate {wps:.2f} words/s outside [{t.min_words_per_second}, {t.max_words_per_second}]")
    edges = {"speech_ratio": None, "leading_silence_s": None, "trailing_silence_s": None}
    if finite and not silent and len(audio):
        edges = _edges(speech_frames(audio, sample_rate, t), duration, t, reasons)
    return {
        "passed": not reasons,
        "reasons": reasons,
        "rms_dbfs": round(float(rms_dbfs), 2) if np.isfinite(rms_dbfs) else None,
        "clipped_ratio": round(clipped, 6),
        "words_per_second": round(wps, 3) if np.isfinite(wps) else None,
        **edges,
    }


def _clipped_ratio(audio: np.ndarray) -> float:
    """The fraction of samples at full scale; most renders have none, which max/min say without a copy."""
    if audio.max() < 0.999 and audio.min() > -0.999:
        return 0.0
    return float(np.count_nonzero(np.abs(audio) >= 0.999) / len(audio))


def _edges(speech: np.ndarray, duration: float, t: QCThresholds, reasons: list) -> dict:
    if not speech.any():  # shorter than one frame: the duration check has spoken already
        return {"speech_ratio": None, "leading_silence_s": None, "trailing_silence_s": None}
    ratio = float(speech.mean())
    active = np.flatnonzero(speech)
    leading = active[0] * _FRAME_S
    trailing = max(0.0, duration - (active[-1] + 1) * _FRAME_S)  # the partial last frame counts as silence
    if ratio < t.min_speech_ratio:
        reasons.append(f"near-silent: {ratio:.2f} of frames hold speech < {t.min_speech_ratio}")
    if leading > t.max_leading_silence_s:
        reasons.append(f"leading silence {leading:.2f} s > {t.max_leading_silence_s} s")
    if trailing > t.max_trailing_silence_s:
        reasons.append(f"trailing silence {trailing:.2f} s > {t.max_trailing_silence_s} s")
    return {
        "speech_ratio": round(ratio, 3),
        "leading_silence_s": round(leading, 3),
        "trailing_silence_s": round(trailing, 3),
    }


def check_augmentation(applied: list[dict], t: QCThresholds) -> list[str]:
    """Reasons the augmentation did not do what its labels say (empty: it did).

    A noise step labels the SNR it drew (`snr_db_target`) and the one it measured on the mix
    (`snr_db_at_mix`; `snr_db` in corpora written before it was renamed); far apart, the label would
    mislead whoever filters the corpus by SNR."""
    reasons = []
    for position, step in enumerate(applied or []):
        if step.get("name") != "noise":
            continue
        params = step.get("params") or {}
        target = params.get("snr_db_target")
        realized = params.get("snr_db_at_mix", params.get("snr_db"))
        where = f"noise step {position} ({params.get('kind', '?')})"
        if target is None:
            continue  # nothing was promised
        if realized is None or not math.isfinite(realized):
            reasons.append(f"{where}: no SNR realized (silent speech or silent noise), target {target} dB")
        elif abs(realized - target) > t.max_snr_error_db:
            reasons.append(
                f"{where}: SNR {realized:.1f} dB, target {target:.1f} dB (off by more than {t.max_snr_error_db} dB)"
            )
    return reasons


def merge(checks: dict, reasons: list[str], **extra) -> dict:
    """A copy of a row's `qc` with more reasons (and fields, e.g. `asr`) added; `passed` follows."""
    merged = {**checks, **extra, "reasons": [*checks.get("reasons", []), *reasons]}
    merged["passed"] = not merged["reasons"]
    return merged
