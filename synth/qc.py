"""Automatic checks on each rendered utterance, before it is written."""

from __future__ import annotations

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


def check(audio: np.ndarray, sample_rate: int, n_words: int, t: QCThresholds) -> dict:
    """The row's `qc` object: passed, reasons, and the measurements behind them."""
    reasons = []
    duration = len(audio) / sample_rate
    finite = bool(np.all(np.isfinite(audio)))
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if len(audio) and finite else 0.0
    rms_dbfs = 20 * np.log10(rms) if rms > 0 else -np.inf
    clipped = float(np.mean(np.abs(audio) >= 0.999)) if len(audio) and finite else 0.0
    wps = n_words / duration if duration > 0 else float("inf")
    if not finite:
        reasons.append("non-finite samples (NaN or Inf)")
    if duration < t.min_duration_s:
        reasons.append(f"too short: {duration:.3f} s < {t.min_duration_s} s")
    if duration > t.max_duration_s:
        reasons.append(f"too long: {duration:.3f} s > {t.max_duration_s} s")
    if rms_dbfs < t.silence_dbfs:
        reasons.append(f"silent: RMS {rms_dbfs:.1f} dBFS < {t.silence_dbfs} dBFS")
    if clipped > t.max_clipped_ratio:
        reasons.append(f"clipped: {clipped:.4f} of samples at full scale > {t.max_clipped_ratio}")
    if n_words and not t.min_words_per_second <= wps <= t.max_words_per_second:
        reasons.append(f"speaking rate {wps:.2f} words/s outside [{t.min_words_per_second}, {t.max_words_per_second}]")
    return {
        "passed": not reasons,
        "reasons": reasons,
        "rms_dbfs": round(float(rms_dbfs), 2) if np.isfinite(rms_dbfs) else None,
        "clipped_ratio": round(clipped, 6),
        "words_per_second": round(wps, 3) if np.isfinite(wps) else None,
    }
