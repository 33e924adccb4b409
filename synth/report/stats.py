"""Everything the dataset card states, gathered in one streaming pass over manifest.jsonl."""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from synth.corpus import MANIFEST, REJECTS
from synth.manifest import AppliedStep, ManifestError, Utterance, read_jsonl, read_lines

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
    licences: dict[str, dict[str, set]] = field(
        default_factory=dict
    )  # licence -> {"voices", "engines", "commercial_use"}
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


def device_of(row: Utterance) -> str:
    return row.device_name or NO_DEVICE


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _augment(stats: CorpusStats, steps: list[AppliedStep]) -> None:
    names = set()
    for step in steps:
        name, params = str(step.name), step.params if isinstance(step.params, dict) else {}
        names.add(name)
        if name == "noise":
            snr = _number(params.get("snr_db_at_mix", params.get("snr_db")))  # measured at mixing; else the target
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
    for line in read_lines(root / MANIFEST):
        try:
            if line.error:
                raise ManifestError(line.error)
            row = Utterance.from_dict(line.row, f"{MANIFEST}:{line.number}")
        except ManifestError:  # torn, not JSON, or not a row: counted, and the card says to verify
            stats.unreadable_lines += 1
            continue
        speaker, seconds = row.speaker, float(row.duration)
        voice = speaker.id
        _add(stats.total, seconds, voice)
        stats.durations.append(seconds)
        values = {
            "split": row.split,
            "accent": speaker.accent,
            "gender": speaker.gender,
            "engine": speaker.engine,
            "device": device_of(row),
        }
        for dimension, value in values.items():
            _add(stats.by[dimension].setdefault(str(value), Group()), seconds, voice)
        licence = stats.licences.setdefault(
            str(speaker.license or "unknown"), {"voices": set(), "engines": set(), "commercial_use": set()}
        )
        licence["voices"].add(voice)
        licence["engines"].add(speaker.engine)
        licence["commercial_use"].add(speaker.commercial_use)
        stats.base_voices.add(str(speaker.base_voice or voice))
        stats.languages[row.language or "unknown"] += 1
        stats.vocabulary.update(row.transcript.split())
        # a 64-bit digest per prompt, not the text: the card's memory stays small for big corpora
        key = hashlib.blake2b(" ".join(row.text.casefold().split()).encode(), digest_size=8).digest()
        stats.prompts_by_split.setdefault(row.split, set()).add(key)
        _augment(stats, row.augment)
        if row.pair is not None:
            stats.pair_roles[str(row.pair.role)] += 1
        if not row.delivered:
            stats.qc_failed_kept += 1
    stats.rejects_by_stage.update(str(r.get("stage")) for r in read_jsonl(root / REJECTS))
    return stats


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"
