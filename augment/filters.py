"""Frequency response: band-pass (microphone/channel band) and parametric EQ (capsule resonances, shelves).

Filters run once, forwards, as real microphones and telephone channels do: no pre-ringing before
plosives (a zero-phase forward-backward pass would add it, and cost twice as much). The output is
then advanced by the filter's group delay at REFERENCE_HZ, rounded to whole samples, so speech
onsets and word times stay where they were: within a sample at 1 kHz; speech as a whole moves by
under a millisecond even through the steep telephony band (tested), against word times on a 5 ms
grid. Configured orders and gains are the ones applied.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import signal

from augment.errors import AugmentConfigError
from augment.params import Spec, check_keys, number, spec
from augment.step import Context, Step

SHAPES = ("butter", "ellip")
REFERENCE_HZ = 1000.0  # inside every device band; the geometric centre of telephony's 300-3400 Hz
BAND_KINDS = ("peak", "low_shelf", "high_shelf")


def group_delay(sos: np.ndarray, freq: float, rate: int) -> float:
    """Group delay in samples of a cascade of second-order sections at one frequency:
    Re(Σ k·c_k·z^-k / Σ c_k·z^-k) of the numerator minus that of the denominator, per section."""
    z = np.exp(-1j * 2 * np.pi * freq / rate * np.arange(3))
    num, den = sos[:, :3], sos[:, 3:]
    return float(np.sum(np.real((num * np.arange(3)) @ z / (num @ z)) - np.real((den * np.arange(3)) @ z / (den @ z))))


def causal(sos: np.ndarray, audio: np.ndarray, delay: int) -> np.ndarray:
    """One forward pass through `sos`, advanced by `delay` samples (its group delay): the input is
    padded with `delay` zeros so the output keeps its length and the ringing after the last sample."""
    if len(audio) < 2:
        return audio
    x = np.asarray(audio, dtype=np.float32)
    if delay > 0:
        x = np.concatenate([x, np.zeros(delay, dtype=np.float32)])
    return np.ascontiguousarray(signal.sosfilt(sos, x)[max(delay, 0) :], dtype=np.float32)


@lru_cache(maxsize=512)
def band_filter(low: float | None, high: float | None, order: int, shape: str, rate: int) -> tuple[np.ndarray, float]:
    """The band's sections and their group delay (designing and measuring is the costly part: cached)."""
    sos = _band_sos(low, high, order, shape, rate)
    return sos, group_delay(sos, REFERENCE_HZ, rate)


class LinearFilter(Step):
    """A step that is a linear filter: it only designs its sections. The chain runs consecutive
    filters as one cascade (one pass over the audio instead of one per step: sosfilt's cost is mostly
    per sample, not per section); on its own, apply() runs it."""

    LINEAR = True

    def design(self, sample_rate: int, rng: np.random.Generator) -> tuple[np.ndarray, float, dict]:
        """(sections, group delay in samples at REFERENCE_HZ, the label's params)."""
        raise NotImplementedError

    def apply(self, audio, sample_rate, rng):
        sos, delay, params = self.design(sample_rate, rng)
        return run_cascade([(sos, delay)], audio), sample_rate, params


def run_cascade(filters: list[tuple[np.ndarray, float]], audio: np.ndarray) -> np.ndarray:
    """Filters in order as one causal pass, advanced by their summed group delay."""
    sos = filters[0][0] if len(filters) == 1 else np.vstack([f[0] for f in filters])
    return causal(sos, audio, int(round(sum(f[1] for f in filters))))


def _band_sos(low: float | None, high: float | None, order: int, shape: str, rate: int) -> np.ndarray:
    if low and high:
        btype, edges = "bandpass", [low, high]
    elif high:
        btype, edges = "lowpass", high
    else:
        btype, edges = "highpass", low
    if shape == "ellip":  # steep edges with 60 dB stopband: telephony channel filters
        return signal.ellip(order, 0.5, 60, edges, btype=btype, output="sos", fs=rate)
    return signal.butter(order, edges, btype=btype, output="sos", fs=rate)


