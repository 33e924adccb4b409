"""Everything the dataset card states, gathered in one streaming pass over manifest.jsonl."""

from __future__ import annotations

import hashlib

import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from synth.corpus import REJECTS, read_jsonl_rows
from synth.exporters.common import device_of as device_name, iter_manifest

DIMENSIONS = ("split", "accent", "gender", "engine", "device")
NO_DEVICE = "none"


@dataclass
class Group:
    utterances: int = 0
    seconds: float = 0.0
    voices: set = field(default_factory=set)

    @property
    def hours(self) -> float:
        return self.seconds / 3600


@dataclass
class CorpusStats:
    total: Group = field(default_factory=Group)
    durations: list[float] = field(default_factory=list)
    by: dict[str, dict[str, Group]] = field(default_factory=lambda: {d: {} for d in DIMENSIONS})
    licences: dict[str, dict[str, set]] = field(default_factory=dict)  # licence -> {"voices", "engines", "commercial_use"}
    base_voices: set = field(default_factory=set)  # catalog voices behind the speaker ids (pseudo-speakers share one)
    languages: Counter = field(default_factory=Counter)
    vocabulary: set = field(default_factory=set)
    prompts_by_split: dict[str, set] = field(default_factory=dict)
    augment_steps: Counter = field(default_factory=Counter)  # step name -> utterances
    augmented: int = 0
    snr_db: list[float] = field(default_factory=list)
    rt60_s: list[float] = field(default_factory=list)
    pair_roles: Counter = field(default_factory=Counter)
    qc_failed_kept: int = 0
    unreadable_lines: int = 0
    rejects_by_stage: Counter = field(default_factory=Counter)

    def shared_between_splits(self, what: str) -> int:
        """How many voices ("voices") or prompt texts ("prompts") occur in more than one split."""
        if what == "voices":
            seen = [g.voices for g in self.by["split"].values()]
        else:
            seen = list(self.prompts_by_split.values())
        counts = Counter(x for group in seen for x in group)
        return sum(1 for n in counts.values() if n > 1)


def device_of(row: dict) -> str:
    return device_name(row) or NO_DEVICE


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _augment(stats: CorpusStats, steps: list) -> None:
    names = set()
    for step in steps or []:
        if not isinstance(step, dict):
            continue
        name, params = str(step.get("name")), step.get("params") or {}
        names.add(name)
        if name == "noise":
            snr = _number(params.get("snr_db"))  # measured; the target only when nothing was measured
            snr = snr if snr is not None else _number(params.get("snr_db_target"))
            if snr is not None:
                stats.snr_db.append(snr)
        elif name == "room":
            rt60 = _number(params.get("rt60"))  # measured on the RIR; else the target it was drawn for
            rt60 = rt60 if rt60 is not None else _number(params.get("rt60_target"))
            if rt60 is not None:
                stats.rt60_s.append(rt60)
    stats.augment_steps.update(names)
    stats.augmented += bool(names)


def _add(group: Group, seconds: float, voice: str) -> None:
    group.utterances += 1
    group.seconds += seconds
    group.voices.add(voice)


def gather(root: Path) -> CorpusStats:
    stats = CorpusStats()
    for _, row, error in iter_manifest(root):
        if error:
            stats.unreadable_lines += 1
            continue
        speaker, seconds = row["speaker"], float(row["duration"])
        voice = speaker["id"]
        _add(stats.total, seconds, voice)
        stats.durations.append(seconds)
        values = {"split": row["split"], "accent": speaker["accent"], "gender": speaker["gender"],
                  "engine": speaker["engine"], "device": device_of(row)}
        for dimension, value in values.items():
            _add(stats.by[dimension].setdefault(str(value), Group()), seconds, voice)
        licence = stats.licences.setdefault(str(speaker.get("license") or "unknown"),
                                            {"voices": set(), "engines": set(), "commercial_use": set()})
        licence["voices"].add(voice)
        licence["engines"].add(speaker["engine"])
        licence["commercial_use"].add(speaker.get("commercial_use"))
        stats.base_voices.add(str(speaker.get("base_voice") or voice))
        stats.languages[row.get("language") or "unknown"] += 1
        stats.vocabulary.update(row["transcript"].split())
        # a 64-bit digest per prompt, not the text: the card's memory stays small for big corpora
        key = hashlib.blake2b(" ".join(row["text"].casefold().split()).encode(), digest_size=8).digest()
        stats.prompts_by_split.setdefault(row["split"], set()).add(key)
        _augment(stats, row.get("augment"))
        if row.get("pair"):
            stats.pair_roles[str(row["pair"].get("role"))] += 1
        if (row.get("qc") or {}).get("passed", True) is False:
            stats.qc_failed_kept += 1
    rejects, _ = read_jsonl_rows(root / REJECTS)
    stats.rejects_by_stage.update(str(r.get("stage")) for r in rejects)
    return stats


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"
