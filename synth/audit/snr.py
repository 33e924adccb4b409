"""The delivered file's SNR, re-estimated from the audio alone: the clean pair, the RIR and least squares.

A noise step's SNR holds where the noise was mixed; a device chain after it (filters, AGC, codec)
changes the file's SNR. The file's speech part is what the clean render becomes through linear,
slowly varying processing, so it is estimated as the best fit of the delivered file from the clean
render (convolved with the row's RIR when a room step ran):
1. one FIR filter (512 taps, 2 ms of them acausal) fitted by least squares over the whole file:
   the room-to-mic path, the device's EQ and band limits, a resampler;
2. where steps ran after the noise, a gain g(t), fitted the same way over a sliding 5 ms window:
   what AGC and limiters do over time; then the filter again with that gain taken out, and the gain.
What the fit cannot explain (the noise as the device left it, codec and clipping error) is the
noise part, which is how the corpus defines a file's SNR (`file_snr_db`). The fit takes a few
percent of the noise with it (the gain's window holds ~40 independent samples), but what it cannot
model of the chain (fast gain changes, a codec's filtering) counts as noise too: the estimate errs
low on device chains (benchmarks/audit_snr.py measures how far, against the chain's own speech part).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_toeplitz
from scipy.signal import fftconvolve

TAPS = 512
ACAUSAL = 32  # taps before the sample: filters advanced by their group delay lead a little
GAIN_WINDOW_S = 0.005  # AGC attack and limiter gains move within milliseconds
ROUNDS = 2


def _correlate(a: np.ndarray, b: np.ndarray, lags: int) -> np.ndarray:
    """sum_t a[t] b[t - k] for k = 0..lags-1, by FFT."""
    n = len(a) + len(b)
    size = 1 << (n - 1).bit_length()
    spectrum = np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size))
    return np.fft.irfft(spectrum, size)[:lags]


def _fir_fit(target: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The least-squares FIR (TAPS taps, ACAUSAL of them before the sample) from x to target, applied to x."""
    shifted = np.concatenate([x[ACAUSAL:], np.zeros(ACAUSAL)])  # shifted[t] = x[t + ACAUSAL]
    autocorrelation = _correlate(shifted, shifted, TAPS)
    autocorrelation[0] *= 1 + 1e-9  # keeps the system solvable on a band-limited reference
    taps = solve_toeplitz(autocorrelation, _correlate(target, shifted, TAPS))
    return fftconvolve(shifted, taps)[: len(target)]


def _local_gain(y: np.ndarray, s: np.ndarray, sample_rate: int) -> np.ndarray:
    """g(t) minimizing |y − g·s|² over a sliding Hann window of GAIN_WINDOW_S: an AGC's or limiter's gain."""
    window = np.hanning(max(3, int(GAIN_WINDOW_S * sample_rate)) + 2)[1:-1]
    floor = 1e-3 * float(np.mean(s * s)) * window.sum()  # in pauses s ~ 0: g does not matter, keep it tame
    return (fftconvolve(y * s, window, "same") + floor) / (fftconvolve(s * s, window, "same") + floor)


def speech_part(
    delivered: np.ndarray, reference: np.ndarray, sample_rate: int, varying_gain: bool = True
) -> np.ndarray:
    """The least-squares estimate of the speech in `delivered` from `reference` (same length).

    :param delivered: the augmented file's samples
    :param reference: the clean render, convolved with the room's RIR when one was applied
    :param sample_rate: Hz of both
    :param varying_gain: fit a gain over time too (steps ran after the noise); without one the
        fit takes a few percent of the noise with it for nothing (+0.6 dB on a plain mix)
    """
    y = np.asarray(delivered, dtype=np.float64)
    x = np.asarray(reference, dtype=np.float64)[: len(y)]
    x = np.concatenate([x, np.zeros(len(y) - len(x))])
    if not varying_gain:
        return _fir_fit(y, x)
    target, gain = y, np.ones_like(y)
    for _ in range(ROUNDS):  # the filter is fitted with the gain taken out, then the gain again
        filtered = _fir_fit(target, x)
        gain = _local_gain(y, filtered, sample_rate)
        target = y / np.where(np.abs(gain) > 1e-3, gain, 1.0)
    return gain * filtered


def file_snr(delivered: np.ndarray, reference: np.ndarray, sample_rate: int, varying_gain: bool = True) -> float | None:
    """10·log10(speech part² / rest²) of the delivered file, in dB; None when either part is silent
    (parameters as for `speech_part`)."""
    speech = speech_part(delivered, reference, sample_rate, varying_gain)
    rest = np.asarray(delivered, dtype=np.float64) - speech
    power, noise = float(np.einsum("i,i->", speech, speech)), float(np.einsum("i,i->", rest, rest))
    if power <= 0 or noise <= 0:
        return None
    return 10 * np.log10(power / noise)


# The noise step's realized SNR, newest name first: corpora written before the rename say `snr_db`.
MIX_SNR_KEYS = ("snr_db_at_mix", "snr_db")


def claimed_file_snr(row) -> tuple[str, float] | None:
    """The label that claims the delivered file's SNR: the row's `file_snr_db` where the corpus writes
    one, else the last noise step's SNR at mixing (which a reader of an older corpus takes to be the
    file's). None: no claim (no noise step, or one whose mix was not measured)."""
    file_snr = getattr(row, "file_snr_db", None)
    if file_snr is None:
        file_snr = row.custom.get("file_snr_db")  # a reader whose Utterance predates the field
    if file_snr is not None:
        return "file_snr_db", float(file_snr)
    for step in reversed(row.augment):
        if "kind" not in step.params:
            continue
        for key in MIX_SNR_KEYS:
            if step.params.get(key) is not None:
                return f"augment.{step.name}.{key}", float(step.params[key])
    return None


def has_noise_step(row) -> bool:
    """Whether a noise step ran on the row (then some label should claim the file's SNR)."""
    return any("kind" in step.params and "snr_db_target" in step.params for step in row.augment)


def processed_after_noise(row) -> bool:
    """Whether any step changed the signal after the (last) noise was mixed: a device chain, a codec.
    The final headroom gain does not count: a gain changes no SNR."""
    names = [step.name for step in row.augment]
    last = max(
        (i for i, step in enumerate(row.augment) if "kind" in step.params and "snr_db_target" in step.params),
        default=None,
    )
    return last is not None and any(name != "headroom" for name in names[last + 1 :])


def reverberant(clean: np.ndarray, rir: np.ndarray | None) -> np.ndarray:
    """The reference for `speech_part`: the clean render, through the room's RIR when there is one."""
    if rir is None:
        return np.asarray(clean, dtype=np.float64)
    return fftconvolve(np.asarray(clean, dtype=np.float64), np.asarray(rir, dtype=np.float64))[: len(clean)]
