"""The room step: convolve speech with one RIR from a bank prepared once (never simulate per item).

The output keeps the input's length (the reverberant tail after the last sample is cut) and its
RMS level, so later steps see speech at the level they were tuned for.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve

from augment import rir_bank
from augment.errors import AugmentConfigError
from augment.params import db, number, rms, spec
from augment.step import Context, Step

AXES = ("x", "y", "z")


class Room(Step):
    KEYS = frozenset({"rt60_s", "room_dim_m", "distance_m", "bank_size", "bank_seed", "folder"})

    @classmethod
    def prepare(cls, cfg: dict, key: str, ctx: Context) -> dict:
        if cfg.get("folder") is not None:  # measured RIRs replace simulation; its settings are then unused
            return {
                "bank": str(rir_bank.folder_bank(f"{key}.folder", str(cfg["folder"]), ctx.sample_rate, ctx.cache_dir)),
                "rate": ctx.sample_rate,
            }
        dims_cfg = cfg.get("room_dim_m")
        if not isinstance(dims_cfg, dict) or set(dims_cfg) != set(AXES):
            raise AugmentConfigError(
                f"{key}.room_dim_m: a mapping {{x, y, z}} of metres, each a value spec; got {dims_cfg!r}"
            )
        dims = [spec(dims_cfg, axis, f"{key}.room_dim_m", lo=1.0, hi=100.0, digits=2) for axis in AXES]
        rt60 = spec(cfg, "rt60_s", key, lo=0.05, hi=5.0, digits=3)
        distance = spec(cfg, "distance_m", key, lo=0.05, hi=50.0, digits=2)
        if distance.bounds[0] > max(max(d.bounds[1] for d in dims[:2]) - 2 * rir_bank.WALL_MARGIN_M, 0):
            raise AugmentConfigError(
                f"{key}.distance_m: from {distance.bounds[0]} m does not fit in rooms of at most "
                f"{[d.bounds[1] for d in dims]} m"
            )
        size = int(number(cfg, "bank_size", key, lo=1, hi=10000, default=32))
        seed = cfg.get("bank_seed", 0)
        seed = ctx.run_seed if seed is None else int(number(cfg, "bank_seed", key, lo=0, default=0))
        folder = rir_bank.simulated_bank(key, dims, rt60, distance, size, seed, ctx.sample_rate, ctx.cache_dir)
        return {"bank": str(folder), "rate": ctx.sample_rate}

    def __init__(self, bank: str, rate: int):
        self.rirs, self.index = rir_bank.load(bank)
        self.rate = rate

    def apply(self, audio, sample_rate, rng):
        out, _speech, rate, params = self.apply_tracked(audio, None, sample_rate, rng)
        return out, rate, params

    def apply_tracked(self, audio, speech, sample_rate, rng):
        """A room after noise reverberates both: the speech part with the same RIR and level gain."""
        if sample_rate != self.rate:  # e.g. after a resample step that may pick several rates
            raise ValueError(
                f"the room step's RIRs are at {self.rate} Hz; the audio reaching it is at {sample_rate} Hz"
            )
        i = int(rng.integers(len(self.rirs)))
        # one FFT pair over the whole utterance: measured 8% cheaper than overlap-add for these
        # lengths (1-5 s of speech, RIRs of 0.1-1.7 s)
        wet = fftconvolve(audio, self.rirs[i])[: len(audio)]
        before, after = rms(audio), rms(wet)
        gain = before / after if after > 0 else 1.0
        params = {**self.index[i], "gain_db": round(db(gain), 3)}
        if speech is not None:
            speech = (fftconvolve(speech, self.rirs[i])[: len(speech)] * np.float32(gain)).astype(np.float32)
        return (wet * np.float32(gain)).astype(np.float32, copy=False), speech, sample_rate, params