class BandPass(LinearFilter):
    KEYS = frozenset({"low_hz", "high_hz", "order", "shape"})

    @classmethod
    def prepare(cls, cfg: dict, key: str, ctx: Context) -> dict:
        nyquist = ctx.sample_rate / 2
        low = spec(cfg, "low_hz", key, lo=1.0, digits=1) if cfg.get("low_hz") is not None else None
        high = spec(cfg, "high_hz", key, lo=1.0, digits=1) if cfg.get("high_hz") is not None else None
        if low is None and high is None:
            raise AugmentConfigError(f"{key}: give low_hz, high_hz or both (Hz)")
        if high is not None and high.bounds[1] >= nyquist:
            raise AugmentConfigError(
                f"{key}.high_hz: {high.bounds[1]} Hz is not below the Nyquist frequency "
                f"{nyquist:g} Hz of the audio at this point of the chain ({ctx.sample_rate} Hz)"
            )
        if low is not None and low.bounds[1] >= nyquist:
            raise AugmentConfigError(
                f"{key}.low_hz: {low.bounds[1]} Hz is not below the Nyquist frequency {nyquist:g} Hz"
            )
        if low is not None and high is not None and low.bounds[1] >= high.bounds[0]:
            raise AugmentConfigError(
                f"{key}: low_hz (up to {low.bounds[1]}) must stay below high_hz (from {high.bounds[0]})"
            )
        order = int(number(cfg, "order", key, lo=1, hi=12, default=4))
        shape = cfg.get("shape", "butter")
        if shape not in SHAPES:
            raise AugmentConfigError(f"{key}.shape: {shape!r} is not known; valid: {', '.join(SHAPES)}")
        return {"low": low, "high": high, "order": order, "shape": shape}

    def __init__(self, low: Spec | None, high: Spec | None, order: int, shape: str):
        self.low, self.high, self.order, self.shape = low, high, order, shape

    def design(self, sample_rate, rng):
        low = self.low.draw(rng) if self.low else None
        high = self.high.draw(rng) if self.high else None
        sos, delay = band_filter(low, high, self.order, self.shape, sample_rate)
        return sos, delay, {"low_hz": low, "high_hz": high, "order": self.order, "shape": self.shape}


def rbj_biquad(kind: str, freq: float, gain_db: float, q: float, rate: int) -> np.ndarray:
    """One second-order section from the Audio EQ Cookbook (R. Bristow-Johnson)."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * freq / rate
    cos_w0, alpha = math.cos(w0), math.sin(w0) / (2 * q)
    if kind == "peak":
        b = [1 + alpha * a, -2 * cos_w0, 1 - alpha * a]
        den = [1 + alpha / a, -2 * cos_w0, 1 - alpha / a]
    else:
        sign = 1 if kind == "low_shelf" else -1
        root = 2 * math.sqrt(a) * alpha
        b = [
            a * ((a + 1) - sign * (a - 1) * cos_w0 + root),
            sign * 2 * a * ((a - 1) - sign * (a + 1) * cos_w0),
            a * ((a + 1) - sign * (a - 1) * cos_w0 - root),
        ]
        den = [
            (a + 1) + sign * (a - 1) * cos_w0 + root,
            -sign * 2 * ((a - 1) + sign * (a + 1) * cos_w0),
            (a + 1) + sign * (a - 1) * cos_w0 - root,
        ]
    return np.array([*(c / den[0] for c in b), 1.0, den[1] / den[0], den[2] / den[0]])


class Equalizer(LinearFilter):
    """Named bands: {name: {kind: peak|low_shelf|high_shelf, freq_hz, gain_db, q}}; each a value spec."""

    KEYS = frozenset({"bands"})

    @classmethod
    def prepare(cls, cfg: dict, key: str, ctx: Context) -> dict:
        bands = cfg.get("bands")
        if not isinstance(bands, dict) or not bands:
            raise AugmentConfigError(f"{key}.bands: a non-empty mapping of band name -> {{kind, freq_hz, gain_db, q}}")
        prepared = {}
        for name, band in bands.items():
            bkey = f"{key}.bands.{name}"
            check_keys(band, bkey, {"kind", "freq_hz", "gain_db", "q"})
            kind = band.get("kind", "peak")
            if kind not in BAND_KINDS:
                raise AugmentConfigError(f"{bkey}.kind: {kind!r} is not known; valid: {', '.join(BAND_KINDS)}")
            prepared[str(name)] = (
                kind,
                spec(band, "freq_hz", bkey, lo=1.0, hi=ctx.sample_rate / 2 * 0.98, digits=1),
                spec(band, "gain_db", bkey, lo=-40, hi=40, digits=2),
                spec(band, "q", bkey, lo=0.05, hi=30, digits=3, default=0.707),
            )
        return {"bands": prepared}

    def __init__(self, bands: dict):
        self.bands = bands

    def design(self, sample_rate, rng):
        sections, params = [], {}
        for name, (kind, freq, gain, q) in self.bands.items():
            values = {"kind": kind, "freq_hz": freq.draw(rng), "gain_db": gain.draw(rng), "q": q.draw(rng)}
            sections.append(rbj_biquad(kind, values["freq_hz"], values["gain_db"], values["q"], sample_rate))
            params[name] = values
        sos = np.array(sections)
        return sos, group_delay(sos, REFERENCE_HZ, sample_rate), {"bands": params}
