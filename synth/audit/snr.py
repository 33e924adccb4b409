"""The delivered file's SNR, re-estimated from the audio alone: the clean pair, the RIR and least squares.

A noise step's SNR holds where the noise was mixed; a device chain after it (filters, AGC, codec)
changes the file's SNR. The file's speech part is what the clean render becomes through linear,
slowly varying processing, so it is estimated as the best fit of the delivered file from the clean
render (convolved with the row's RIR when a room step ran):
1. one FIR filter (512 taps, 2 ms of them acausal) fitted by least squares over the whole file:
   the room-to-mic path, the device's EQ and band limits, a resampler;
2. one gain per 100 ms block, fitted the same way: what AGC and limiters do over time.
What the fit cannot explain (the noise as the device left it, codec and clipping error) is the
noise part, which is how the corpus defines a file's SNR (`file_snr_db`). 512 + one per block
parameters against tens of thousands of samples: the fit takes ~0.1% of the noise with it.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_toeplitz
from scipy.signal import fftconvolve

TAPS = 512
ACAUSAL = 32  # taps before the sample: filters advanced by their group delay lead a little
BLOCK_S = 0.1


def _correlate(a: np.ndarray, b: np.ndarray, lags: int) -> np.ndarray:
    """sum_t a[t] b[t - k] for k = 0..lags-1, by FFT."""
    n = len(a) + len(b)
    size = 1 << (n - 1).bit_length()
    spectrum = np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size))
    return np.fft.irfft(spectrum, size)[:lags]


def speech_part(delivered: np.ndarray, reference: np.ndarray, sample_rate: int) -> np.ndarray:
    """The least-squares estimate of the speech in `delivered` from `reference` (same length).

    :param delivered: the augmented file's samples
    :param reference: the clean render, convolved with the room's RIR when one was applied
    :param sample_rate: Hz of both
    """
    y = np.asarray(delivered, dtype=np.float64)
    x = np.asarray(reference, dtype=np.float64)[: len(y)]
    x = np.concatenate([x, np.zeros(len(y) - len(x))])
    shifted = np.concatenate([x[ACAUSAL:], np.zeros(ACAUSAL)])  # shifted[t] = x[t + ACAUSAL]
    autocorrelation = _correlate(shifted, shifted, TAPS)
    autocorrelation[0] *= 1 + 1e-9  # keeps the system solvable on a band-limited reference
    cross = _correlate(y, shifted, TAPS)
    taps = solve_toeplitz(autocorrelation, cross)
    fitted = fftconvolve(shifted, taps)[: len(y)]
    block = max(1, int(BLOCK_S * sample_rate))
    for start in range(0, len(y), block):
        s, d = fitted[start : start + block], y[start : start + block]
        power = float(np.dot(s, s))
        if power > 0:
            fitted[start : start + block] = s * (float(np.dot(d, s)) / power)
    return fitted


def file_snr(delivered: np.ndarray, reference: np.ndarray, sample_rate: int) -> float | None:
    """10·log10(speech part² / rest²) of the delivered file, in dB; None when either part is silent."""
    speech = speech_part(delivered, reference, sample_rate)
    rest = np.asarray(delivered, dtype=np.float64) - speech
    power, noise = float(np.dot(speech, speech)), float(np.dot(rest, rest))
    if power <= 0 or noise <= 0:
        return None
    return 10 * np.log10(power / noise)


def claimed_file_snr(row) -> tuple[str, float] | None:
    """The label that claims the delivered file's SNR: the row's `file_snr_db` where the corpus writes
    one, else the last noise step's `snr_db` (which a reader takes to be the file's). None: no claim."""
    if row.custom.get("file_snr_db") is not None:
        return "file_snr_db", float(row.custom["file_snr_db"])
    for step in reversed(row.augment):
        if step.params.get("snr_db") is not None and "kind" in step.params:
            return f"augment.{step.name}.snr_db", float(step.params["snr_db"])
    return None


def reverberant(clean: np.ndarray, rir: np.ndarray | None) -> np.ndarray:
    """The reference for `speech_part`: the clean render, through the room's RIR when there is one."""
    if rir is None:
        return np.asarray(clean, dtype=np.float64)
    return fftconvolve(np.asarray(clean, dtype=np.float64), np.asarray(rir, dtype=np.float64))[: len(clean)]
