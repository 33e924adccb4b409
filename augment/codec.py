"""Sample-rate changes and telephony codecs (G.711-style μ-law / A-law companding, 8-bit)."""

from __future__ import annotations

import dataclasses

import numpy as np
import soxr

from augment.errors import AugmentConfigError
from augment.params import Spec, spec
from augment.step import Context, Step

MU = 255.0
A = 87.6
CODECS = ("mulaw", "alaw")


class Resample(Step):
    """Change the working rate (e.g. 8 kHz for telephony); a device profile returns to its input rate when it ends."""

    KEYS = frozenset({"rate"})

    @classmethod
    def prepare(cls, cfg, key, ctx: Context):
        rate = spec(cfg, "rate", key, lo=4000, hi=192000, digits=0)
        if any(int(v) != v for v in rate.choices or (rate.low, rate.high)) or (
            not rate.choices and rate.low != rate.high
        ):
            raise AugmentConfigError(f"{key}.rate: a rate in Hz or {{choose: [rates]}}; got a range")
        return {"rate": dataclasses.replace(rate, choices=tuple(int(v) for v in rate.choices))}

    @classmethod
    def output_rate(cls, kwargs, sample_rate):
        return int(kwargs["rate"].bounds[0])  # later steps must fit the lowest rate this may pick

    def __init__(self, rate: Spec):
        self.rate = rate

    def apply(self, audio, sample_rate, rng):
        rate = int(self.rate.draw(rng))
        if rate == sample_rate:
            return audio, rate, None  # nothing happened: not listed
        audio = soxr.resample(audio, sample_rate, rate, quality="HQ").astype(np.float32)
        return audio, rate, {"rate_in": sample_rate, "rate_out": rate}


def mulaw(audio: np.ndarray, levels: int) -> np.ndarray:
    x = np.clip(audio, -1.0, 1.0)
    code = np.sign(x) * np.log1p(MU * np.abs(x)) / np.log1p(MU)
    code = np.round((code + 1) / 2 * (levels - 1)) / (levels - 1) * 2 - 1
    return np.sign(code) * np.expm1(np.abs(code) * np.log1p(MU)) / MU


def alaw(audio: np.ndarray, levels: int) -> np.ndarray:
    x = np.clip(audio, -1.0, 1.0)
    ax = np.abs(x)
    small = ax < 1 / A
    code = np.sign(x) * np.where(small, A * ax, 1 + np.log(np.maximum(A * ax, 1e-12))) / (1 + np.log(A))
    code = np.round((code + 1) / 2 * (levels - 1)) / (levels - 1) * 2 - 1
    y = np.abs(code) * (1 + np.log(A))
    return np.sign(code) * np.where(y < 1, y / A, np.exp(y - 1) / A)


class Codec(Step):
    """Telephony companding codec: each sample coded in `bits` bits on a logarithmic scale (G.711: 8)."""

    KEYS = frozenset({"kind", "bits"})

    @classmethod
    def prepare(cls, cfg, key, ctx):
        kind = cfg.get("kind", "mulaw")
        kinds = [kind] if isinstance(kind, str) else kind
        if not isinstance(kinds, list) or not kinds or any(k not in CODECS for k in kinds):
            raise AugmentConfigError(
                f"{key}.kind: {kind!r} is not known; valid: {', '.join(CODECS)} (or a list to choose from); "
                "for MP3 use _target_: audiomentations.Mp3Compression"
            )
        bits = spec(cfg, "bits", key, lo=2, hi=16, digits=0, default=8)
        return {"kinds": tuple(kinds), "bits": bits}

    def __init__(self, kinds: tuple, bits: Spec):
        self.kinds, self.bits = kinds, bits

    def apply(self, audio, sample_rate, rng):
        kind = self.kinds[int(rng.integers(len(self.kinds)))]
        bits = int(self.bits.draw(rng))
        coded = (mulaw if kind == "mulaw" else alaw)(audio.astype(np.float64), 2**bits)
        return coded.astype(np.float32), sample_rate, {"kind": kind, "bits": bits, "rate": sample_rate}

    def apply_tracked(self, audio, speech, sample_rate, rng):
        """Companding keeps the level (its linear part is the identity): the speech part passes
        unchanged and the coding error belongs to the file's noise part."""
        out, rate, params = self.apply(audio, sample_rate, rng)
        return out, speech, rate, params
