"""The Step seam: how one augmentation step is configured, prepared once, built per worker and applied.

A step's life:
    prepare(cfg, key, ctx) -> kwargs   in the parent, once: validate, build banks on disk; small and picklable
    Step(**kwargs)                     in each worker, once (the chain is cached per process)
    apply(audio, rate, rng)            per item -> (audio, rate, params); params are the label
    apply_tracked(audio, speech, rate, rng) -> (audio, speech, rate, params)
                                       the same, also carrying the speech part of `audio` once noise is
                                       in it (None before): what the delivered file's SNR is measured on
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from augment.babble import Talkers
from augment.errors import AugmentConfigError
from augment.params import check_keys, number
from seams import Registry

# Step types by their short `type` name (a step's key is its type unless it says otherwise); a
# test or plugin adds its own with STEPS.register(name, "module:Class").
STEPS = Registry(
    "step type",
    {
        "room": "augment.room:Room",
        "noise": "augment.noise:Noise",
        "device": "augment.device:Device",
        "resample": "augment.codec:Resample",
        "codec": "augment.codec:Codec",
        "bandpass": "augment.filters:BandPass",
        "eq": "augment.filters:Equalizer",
        "gain": "augment.dynamics:Gain",
        "agc": "augment.dynamics:AGC",
        "limiter": "augment.dynamics:Limiter",
        "clipping": "augment.dynamics:Clipping",
    },
    AugmentConfigError,
)
COMMON_KEYS = {"p", "type", "_target_"}
STEP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Context:
    """What a step's prepare() may use. `sample_rate` is the lowest rate the audio may have at this
    point of the chain (each step says what it hands on: `Step.output_rate`)."""

    sample_rate: int
    cache_dir: Path
    run_seed: int
    devices: dict = field(default_factory=dict)  # augment.devices, for the device step
    in_device: bool = False
    talkers: Talkers | None = None  # what babble renders its talkers with (handed to augment.prepare)


class Step:
    """One augmentation step, the way audiomentations builds a transform: validated once, drawn per item.

    A step may also declare, for the chain:
      LINEAR = True    it is a linear filter: it implements design(), and the chain runs
                       consecutive linear steps as one cascade (one pass over the audio)
      output_rate()    the lowest rate it may hand on (a resampler): what later steps are prepared for
      pick()           it runs one of several sub-chains per item (a device profile); the chain runs
                       the pick and then returns to this step's input rate
    """

    KEYS: frozenset = frozenset()  # config keys this step accepts besides p/type/_target_
    LINEAR: ClassVar[bool] = False

    @classmethod
    def prepare(cls, cfg: dict, key: str, ctx: Context) -> dict:
        """Validate this step's config and build what it needs on disk, once, in the parent.

        :param cfg: the step's settings, without p/type/_target_
        :param key: its dotted config path, for messages (e.g. ``augment.steps.room``)
        :param ctx: the rate at this point of the chain, the cache folder, the run seed
        :returns: the keyword arguments of ``__init__``: small and picklable (workers receive them)
        :raises AugmentConfigError: naming the key at fault and what would be valid
        """
        return {}

    @classmethod
    def output_rate(cls, kwargs: dict, sample_rate: int) -> int:
        """The lowest rate this step may hand on.

        :param kwargs: what its prepare() returned
        :param sample_rate: the rate it is given
        """
        return sample_rate

    def design(self, sample_rate: int, rng: np.random.Generator) -> tuple[np.ndarray, float, dict]:
        """LINEAR steps: (second-order sections, group delay in samples, the label's params).

        :param sample_rate: the rate the filter runs at
        :param rng: this step's stream for this item
        """
        raise NotImplementedError

    def pick(self, rng: np.random.Generator) -> tuple[str, list] | None:
        """A step that runs a sub-chain: (the pick's name, its [(StepSpec, Step)]); None for others."""
        return None

    def variants(self) -> dict[str, list]:
        """Every sub-chain pick() may return, by name (the start-up check runs each); {} for others."""
        return {}

    def apply(self, audio: np.ndarray, sample_rate: int, rng: np.random.Generator) -> tuple[np.ndarray, int, dict]:
        """Draw this item's values from `rng` and apply them; deterministic given the stream.

        :param audio: float32 mono
        :param sample_rate: its rate
        :param rng: this step's own stream for this item (chain.step_rng)
        :returns: (audio, its rate afterwards, the label's params: every value drawn; None if the
            step found nothing to do, which leaves it out of the label)
        """
        raise NotImplementedError

    def apply_tracked(
        self, audio: np.ndarray, speech: np.ndarray | None, sample_rate: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray | None, int, dict]:
        """apply() to `audio`, and the same step to its speech part `speech` (None: `audio` holds no
        noise yet, nothing to track).

        By default the step runs a second time on `speech` with the same random draws: exact for
        steps whose action does not depend on the signal (a fixed gain, a resampler, a filter).
        Steps whose action is computed from the signal (AGC, limiter, clipping, the room's level
        match) override this to apply the action computed on `audio` to `speech` as well.

        :param audio: the signal as the chain has it (speech plus noise once noise was mixed)
        :param speech: the speech part of `audio`, or None
        :param sample_rate: rate of both
        :param rng: this step's stream for this item (its draws are replayed for `speech`)
        """
        if speech is None:
            out, rate, params = self.apply(audio, sample_rate, rng)
            return out, None, rate, params
        before = rng.bit_generator.state
        out, rate, params = self.apply(audio, sample_rate, rng)
        after = rng.bit_generator.state
        rng.bit_generator.state = before
        speech_out = self.apply(speech, sample_rate, rng)[0]
        rng.bit_generator.state = after
        return out, np.asarray(speech_out, dtype=np.float32), rate, params


@dataclass(frozen=True)
class StepSpec:
    """A prepared step: what a worker needs to build it (picklable, no audio arrays)."""

    name: str  # the step's key: the label's `name`
    path: str  # e.g. "steps.room" or "devices.phone.codec": seeds the step's own random stream
    p: float
    factory: str  # dotted class path of a Step, or "raw" for an audiomentations transform
    kwargs: dict

    def build(self) -> Step:
        """The step itself, built from `kwargs` (in a worker, once per process)."""
        if self.factory == "raw":
            from augment.raw import RawTransform

            return RawTransform(**self.kwargs)
        module, _, cls = self.factory.rpartition(".")
        return getattr(importlib.import_module(module), cls)(**self.kwargs)

    def output_rate(self, sample_rate: int) -> int:
        """The lowest rate this step may hand on (raw audiomentations transforms keep the rate)."""
        return sample_rate if self.factory == "raw" else step_class(self.factory).output_rate(self.kwargs, sample_rate)


def step_class(dotted: str) -> type[Step]:
    """The Step class at the dotted path `dotted` (a StepSpec's factory)."""
    module, _, cls = dotted.rpartition(".")
    return getattr(importlib.import_module(module), cls)


def prepare_steps(steps: dict, key: str, ctx: Context) -> tuple[StepSpec, ...]:
    """Prepare named steps in order, each for the rate the steps before it hand on.

    :param steps: step name -> its config (already allowlist-checked)
    :param key: the dotted path of the mapping, e.g. ``augment.steps``
    :param ctx: the context at the first step
    """
    specs, rate = [], ctx.sample_rate
    for name, cfg in steps.items():
        spec = prepare_step(name, cfg, f"{key}.{name}", dataclasses.replace(ctx, sample_rate=rate))
        rate = spec.output_rate(rate)
        specs.append(spec)
    return tuple(specs)


def prepare_step(name: str, cfg: dict, key: str, ctx: Context) -> StepSpec:
    """Validate one step's config (already allowlist-checked) and prepare it.

    :param name: the step's key (its type too, unless it gives `type` or `_target_`)
    :param cfg: its config: p, type or _target_, and its own keys
    :param key: its dotted config path, for messages
    :param ctx: the context at this point of the chain
    """
    if not STEP_NAME.match(str(name)):
        raise AugmentConfigError(f"{key}: step names are lowercase [a-z0-9_], starting with a letter")
    if not isinstance(cfg, dict):
        raise AugmentConfigError(f"{key}: a step is a mapping with p and its settings; got {cfg!r}")
    p = number(cfg, "p", key, lo=0.0, hi=1.0, default=1.0)
    path = key.removeprefix("augment.")
    target = cfg.get("_target_")
    if target is not None and "type" in cfg:
        raise AugmentConfigError(f"{key}: give either type or _target_, not both")
    if target is not None and str(target).startswith("audiomentations."):
        from augment.raw import prepare_raw

        return StepSpec(name, path, p, "raw", prepare_raw(cfg, key, ctx))
    if target is not None:
        dotted = str(target)
        if STEPS.name_of(dotted) is None:
            raise AugmentConfigError(
                f"{key}._target_: {dotted!r} is not an augment step; known: {sorted(STEPS.dotted_paths())}"
            )
    else:
        kind = cfg.get("type", name)
        if kind not in STEPS:
            raise AugmentConfigError(
                f"{key}: unknown step type {kind!r}{STEPS.suggestion(kind)}; give type: one of {sorted(STEPS)}, "
                "or _target_: an audiomentations.* transform"
            )
        dotted = STEPS.target(kind).replace(":", ".")
    cls = step_class(dotted)
    check_keys(cfg, key, COMMON_KEYS | set(cls.KEYS))
    body = {k: v for k, v in cfg.items() if k not in COMMON_KEYS}
    return StepSpec(name, path, p, dotted, cls.prepare(body, key, ctx))
