"""The noise step: one background noise per item, mixed at an SNR drawn from a range.

SNR here is 10·log10(Σ speech² / Σ noise²) over the whole utterance, where speech is this step's
input and noise is what the mix actually added (mix − speech, measured on the float32 output):
the label's `snr_db_at_mix` is that realized value, `snr_db_target` the drawn one. Both hold at the
point of mixing only: the steps after it (a device's filters, AGC, codec) change the balance, so the
delivered file's SNR is measured separately (the row's `file_snr_db`, see chain.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from augment import babble, noise_sources
from augment.audio_files import converted_copies, find_audio
from augment.errors import AugmentConfigError
from augment.params import Spec, check_keys, energy, number, spec, weights
from augment.step import Context, Step

KINDS = ("white", "pink", "brown", "babble", "hum", "fan", "file")


def _kinds(cfg: dict, key: str) -> dict[str, float]:
    known = ", ".join(KINDS)
    return weights(
        cfg.get("kinds"),
        f"{key}.kinds",
        KINDS,
        shape=f"{{kind: weight}} (or a list of kinds); kinds: {known}",
        unknown=lambda kind: f"unknown noise kind {kind!r}; known: {known}",
        noun="kind",
    )


class Noise(Step):
    KEYS = frozenset({"snr_db", "kinds", "folder", "babble", "hum", "fan"})

    @classmethod
    def prepare(cls, cfg: dict, key: str, ctx: Context) -> dict:
        snr = spec(cfg, "snr_db", key, lo=-30, hi=100, digits=2)
        weights = _kinds(cfg, key)
        kwargs = {"snr": snr, "weights": weights, "files": [], "babble_bank": None}
        folder = cfg.get("folder")
        if "file" in weights and folder is None:
            raise AugmentConfigError(
                f"{key}.folder: kinds.file has weight {weights['file']} but no folder of noise recordings is set"
            )
        if folder is not None:
            if "file" not in weights:
                raise AugmentConfigError(
                    f"{key}.folder is set but kinds gives 'file' no weight; add kinds.file=<weight> or set folder=null"
                )
            files = find_audio(folder, f"{key}.folder")
            kwargs["files"] = converted_copies(files, ctx.sample_rate, ctx.cache_dir, f"{key}.folder")
            root = Path(folder).expanduser()
            for entry in kwargs["files"]:
                entry["name"] = (
                    str(Path(entry["source"]).relative_to(root)) if root.is_dir() else Path(entry["source"]).name
                )
                if not np.any(np.load(entry["npy"], mmap_mode="r")):
                    raise AugmentConfigError(
                        f"{key}.folder: {entry['source']!r} is silent: it cannot be mixed at an SNR"
                    )
        hum_cfg = cfg.get("hum") or {}
        check_keys(hum_cfg, f"{key}.hum", {"mains_hz"})
        kwargs["mains"] = spec(
            hum_cfg, "mains_hz", f"{key}.hum", lo=10, hi=ctx.sample_rate / 4, default={"choose": [50, 60]}
        )
        fan_cfg = cfg.get("fan") or {}
        check_keys(fan_cfg, f"{key}.fan", {"blade_hz", "tonal_db"})
        kwargs["blade"] = spec(
            fan_cfg, "blade_hz", f"{key}.fan", lo=10, hi=ctx.sample_rate / 8, digits=1, default=[60, 250]
        )
        kwargs["tonal"] = spec(fan_cfg, "tonal_db", f"{key}.fan", lo=-60, hi=20, digits=2, default=[-15, -3])
        babble_cfg = cfg.get("babble") or {}
        bkey = f"{key}.babble"
        check_keys(babble_cfg, bkey, {"talkers", "clips", "seconds", "bank_seed", "voices"})
        if "babble" in weights:
            seed = babble_cfg.get("bank_seed", 0)
            voices = babble_cfg.get("voices") or babble.DEFAULT_VOICES
            if not isinstance(voices, (list, tuple)) or not all(isinstance(v, str) for v in voices):
                raise AugmentConfigError(
                    f"{bkey}.voices: a list of eSpeak NG voice names such as 'en-us+f3'; got {voices!r}"
                )
            if ctx.talkers is None:
                raise AugmentConfigError(
                    f"{key}.kinds: babble needs an engine to render its talkers, and the caller handed none "
                    "(augment.prepare(..., talkers=...); a run passes synth/talkers.py's)"
                )
            try:
                folder_path = babble.bank(
                    talkers=int(number(babble_cfg, "talkers", bkey, lo=1, hi=32, default=4)),
                    clips=int(number(babble_cfg, "clips", bkey, lo=1, hi=1000, default=6)),
                    seconds=number(babble_cfg, "seconds", bkey, lo=1, hi=600, default=8),
                    seed=ctx.run_seed if seed is None else int(number(babble_cfg, "bank_seed", bkey, lo=0, default=0)),
                    voices=tuple(voices),
                    sample_rate=ctx.sample_rate,
                    cache_dir=ctx.cache_dir,
                    source=ctx.talkers,
                )
            except AugmentConfigError:
                raise
            except Exception as exc:  # engine errors: an unknown voice name, mostly
                raise AugmentConfigError(f"{bkey}: could not render the babble bank: {exc}") from exc
            kwargs["babble_bank"] = str(folder_path)
        return kwargs

    def __init__(
        self, snr: Spec, weights: dict, files: list, babble_bank: str | None, mains: Spec, blade: Spec, tonal: Spec
    ):
        self.snr, self.mains, self.blade, self.tonal = snr, mains, blade, tonal
        self.kinds = list(weights)
        total = sum(weights.values())
        self.probabilities = np.array([weights[k] / total for k in self.kinds])
        self.files = files
        self._file_audio: dict[int, np.ndarray] = {}  # memory-mapped on first use
        self.babble_clips, self.babble_index = babble.load(babble_bank) if babble_bank else ([], [])

    def _file(self, i: int) -> np.ndarray:
        if i not in self._file_audio:
            self._file_audio[i] = np.load(self.files[i]["npy"], mmap_mode="r")
        return self._file_audio[i]

    @staticmethod
    def _stretch(source: np.ndarray, start: int, n: int) -> np.ndarray:
        """n samples from `start`, wrapping around a source shorter than the utterance."""
        if start + n <= len(source):
            return np.asarray(source[start : start + n], dtype=np.float32)
        return np.asarray(source, dtype=np.float32)[(start + np.arange(n)) % len(source)]

    def _draw_noise(self, kind: str, rng: np.random.Generator, n: int, rate: int) -> tuple[np.ndarray, dict]:
        if kind in noise_sources.COLOUR_EXPONENT:
            return noise_sources.coloured(rng, n, rate, noise_sources.COLOUR_EXPONENT[kind]), {}
        if kind == "hum":
            return noise_sources.hum(rng, n, rate, self.mains)
        if kind == "fan":
            return noise_sources.fan(rng, n, rate, self.blade, self.tonal)
        if kind == "babble":
            i = int(rng.integers(len(self.babble_clips)))
            clip = self.babble_clips[i]
            start = int(rng.integers(len(clip)))
            return self._stretch(clip, start, n), {
                "clip": self.babble_index[i]["clip"],
                "talkers": len(self.babble_index[i]["voices"]),
                "offset_s": round(start / rate, 3),
            }
        i = int(rng.integers(len(self.files)))
        source = self._file(i)
        start = int(rng.integers(max(1, len(source) - n + 1))) if len(source) > n else 0
        return self._stretch(source, start, n), {"file": self.files[i]["name"], "offset_s": round(start / rate, 3)}

    def apply(self, audio, sample_rate, rng):
        speech = np.asarray(audio, dtype=np.float32)
        power = energy(speech)
        kind = (
            self.kinds[int(rng.choice(len(self.kinds), p=self.probabilities))] if len(self.kinds) > 1 else self.kinds[0]
        )
        target = self.snr.draw(rng)
        noise, extra = self._draw_noise(kind, rng, len(audio), sample_rate)
        noise_power = energy(noise)
        if power <= 0 or noise_power <= 0:  # silence has no SNR; label it as such rather than invent one
            return audio, sample_rate, {"kind": kind, "snr_db_target": target, "snr_db_at_mix": None, **extra}
        mixed = (speech + noise * np.float32(np.sqrt(power / noise_power / 10 ** (target / 10)))).astype(
            np.float32, copy=False
        )
        # what the float32 mix really added (float32 subtraction: exact to half a unit in the last
        # place, far below the label's 0.001 dB)
        realized = 10 * np.log10(power / energy(mixed - speech))
        params = {"kind": kind, "snr_db_target": target, "snr_db_at_mix": round(float(realized), 3), **extra}
        return mixed, sample_rate, params

    def apply_tracked(self, audio, speech, sample_rate, rng):
        """The speech part of the mix is what came in (its own speech part, if noise was mixed before)."""
        mixed, rate, params = self.apply(audio, sample_rate, rng)
        return mixed, np.asarray(audio, dtype=np.float32) if speech is None else speech, rate, params
