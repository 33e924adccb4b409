"""Reverberation time of an impulse response by Schroeder backward integration (ISO 3382 style)."""

from __future__ import annotations

import numpy as np


def energy_decay_db(rir: np.ndarray) -> np.ndarray:
    """Schroeder's energy decay curve in dB, 0 dB at the start."""
    energy = np.cumsum(np.square(rir[::-1], dtype=np.float64))[::-1]
    energy = np.maximum(energy / energy[0], 1e-30)
    return 10 * np.log10(energy)


def schroeder_rt60(rir: np.ndarray, sample_rate: int) -> float | None:
    """RT60 from a line fitted to the decay between -5 dB and -35 dB (T30), or -25 dB (T20) when the
    curve does not reach -35 dB; None when it does not even reach -25 dB."""
    if len(rir) < 2 or not np.any(rir):
        return None
    edc = energy_decay_db(rir)
    for end in (-35.0, -25.0):
        below = np.nonzero(edc <= end)[0]
        if len(below):
            start = int(np.argmax(edc <= -5.0))
            stop = int(below[0])
            if stop - start < 4:
                continue
            t = np.arange(start, stop) / sample_rate
            slope = np.polyfit(t, edc[start:stop], 1)[0]  # dB per second, negative
            return float(-60.0 / slope) if slope < 0 else None
    return None


def trim_tail(rir: np.ndarray, floor_db: float = -60.0) -> np.ndarray:
    """Cut the RIR where its remaining energy is `floor_db` below the total: convolution cost only."""
    edc = energy_decay_db(rir)
    below = np.nonzero(edc <= floor_db)[0]
    return rir[: int(below[0])] if len(below) else rir


def direct_to_reverberant_db(rir: np.ndarray, sample_rate: int, window_ms: float = 2.5) -> float:
    """Energy within `window_ms` of the direct path (at sample 0) against the rest."""
    split = max(1, int(sample_rate * window_ms / 1000))
    direct = float(np.sum(np.square(rir[:split], dtype=np.float64)))
    late = float(np.sum(np.square(rir[split:], dtype=np.float64)))
    return round(10 * np.log10(direct / late), 2) if late > 0 and direct > 0 else None
