"""Config safety (the `_target_` allowlist) and raw audiomentations transforms as steps.

`hydra.utils.instantiate` runs whatever a `_target_` names, so every target anywhere in the augment
config is checked before anything is instantiated: it must be spelled `audiomentations.…` or
`augment.…`, and resolve to a transform class defined in that package (a dotted path such as
`audiomentations.core.utils.os.system` resolves, but to a function of another module: refused).
"""

from __future__ import annotations

import inspect
import random
from typing import Any

import numpy as np

from augment.audio_files import find_audio
from augment.errors import AugmentConfigError
from augment.params import plain
from augment.step import Step

ALLOWED_PREFIXES = ("audiomentations.", "augment.")


def _locate(target: str, key: str):
    from hydra.utils import get_object

    try:
        return get_object(target)  # imports modules along the path; all of them under an allowed prefix
    except Exception as exc:  # ImportError, AttributeError, ValueError depending on where the path breaks
        raise AugmentConfigError(f"{key}: cannot find {target!r}: {exc}") from exc


def _check_target(target: Any, key: str, nested: bool) -> None:
    if not isinstance(target, str) or not target.startswith(ALLOWED_PREFIXES):
        raise AugmentConfigError(
            f"{key}: _target_ {target!r} is not allowed; only audiomentations.* transforms and augment.* steps may be instantiated"
        )
    if target.startswith("augment."):
        from augment.step import BUILTIN

        if nested or target not in BUILTIN.values():
            where = "as a step's _target_" if not nested else "only as a step's own _target_, not nested"
            raise AugmentConfigError(
                f"{key}: _target_ {target!r} is not an augment step usable here ({where}); "
                f"known: {sorted(BUILTIN.values())}"
            )
        return
    from audiomentations.core.composition import BaseCompose
    from audiomentations.core.transforms_interface import BaseTransform

    obj = _locate(target, key)
    if not (
        inspect.isclass(obj)
        and obj.__module__.startswith("audiomentations")
        and issubclass(obj, (BaseTransform, BaseCompose))
    ):
        raise AugmentConfigError(f"{key}: _target_ {target!r} is not an audiomentations transform class; refused")


def check_targets(node: Any, key: str, nested: bool = False) -> None:
    """Walk the whole augment config; refuse any target outside the allowlist, and Hydra's other
    special keys (_args_, _partial_, _recursive_, _convert_), which would change what gets called."""
    if isinstance(node, dict):
        for name, value in node.items():
            if isinstance(name, str) and name.startswith("_") and name != "_target_":
                raise AugmentConfigError(f"{key}.{name}: Hydra special keys other than _target_ are not accepted here")
        if "_target_" in node:
            _check_target(node["_target_"], f"{key}._target_", nested)
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
