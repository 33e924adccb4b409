"""What an augment config may instantiate: our own steps and audiomentations transform classes.

This is augment's part of the one allowlist (synth/config_guard.py adds what Hydra itself may
instantiate, and imports this module for the rest): augment checks its own targets without
knowing about the layer above it.
"""

from __future__ import annotations

import inspect
from typing import Any

from augment.errors import AugmentConfigError


def step_targets() -> frozenset[str]:
    """The dotted class paths of the augment steps (what a step's ``_target_`` may name)."""
    from augment.step import STEPS

    return frozenset(STEPS.dotted_paths())


def is_audiomentations_transform(target: str) -> bool:
    """True if `target` resolves to a transform class defined in audiomentations (a path such as
    audiomentations.core.utils.os.system resolves too, but to a function of another module)."""
    from audiomentations.core.composition import BaseCompose
    from audiomentations.core.transforms_interface import BaseTransform
    from hydra.utils import get_object

    try:
        obj = get_object(target)  # imports modules along the path: all under audiomentations.
    except Exception:  # ImportError, AttributeError, ValueError depending on where the path breaks
        return False
    return (
        inspect.isclass(obj)
        and obj.__module__.startswith("audiomentations")
        and issubclass(obj, (BaseTransform, BaseCompose))
    )


def allowed(target: Any) -> bool:
    """Whether an augment config may instantiate `target`."""
    if not isinstance(target, str):
        return False
    if target in step_targets():
        return True
    return target.startswith("audiomentations.") and is_audiomentations_transform(target)


def check_augment_target(target: Any, key: str, nested: bool) -> None:
    """Refuse a ``_target_`` an augment config may not instantiate.

    :param target: the value of the ``_target_`` key
    :param key: its dotted key path, for the message
    :param nested: True inside another transform's arguments, where an augment step may not go
    :raises AugmentConfigError: naming `key` and what may be instantiated
    """
    if not allowed(target):
        raise AugmentConfigError(
            f"{key}: _target_ {target!r} is not allowed; an augment config may instantiate only "
            f"audiomentations.* transform classes and augment steps ({', '.join(sorted(step_targets()))})"
        )
    if nested and target in step_targets():
        raise AugmentConfigError(
            f"{key}: _target_ {target!r} is an augment step; it is usable only as a step's own _target_, not nested"
        )
