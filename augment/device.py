"""The device step: one device-microphone profile per item, drawn from `choose`.

Profiles live under `augment.devices.<name>` as named dicts of steps (frequency response, gain/AGC,
limiter, clipping, codec, resampling). A profile may lower the rate (e.g. telephony at 8 kHz); the
chain brings the audio back to the rate the device was given when the profile ends.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from augment.errors import AugmentConfigError
from augment.params import weights
from augment.step import Context, Step, StepSpec, prepare_steps


def prepare_profiles(devices: dict, names: list[str], ctx: Context) -> dict[str, tuple[StepSpec, ...]]:
    """Prepare the named device profiles, each a chain of its own starting at `ctx`'s rate.

    :param devices: augment.devices: name -> {step name: settings}
    :param names: the profiles to prepare
    :param ctx: the context where the device step sits
    """
    profiles = {}
    for name in names:
        steps = devices[name]
        key = f"augment.devices.{name}"
        if not isinstance(steps, dict) or not steps:
            raise AugmentConfigError(f"{key}: a device is a non-empty mapping of step name -> settings; got {steps!r}")
        for step_name, step_cfg in steps.items():
            if (
                isinstance(step_cfg, dict)
                and step_cfg.get("type", step_name) == "device"
                and "_target_" not in step_cfg
            ):
                raise AugmentConfigError(f"{key}.{step_name}: a device cannot contain another device step")
        # its own rate as it goes: resample steps change it
        specs = prepare_steps(steps, key, dataclasses.replace(ctx, in_device=True))
        profiles[name] = tuple(specs)
    return profiles


class Device(Step):
    """One device profile per item, drawn from `choose` (weights); the chain runs the profile's steps.

    :param choose: a device name, a list of names (equal weights) or {name: weight}, from augment.devices
    """

    KEYS = frozenset({"choose"})

    @classmethod
    def prepare(cls, cfg: dict, key: str, ctx: Context) -> dict:
        if ctx.in_device:
            raise AugmentConfigError(f"{key}: a device cannot contain another device step")
        known = sorted(ctx.devices)
        choose = weights(
            cfg.get("choose"),
            f"{key}.choose",
            ctx.devices,
            shape=f"a device name, a list of names or {{name: weight}}; known devices: {known}",
            unknown=lambda name: f"unknown device {name!r}; known (augment.devices): {known}",
            noun="device",
        )
        profiles = prepare_profiles(ctx.devices, list(ctx.devices), ctx)  # all checked, even unpicked ones
        return {"profiles": {name: profiles[name] for name in choose}, "weights": choose}

    def __init__(self, profiles: dict, weights: dict):
        self.profiles = {name: [(spec, spec.build()) for spec in specs] for name, specs in profiles.items()}
        self.names = list(profiles)
        total = sum(weights.values())
        self.probabilities = np.array([weights[name] / total for name in self.names])

    def variants(self) -> dict[str, list]:
        return self.profiles

    def pick(self, rng: np.random.Generator) -> tuple[str, list]:
        """This item's profile, drawn by weight from `rng`: (its name, its built steps)."""
        name = (
            self.names[int(rng.choice(len(self.names), p=self.probabilities))] if len(self.names) > 1 else self.names[0]
        )
        return name, self.profiles[name]
