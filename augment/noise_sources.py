"""Built-in noises that need no dataset: coloured (white, pink, brown), mains hum, fan.

Each generator returns unit-RMS float32 noise of exactly `n` samples and the values it drew.
float32 throughout: these are background noises, and they are on the per-item hot path.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import fft

from augment.params import Spec

COLOUR_EXPONENT = {"white": 0.0, "pink": 1.0, "brown": 2.0}  # power spectrum falls as 1/f^exponent
LOWEST_HZ = 20.0  # below this the 1/f shaping is held flat, so brown noise does not become a DC drift
TWO_PI = np.float32(2 * np.pi)


def _unit(x: np.ndarray) -> np.ndarray:
    level = np.sqrt(np.mean(np.square(x, dtype=np.float64)))
    return (x / np.float32(level) if level > 0 else x).astype(np.float32, copy=False)


BANK_SAMPLES = 1 << 20  # 65 s at 16 kHz of each colour, per process: 4 MB of float32


@lru_cache(maxsize=8)
def _bank(sample_rate: int, exponent: float) -> np.ndarray:
    """A long, periodic (FFT-synthesized, so its end runs on into its start) unit-RMS noise of one
    colour, the same in every process (fixed seed): per item only a window is taken from it, which is
    a slice instead of an FFT pair per utterance."""
    rng = np.random.default_rng([0xC0104, int(exponent * 1000), sample_rate])
    freqs = np.maximum(fft.rfftfreq(BANK_SAMPLES, 1.0 / sample_rate), LOWEST_HZ)
    spectrum = fft.rfft(rng.standard_normal(BANK_SAMPLES, dtype=np.float32))
    spectrum *= (freqs ** (-exponent / 2)).astype(np.float32)
    bank = _unit(fft.irfft(spectrum, BANK_SAMPLES))
    bank.flags.writeable = False
    return bank


def coloured(rng: np.random.Generator, n: int, sample_rate: int, exponent: float) -> np.ndarray:
    """`n` samples of noise whose power falls as 1/f^exponent: white is drawn fresh; other colours are
    a window of the colour's bank at a random offset, read forwards or backwards (time-reversed
    coloured noise has the same spectrum), with a random sign."""
    if exponent == 0:
        return _unit(rng.standard_normal(n, dtype=np.float32))
    bank = _bank(sample_rate, float(exponent))
    start, backwards, sign = (
        int(rng.integers(len(bank))),
        bool(rng.integers(2)),
        np.float32(1 - 2 * int(rng.integers(2))),
    )
    source = bank[::-1] if backwards else bank
    window = source[start : start + n] if start + n <= len(bank) else source[(start + np.arange(n)) % len(bank)]
    return _unit(window * sign)


def _tone(freq: float, phase: float, n: int, sample_rate: int) -> np.ndarray:
    step = np.float32(2 * np.pi * freq / sample_rate)
    return np.sin(np.arange(n, dtype=np.float32) * step + np.float32(phase))


def hum(rng: np.random.Generator, n: int, sample_rate: int, mains: Spec) -> tuple[np.ndarray, dict]:
    """Mains hum: the mains frequency and its harmonics (strongest at twice mains, as from transformers),
    over a faint pink floor."""
    mains_hz = float(mains.draw(rng))
    # hum at an integer mains frequency repeats every second exactly: synthesize one, tile it
    period = sample_rate if float(mains_hz).is_integer() else n
    length = min(n, period)
    out = np.zeros(length, dtype=np.float32)
    harmonics = []
    for k in range(1, 9):
        if k * mains_hz >= sample_rate / 2:
            break
        amplitude = float(rng.uniform(0.3, 1.0)) / k**0.8 * (1.5 if k == 2 else 1.0)
        out += np.float32(amplitude) * _tone(k * mains_hz, rng.uniform(0, 2 * np.pi), length, sample_rate)
        harmonics.append(round(amplitude, 3))
    out = _unit(np.resize(out, n)) + np.float32(0.03) * coloured(rng, n, sample_rate, 1.0)
    return _unit(out), {"mains_hz": mains_hz, "harmonic_amplitudes": harmonics}


def fan(rng: np.random.Generator, n: int, sample_rate: int, blade: Spec, tonal: Spec) -> tuple[np.ndarray, dict]:
    """A fan: broadband airflow (between pink and brown) plus the blade-pass tone and harmonics,
    slowly modulated as the airflow wavers."""
    blade_hz, tonal_db = float(blade.draw(rng)), float(tonal.draw(rng))
    airflow = coloured(rng, n, sample_rate, 1.5)
    tone = np.zeros(n, dtype=np.float32)
    for k in range(1, 4):
        if k * blade_hz < sample_rate / 2:
            tone += _tone(k * blade_hz, rng.uniform(0, 2 * np.pi), n, sample_rate) / np.float32(k)
    wobble = 1 + np.float32(0.15) * _tone(rng.uniform(0.2, 2.0), rng.uniform(0, 2 * np.pi), n, sample_rate)
    out = airflow + np.float32(10 ** (tonal_db / 20)) * _unit(tone) * wobble
    return _unit(out), {"blade_hz": blade_hz, "tonal_db": tonal_db}
