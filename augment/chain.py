"""The chain: prepare once in the parent, build once per worker, apply per item as a pure function
of (audio, sample_rate, seed, config).

From the first noise step on, the chain also carries the speech part of the signal: every later
step applies to it what it applied to the mix (the same filter, resampler and gain; a gain computed
from the mix, such as AGC's, is applied as computed; a codec's or clipping's own error is left out,
so it counts as noise). `AugmentResult.speech` is then the speech part of the delivered audio and
`augment.file_snr.file_snr_db(delivered, speech)` the delivered file's SNR: speech part against everything else.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

import numpy as np
import soxr

from augment.babble import Talkers
from augment.cache import cache_root
from augment.device import prepare_profiles
from augment.errors import AugmentConfigError
from augment.filters import run_cascade
from augment.params import check_keys, db
from augment.raw import check_targets
from augment.step import Context, StepSpec, prepare_steps

TOP_KEYS = {"steps", "devices", "paired", "cache_dir"}
PEAK_LIMIT = 0.99  # the renderer clips at full scale; keep clear of it (and of QC's 0.999 clip test)


@dataclass
class AugmentResult:
    """What a chain did to one item: the audio, the label of every step applied, the device picked."""

    audio: np.ndarray  # float32 mono at the input's rate, same length as the input
    applied: list[dict] = field(default_factory=list)  # [{"name", "params"}] in the order applied
    device: str | None = None  # the device profile's name, or None
    # the speech part of `audio` (same length and rate) once a noise step has mixed noise in; None:
    # no noise was mixed, so there is no noise part to measure an SNR against
    speech: np.ndarray | None = None


_STREAMS = threading.local()  # per thread: {path: (bit generator, generator)}, reseeded per item


def step_rng(seed: int, path: str) -> np.random.Generator:
    """Each step draws from its own stream keyed by its config path, so removing or adding one step
    leaves every other step's draws unchanged (useful when sweeping a single step).

    The stream's PCG64 state is a BLAKE2b hash of (seed, path), set on a generator kept per path and
    thread: a fresh default_rng per step costs ~14 µs in SeedSequence set-up, nine times per item.

    :param seed: the item's seed
    :param path: the step's config path, e.g. "steps.room"
    """
    streams = getattr(_STREAMS, "by_path", None)
    if streams is None:
        streams = _STREAMS.by_path = {}
    if path not in streams:
        bit_generator = np.random.PCG64(0)
        streams[path] = (bit_generator, np.random.Generator(bit_generator))
    bit_generator, generator = streams[path]
    digest = hashlib.blake2b(f"{int(seed) & 0xFFFFFFFF}/{path}".encode(), digest_size=32).digest()
    bit_generator.state = {
        "bit_generator": "PCG64",
        "has_uint32": 0,
        "uinteger": 0,
        "state": {"state": int.from_bytes(digest[:16], "little"), "inc": int.from_bytes(digest[16:], "little") | 1},
    }
    return generator


class Chain:
    """The built steps of a prepared augment config, in a worker (built once per process).

    :param specs: the prepared steps, in order
    :param sample_rate: the rate of the audio it will be given
    """

    def __init__(self, specs: list[StepSpec], sample_rate: int):
        self.sample_rate = sample_rate
        self.steps = [(spec, spec.build()) for spec in specs]

    def apply(self, audio: np.ndarray, sample_rate: int, seed: int) -> AugmentResult:
        """Augment one item: a pure function of (audio, sample_rate, seed) and the config.

        :param audio: float32 mono, at the chain's rate
        :param sample_rate: must be the rate the chain was prepared for
        :param seed: the item's seed; each step draws from its own stream of it
        :returns: the same length at the same rate, with every step's drawn values
        """
        if sample_rate != self.sample_rate:
            raise ValueError(f"this chain was prepared for {self.sample_rate} Hz audio; got {sample_rate} Hz")
        x = np.asarray(audio, dtype=np.float32).reshape(-1).copy()
        result = AugmentResult(x)
        if not len(x):  # nothing to augment (QC normally rejects such items before they get here)
            return result
        rate = self._run(self.steps, sample_rate, seed, result)
        self._finish(result, rate, len(x))
        return result

    def _run(self, steps, rate, seed, result: AugmentResult, force: bool = False) -> int:
        filters: list = []  # consecutive linear filters, designed but not yet run: one pass for all of them
        for spec, step in steps:
            rng = step_rng(seed, spec.path)
            if not force and rng.random() >= spec.p:
                continue  # a skipped step does nothing: filters on either side of it still run as one
            if step.LINEAR:
                sos, delay, params = step.design(rate, rng)
                filters.append((sos, delay))
                result.applied.append({"name": spec.name, "params": params})
                continue
            self._flush(filters, result)
            picked = step.pick(rng)
            if picked is not None:  # a device: its profile's steps, then back to the rate it was given
                name, sub = picked
                result.device = name
                result.applied.append({"name": spec.name, "params": {"profile": name}})
                rate_before = rate
                rate = self._run(sub, rate, seed, result, force)
                rate = self._back_to(result, rate, rate_before)  # a device returns to the rate it was given
                continue
            audio, speech, rate, params = step.apply_tracked(result.audio, result.speech, rate, rng)
            result.audio = np.asarray(audio, dtype=np.float32)
            result.speech = None if speech is None else np.asarray(speech, dtype=np.float32)
            if params is not None:  # None: the step found nothing to do (e.g. resampling to the same rate)
                result.applied.append({"name": spec.name, "params": params})
        self._flush(filters, result)
        return rate

    @staticmethod
    def _flush(filters: list, result: AugmentResult) -> None:
        if filters:
            result.audio = run_cascade(filters, result.audio)
            if result.speech is not None:
                result.speech = run_cascade(filters, result.speech)
            filters.clear()

    @staticmethod
    def _back_to(result: AugmentResult, rate: int, wanted: int) -> int:
        if rate != wanted:
            result.audio = soxr.resample(result.audio, rate, wanted, quality="HQ").astype(np.float32)
            if result.speech is not None:
                result.speech = soxr.resample(result.speech, rate, wanted, quality="HQ").astype(np.float32)
            result.applied.append({"name": "resample", "params": {"rate_in": rate, "rate_out": wanted}})
        return wanted

    def _finish(self, result: AugmentResult, rate: int, length: int) -> None:
        self._back_to(result, rate, self.sample_rate)
        # Same length as the input: word times stay valid and paired clean/augmented files align.
        audio = _fit(result.audio, length)
        speech = None if result.speech is None else _fit(result.speech, length)
        peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
        if not np.isfinite(peak):
            raise ValueError(f"augmentation produced non-finite samples (steps: {[a['name'] for a in result.applied]})")
        if peak > PEAK_LIMIT:  # labelled, never silent: later clipping at full scale would be unrecorded
            gain = PEAK_LIMIT / peak
            audio = audio * np.float32(gain)
            speech = None if speech is None else speech * np.float32(gain)
            result.applied.append({"name": "headroom", "params": {"gain_db": round(db(gain), 3)}})
        result.audio = np.ascontiguousarray(audio, dtype=np.float32)
        result.speech = None if speech is None else np.ascontiguousarray(speech, dtype=np.float32)

    def check(self, audio: np.ndarray) -> None:
        """Run every step (device: every profile it may pick) once on `audio`: start-up smoke test."""
        for spec, step in self.steps:
            for steps in list(step.variants().values()) or [[(spec, step)]]:
                result = AugmentResult(audio.copy())
                rate = self._run(steps, self.sample_rate, 0, result, force=True)
                self._finish(result, rate, len(audio))


def _fit(audio: np.ndarray, length: int) -> np.ndarray:
    audio = audio[:length]
    return np.pad(audio, (0, length - len(audio))) if len(audio) < length else audio


@dataclass(frozen=True)
class PreparedAugment:
    """What `prepare` hands the workers: small and picklable; `build()` makes the Chain."""

    specs: tuple[StepSpec, ...]
    sample_rate: int
    paired: bool = False

    @property
    def is_empty(self) -> bool:
        """True when no step is configured."""
        return not self.specs

    def build(self) -> Chain:
        """The chain, its steps built (once per worker: some scan folders or load banks)."""
        return Chain(list(self.specs), self.sample_rate)


def _test_signal(sample_rate: int) -> np.ndarray:
    """1 s of a voiced-like harmonic tone with pauses: enough to exercise every step."""
    t = np.arange(sample_rate) / sample_rate
    tone = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 20))
    envelope = (np.sin(2 * np.pi * 2 * t) > -0.3).astype(float)
    return (0.3 * tone / np.max(np.abs(tone)) * envelope).astype(np.float32)


def prepare(augment_cfg: dict | None, sample_rate: int, seed: int, talkers: Talkers | None = None) -> PreparedAugment:
    """Validate the augment config, build its banks (cached on disk), return what workers need.

    :param augment_cfg: the ``augment`` config node as plain containers (steps, devices, paired, cache_dir)
    :param sample_rate: the rate of the audio the chain will be given
    :param seed: the run's seed (banks without their own seed draw from it)
    :param talkers: the engine and sentences babble noise renders its talkers with; needed only
        when a noise step gives babble a weight (synth/talkers.py makes the run's)
    :raises AugmentConfigError: naming the key at fault and what would be valid
    """
    cfg = augment_cfg or {}
    check_keys(cfg, "augment", TOP_KEYS)
    check_targets(cfg, "augment")  # before anything is imported from a target or instantiated
    steps = cfg.get("steps") or {}
    devices = cfg.get("devices") or {}
    if not isinstance(steps, dict):
        raise AugmentConfigError(f"augment.steps: expected a mapping of step name -> settings; got {steps!r}")
    if not isinstance(devices, dict):
        raise AugmentConfigError(f"augment.devices: expected a mapping of device name -> steps; got {devices!r}")
    if not isinstance(cfg.get("paired", False), bool):
        raise AugmentConfigError(f"augment.paired: expected true or false; got {cfg.get('paired')!r}")
    if not isinstance(sample_rate, int) or sample_rate < 8000:
        raise AugmentConfigError(f"output.sample_rate: augmentation needs at least 8000 Hz; got {sample_rate!r}")
    ctx = Context(
        sample_rate=sample_rate,
        cache_dir=cache_root(cfg.get("cache_dir")),
        run_seed=int(seed),
        devices=devices,
        talkers=talkers,
    )
    specs = prepare_steps(steps, "augment.steps", ctx)
    if devices and not any(spec.factory == "augment.device.Device" for spec in specs):
        prepare_profiles(devices, list(devices), ctx)  # unused devices are still checked: typos surface now
    prepared = PreparedAugment(specs, sample_rate, bool(cfg.get("paired", False)))
    if specs:
        try:
            prepared.build().check(_test_signal(sample_rate))
        except AugmentConfigError:
            raise
        except Exception as exc:  # e.g. a codec backend that is missing: better now than in every worker
            raise AugmentConfigError(
                f"augment: the chain failed its start-up test run: {type(exc).__name__}: {exc}"
            ) from exc
    return prepared
