"""Level: fixed gain (microphone sensitivity), AGC, peak limiter, and clipping (an overloaded input stage).

Gain curves are computed on short frames (a Python loop over ~100 frames per second, not per
sample) and interpolated per sample; they change level only, never timing.
"""

from __future__ import annotations

import numpy as np

from augment.params import Spec, db, number, spec
from augment.step import Step

GATE_DBFS = -60.0  # frames quieter than this are pauses: AGC holds its gain instead of pumping up noise


class Gain(Step):
    KEYS = frozenset({"gain_db"})

    @classmethod
    def prepare(cls, cfg, key, ctx):
        return {"gain_db": spec(cfg, "gain_db", key, lo=-60, hi=40, digits=2)}

    def __init__(self, gain_db: Spec):
        self.gain_db = gain_db

    def apply(self, audio, sample_rate, rng):
        gain_db = self.gain_db.draw(rng)
        return audio * np.float32(10 ** (gain_db / 20)), sample_rate, {"gain_db": gain_db}


def _frames_db(audio: np.ndarray, hop: int, reduce) -> np.ndarray:
    n = max(1, -(-len(audio) // hop))
    padded = np.pad(
        np.abs(audio) if reduce is np.max else np.square(audio, dtype=np.float64), (0, n * hop - len(audio))
    )
    values = reduce(padded.reshape(n, hop), axis=1)
    if reduce is np.mean:
        values = np.sqrt(values)
    return 20 * np.log10(np.maximum(values, 1e-10))


def _per_sample(frame_gain_db: np.ndarray, hop: int, length: int) -> np.ndarray:
    """Linear gain per sample, interpolated between frame centres (in linear gain, not dB: one power
    per frame instead of per sample; a straight line between two nearby gains is as smooth)."""
    centres = np.arange(len(frame_gain_db), dtype=np.float32) * hop + np.float32(hop / 2)
    gains = (10 ** (frame_gain_db / 20)).astype(np.float32)
    return np.interp(np.arange(length, dtype=np.float32), centres, gains).astype(np.float32)


def _smooth(target_db: np.ndarray, start: float, down: float, up: float) -> np.ndarray:
    """One-pole smoothing in dB with separate coefficients for falling (attack) and rising (release) gain."""
    out = np.empty_like(target_db)
    gain = start
    for i, want in enumerate(target_db.tolist()):
        gain += (want - gain) * (down if want < gain else up)
        out[i] = gain
    return out


def _coefficient(time_ms: float, hop_s: float) -> float:
    return 1.0 - float(np.exp(-hop_s / max(time_ms / 1000, 1e-6)))


class AGC(Step):
    """Automatic gain control as in phones and conferencing: pulls speech towards a target level."""

    KEYS = frozenset({"target_dbfs", "max_gain_db", "min_gain_db", "window_ms", "attack_ms", "release_ms"})

    @classmethod
    def prepare(cls, cfg, key, ctx):
        kwargs = {
            "target": spec(cfg, "target_dbfs", key, lo=-60, hi=0, digits=2),
            "max_gain_db": number(cfg, "max_gain_db", key, lo=0, hi=60, default=20),
            "min_gain_db": number(cfg, "min_gain_db", key, lo=-60, hi=0, default=-20),
            "window_ms": number(cfg, "window_ms", key, lo=1, hi=1000, default=20),
            "attack_ms": number(cfg, "attack_ms", key, lo=0, hi=5000, default=20),
            "release_ms": number(cfg, "release_ms", key, lo=0, hi=10000, default=400),
        }
        return kwargs

    def __init__(self, target: Spec, max_gain_db, min_gain_db, window_ms, attack_ms, release_ms):
        self.target, self.max_gain_db, self.min_gain_db = target, max_gain_db, min_gain_db
        self.window_ms, self.attack_ms, self.release_ms = window_ms, attack_ms, release_ms

    def apply(self, audio, sample_rate, rng):
        gain, params = self._gain(audio, sample_rate, rng)
        return audio * gain, sample_rate, params

    def apply_tracked(self, audio, speech, sample_rate, rng):
        """The gain curve follows the whole signal (the device hears speech and noise together); the
        speech part gets that same curve."""
        gain, params = self._gain(audio, sample_rate, rng)
        return audio * gain, None if speech is None else speech * gain, sample_rate, params

    def _gain(self, audio, sample_rate, rng):
        """(per-sample gain, or 1.0 when there is nothing to follow; the label's params)."""
        target = self.target.draw(rng)
        hop = max(1, int(sample_rate * self.window_ms / 1000))
        level = _frames_db(audio, hop, np.mean)
        voiced = level > GATE_DBFS
        want = np.clip(target - level, self.min_gain_db, self.max_gain_db)
        if not voiced.any():
            return np.float32(1.0), {"target_dbfs": target, "gain_db_min": 0.0, "gain_db_max": 0.0}
        # in pauses, hold the last gain (carry forward); start from the first speech frame's need
        index = np.where(voiced, np.arange(len(level)), 0)
        np.maximum.accumulate(index, out=index)
        want = np.where(voiced[index], want[index], want[np.argmax(voiced)])
        hop_s = hop / sample_rate
        curve = _smooth(want, float(want[0]), _coefficient(self.attack_ms, hop_s), _coefficient(self.release_ms, hop_s))
        return _per_sample(curve, hop, len(audio)), {
            "target_dbfs": target,
            "gain_db_min": round(float(curve.min()), 2),
            "gain_db_max": round(float(curve.max()), 2),
        }


class Limiter(Step):
    """Look-ahead peak limiter: no sample leaves above the threshold, gain recovers over release_ms."""

    KEYS = frozenset({"threshold_db", "release_ms"})

    @classmethod
    def prepare(cls, cfg, key, ctx):
        return {
            "threshold": spec(cfg, "threshold_db", key, lo=-60, hi=0, digits=2),
            "release_ms": number(cfg, "release_ms", key, lo=0, hi=5000, default=60),
        }

    def __init__(self, threshold: Spec, release_ms: float):
        self.threshold, self.release_ms = threshold, release_ms

    def apply(self, audio, sample_rate, rng):
        gain, params = self._gain(audio, sample_rate, rng)
        return audio * gain, sample_rate, params

    def apply_tracked(self, audio, speech, sample_rate, rng):
        """Like AGC: the gain computed on the whole signal, applied to its speech part too."""
        gain, params = self._gain(audio, sample_rate, rng)
        return audio * gain, None if speech is None else speech * gain, sample_rate, params

    def _gain(self, audio, sample_rate, rng):
        threshold = self.threshold.draw(rng)
        if (
            not len(audio) or db(float(np.max(np.abs(audio)))) <= threshold
        ):  # nothing to limit (the usual case after AGC)
            return np.float32(1.0), {"threshold_db": threshold, "gain_reduction_db_max": 0.0}
        hop = max(1, sample_rate // 500)  # 2 ms frames
        need = np.minimum(0.0, threshold - _frames_db(audio, hop, np.max))
        # each frame's gain is no more than its neighbours' need: interpolating between frame centres
        # then never lets a sample through above the threshold
        need = np.minimum(need, np.minimum(np.roll(need, 1), np.roll(need, -1)))
        curve = _smooth(need, 0.0, 1.0, _coefficient(self.release_ms, hop / sample_rate))
        curve = np.minimum(curve, need)
        return _per_sample(curve, hop, len(audio)), {
            "threshold_db": threshold,
            "gain_reduction_db_max": round(max(0.0, float(-curve.min())), 2),
        }


class Clipping(Step):
    """Overload: the loudest `ratio` of samples are cut flat, then the clip level maps to `ceiling_db`.

    The ceiling sits just below full scale (default -1 dBFS) as after an input stage that saturates
    before a digital gain stage; the label holds the realized fraction of clipped samples.
    """

    KEYS = frozenset({"ratio", "ceiling_db"})

    @classmethod
    def prepare(cls, cfg, key, ctx):
        ratio = spec(cfg, "ratio", key, lo=0.0, hi=0.5, digits=5)
        return {"ratio": ratio, "ceiling_db": number(cfg, "ceiling_db", key, lo=-40, hi=0, default=-1.0)}

    def __init__(self, ratio: Spec, ceiling_db: float):
        self.ratio, self.ceiling_db = ratio, ceiling_db

    def apply(self, audio, sample_rate, rng):
        out, _gain, params = self._clip(audio, rng)
        return out, sample_rate, params

    def apply_tracked(self, audio, speech, sample_rate, rng):
        """The speech part gets the step's linear part (its gain); what the clipping itself changed
        belongs to the file's distortion, i.e. to its noise part, as an SNR measured on the file sees it."""
        out, gain, params = self._clip(audio, rng)
        return out, None if speech is None else speech * np.float32(gain), sample_rate, params

    def _clip(self, audio, rng):
        target = self.ratio.draw(rng)
        magnitude = np.abs(audio)
        if not len(audio) or magnitude.max() <= 0:
            params = {"clip_ratio_target": target, "clip_ratio": 0.0, "ceiling_db": self.ceiling_db, "gain_db": 0.0}
            return audio, 1.0, params
        level = float(np.quantile(magnitude, 1.0 - target)) if target > 0 else float(magnitude.max())
        level = level if level > 0 else float(magnitude[magnitude > 0].min())
        clipped = float(np.mean(magnitude > level))
        gain = 10 ** (self.ceiling_db / 20) / level
        out = np.clip(audio, -level, level) * np.float32(gain)
        return (
            out.astype(np.float32),
            gain,
            {
                "clip_ratio_target": target,
                "clip_ratio": round(clipped, 6),
                "ceiling_db": self.ceiling_db,
                "gain_db": round(db(gain), 3),
            },
        )
