"""Reading step settings: value specs (constant, uniform range, choice), key checks, JSON labels.

A value spec in config is one of
    3.0                 a constant
    [min, max]          drawn uniformly per item
    {choose: [a, b]}    one of the values, equally likely
Drawn floats are rounded *before* use, so the label holds exactly the value that was applied.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from augment.errors import AugmentConfigError


@dataclass(frozen=True)
class Spec:
    """A per-item random value: uniform in [low, high] or one of `choices`."""

    low: float = 0.0
    high: float = 0.0
    choices: tuple = ()
    digits: int = 3

    def draw(self, rng: np.random.Generator):
        if self.choices:
            return self.choices[int(rng.integers(len(self.choices)))]
        if self.low == self.high:
            return self.low
        return round(float(rng.uniform(self.low, self.high)), self.digits)

    @property
    def bounds(self) -> tuple[float, float]:
        values = self.choices or (self.low, self.high)
        return (min(values), max(values))


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise AugmentConfigError(f"{key}: expected a number; got {value!r}")
    return float(value)


def spec(
    cfg: dict,
    name: str,
    key: str,
    lo: float | None = None,
    hi: float | None = None,
    digits: int = 3,
    default: Any = None,
) -> Spec:
    """Parse cfg[name] as a value spec; `lo`/`hi` bound every value it can take."""
    full = f"{key}.{name}"
    value = cfg.get(name, default)
    if value is None:
        raise AugmentConfigError(f"{full}: missing; give a number, [min, max] or {{choose: [...]}}")
    if isinstance(value, dict):
        if set(value) != {"choose"} or not isinstance(value["choose"], (list, tuple)) or not value["choose"]:
            raise AugmentConfigError(f"{full}: a mapping must be {{choose: [value, ...]}} (non-empty); got {value!r}")
        result = Spec(choices=tuple(_number(v, full) for v in value["choose"]), digits=digits)
    elif isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise AugmentConfigError(f"{full}: a range is [min, max]; got {list(value)!r}")
        low, high = (_number(v, full) for v in value)
        if low > high:
            raise AugmentConfigError(f"{full}: min {value[0]} > max {value[1]}; write [min, max]")
        result = Spec(low, high, digits=digits)
    else:
        result = Spec(_number(value, full), _number(value, full), digits=digits)
    below, above = result.bounds
    if lo is not None and below < lo or hi is not None and above > hi:
        raise AugmentConfigError(f"{full}: {value!r} is outside the valid range [{lo}, {hi}]")
    return result


def number(
    cfg: dict, name: str, key: str, lo: float | None = None, hi: float | None = None, default: Any = None
) -> float:
    value = cfg.get(name, default)
    if value is None:
        raise AugmentConfigError(f"{key}.{name}: missing; expected a number")
    result = _number(value, f"{key}.{name}")
    if lo is not None and result < lo or hi is not None and result > hi:
        raise AugmentConfigError(f"{key}.{name}: {value!r} is outside the valid range [{lo}, {hi}]")
    return result


def check_keys(cfg: dict, key: str, allowed: set[str]) -> None:
    """Refuse typos: an unknown key would otherwise be silently ignored."""
    if not isinstance(cfg, dict):
        raise AugmentConfigError(f"{key}: expected a mapping; got {cfg!r}")
    unknown = sorted(set(cfg) - allowed)
    if unknown:
        raise AugmentConfigError(f"{key}: unknown key(s) {unknown}; valid: {sorted(allowed)}")


def plain(value: Any) -> Any:
    """A JSON-ready copy of a label value; anything without a stable plain form is dropped (None)."""
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, np.ndarray) and value.size <= 64:
        return plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if plain(v) is not None or v is None}
    return None  # objects, callables, big arrays: their repr is not stable across processes


def db(ratio: float) -> float:
    return 20.0 * math.log10(ratio) if ratio > 0 else -math.inf


def energy(audio: np.ndarray) -> float:
    """Σx², summed in float64 without a float64 copy of the signal."""
    return float(np.einsum("i,i->", audio, audio, dtype=np.float64))


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(energy(audio) / len(audio))) if len(audio) else 0.0


def weights(
    value: Any, key: str, known: Collection[str], *, shape: str, unknown: Callable[[str], str], noun: str
) -> dict[str, float]:
    """A weighted choice among `known` names, given as one name, a list (equal weights) or
    {name: weight}. Returns the names with a weight > 0, in the order given; at least one must stay.
    `shape` says what a valid value looks like, `unknown(name)` what is wrong with a name, `noun` what
    the names are."""
    if isinstance(value, str):
        value = {value: 1.0}
    elif isinstance(value, (list, tuple)):
        value = {str(name): 1.0 for name in value}
    if not isinstance(value, dict) or not value:
        raise AugmentConfigError(f"{key}: give {shape}")
    for name, weight in value.items():
        if name not in known:
            raise AugmentConfigError(f"{key}: {unknown(name)}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise AugmentConfigError(f"{key}.{name}: a weight is a number >= 0; got {weight!r}")
    chosen = {str(name): float(weight) for name, weight in value.items() if weight > 0}
    if not chosen:
        raise AugmentConfigError(f"{key}: at least one {noun} needs a weight > 0")
    return chosen
