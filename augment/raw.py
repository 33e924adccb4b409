"""Config safety (the `_target_` allowlist) and raw audiomentations transforms as steps.

`hydra.utils.instantiate` runs whatever a `_target_` names, so every target anywhere in the augment
config is checked before anything is instantiated, against augment's allowlist (augment/targets.py:
an audiomentations transform class or one of our steps, which synth/config_guard.py's allowlist
includes), and an augment step only as a step's own target, not nested inside another transform's
arguments.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from augment.audio_files import find_audio
from augment.errors import AugmentConfigError
from augment.params import plain
from augment.step import Step
from augment.targets import check_augment_target


def check_targets(node: Any, key: str, nested: bool = False) -> None:
    """Walk the whole augment config; refuse any target outside the allowlist, and Hydra's other
    special keys (_args_, _partial_, _recursive_, _convert_), which would change what gets called.

    :param node: the config (or a part of it)
    :param key: its dotted path, for messages
    :param nested: True inside a transform's own arguments (an augment step may not go there)
    """
    if isinstance(node, dict):
        for name in node:
            if isinstance(name, str) and name.startswith("_") and name != "_target_":
                raise AugmentConfigError(f"{key}.{name}: Hydra special keys other than _target_ are not accepted here")
        if "_target_" in node:
            check_augment_target(node["_target_"], f"{key}._target_", nested)
        for name, value in node.items():
            if name != "_target_":
                check_targets(value, f"{key}.{name}", nested or "_target_" in node)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            check_targets(value, f"{key}[{i}]", nested)


def _check_paths(kwargs: dict, key: str) -> None:
    """audiomentations asserts or crashes mid-run on a bad folder; say so at start-up instead."""
    import soundfile as sf

    for name, value in kwargs.items():
        if not name.endswith("_path") or value is None:
            continue
        for entry in value if isinstance(value, (list, tuple)) else [value]:
            for path in find_audio(entry, f"{key}.{name}"):
                if path.suffix.lower() == ".mp3":
                    continue  # audiomentations decodes mp3 with librosa; soundfile may lack mpeg support
                try:
                    sf.info(str(path))
                except Exception as exc:
                    raise AugmentConfigError(f"{key}.{name}: cannot read audio file {str(path)!r}: {exc}") from exc


def instantiate(config: dict):
    from hydra.utils import instantiate as hydra_instantiate

    return hydra_instantiate(config, _convert_="all")


def prepare_raw(cfg: dict, key: str, ctx) -> dict:
    kwargs = {k: v for k, v in cfg.items() if k not in ("p", "_target_")}
    _check_paths(kwargs, key)
    # The chain draws the step's probability itself (from the item seed), so the transform always applies.
    config = {"_target_": cfg["_target_"], **kwargs, "p": 1.0}
    try:
        instantiate(config)
    except Exception as exc:  # audiomentations validates in __init__ with ValueError/AssertionError/TypeError
        cause = exc.__cause__ or exc
        raise AugmentConfigError(
            f"{key}: {cfg['_target_']} refused its arguments: {type(cause).__name__}: {cause}"
        ) from exc
    return {"config": config}


class RawTransform(Step):
    """An audiomentations transform as a step: seeds the global RNGs it draws from, labels its parameters.

    Its speech part (apply_tracked) is the same transform run again on the speech alone with the
    same seed: exact for linear transforms (Gain, filters), an approximation for the others (e.g.
    Mp3Compression codes the speech alone, not the mix)."""

    def __init__(self, config: dict):
        self.transform = instantiate(config)  # once per worker: e.g. AddBackgroundNoise scans its folder here

    def apply(self, audio: np.ndarray, sample_rate: int, rng: np.random.Generator):
        seed = int(rng.integers(2**32))
        random.seed(seed)
        np.random.seed(seed)
        out = self.transform(samples=audio, sample_rate=sample_rate)
        out = np.asarray(out, dtype=np.float32).reshape(-1)
        params = {k: v for k, v in getattr(self.transform, "parameters", {}).items() if k != "should_apply"}
        return out, sample_rate, plain(params)
