"""RT60 of the room a row was put in: the applied RIR, found by its id in the corpus's RIR bank.

The label's `rt60` was measured when the bank was built; the audit measures the same RIR again with
another implementation (pyroomacoustics' `measure_rt60`: the time the Schroeder decay takes from
−5 dB to −35 dB, times two) and checks it against the label and against the `rt60_s` range the
corpus's config asked for. Rows whose RIR is not on this machine (another cache, a deleted cache)
are "not measurable".
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


class RirBanks:
    """Every RIR bank under a cache folder, indexed by rir_id; arrays loaded on first use."""

    def __init__(self, cache_dir: Path):
        """:param cache_dir: the augment cache (config `augment.cache_dir`, or the default)"""
        self._where: dict[str, tuple[Path, int]] = {}
        self._arrays: dict[Path, list[np.ndarray]] = {}
        for index in sorted((Path(cache_dir) / "rirs").glob("*/index.json")):
            try:
                items = json.loads(index.read_text())["items"]
            except (OSError, ValueError, KeyError):
                continue
            for i, item in enumerate(items):
                self._where.setdefault(str(item.get("rir_id")), (index.parent, i))

    def get(self, rir_id: str) -> np.ndarray | None:
        if rir_id not in self._where:
            return None
        folder, i = self._where[rir_id]
        if folder not in self._arrays:
            with np.load(folder / "bank.npz") as data:
                self._arrays[folder] = [data[k] for k in sorted(data.files, key=lambda k: int(k.split("_")[1]))]
        return self._arrays[folder][i]


def measured_rt60(rir: np.ndarray, sample_rate: int) -> float | None:
    """RT60 in seconds by pyroomacoustics (T30 extrapolated), or None when the decay is too short."""
    from pyroomacoustics.experimental import measure_rt60

    try:
        value = float(measure_rt60(np.asarray(rir, dtype=np.float64), fs=sample_rate, decay_db=30))
    except (ValueError, IndexError):
        return None
    return value if np.isfinite(value) and value > 0 else None


def configured_range(config: dict, row_device: str | None, step_name: str) -> tuple[float, float] | None:
    """The `rt60_s` range the config gave the step that made this room, or None when not stated.

    :param config: the corpus's config.yaml
    :param row_device: the row's device profile (a profile may hold its own room step)
    :param step_name: the applied step's name
    """
    augment = config.get("augment") or {}
    candidates = []
    if row_device:
        candidates.append(((augment.get("devices") or {}).get(row_device) or {}).get(step_name))
    candidates.append((augment.get("steps") or {}).get(step_name))
    for step in candidates:
        if isinstance(step, dict) and "rt60_s" in step:
            return _bounds(step["rt60_s"])
    return None


def _bounds(value) -> tuple[float, float] | None:
    if isinstance(value, (int, float)):
        return float(value), float(value)
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return float(min(value)), float(max(value))
    if isinstance(value, dict):
        choices = value.get("choose")
        if isinstance(choices, list) and choices:
            return float(min(choices)), float(max(choices))
        if "low" in value and "high" in value:
            return float(value["low"]), float(value["high"])
    return None
