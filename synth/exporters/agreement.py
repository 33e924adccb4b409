"""Whether an export still says what the manifest says: what `verify` compares, per format."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DURATION_TOLERANCE_S = 1e-3  # exports may hold the exact samples/rate, the manifest 4 decimals
MAX_PROBLEMS_PER_KIND = 20  # one broken export should not bury the other findings


@dataclass(frozen=True)
class Expected:
    """What an export must say about one row; small, so a large corpus fits in memory."""

    split: str
    duration: float
    transcript: str
    audio: Path  # absolute
    sha256: str
    speaker: str
    gender: str


@dataclass(frozen=True)
class Found:
    """What one export entry says; None where the format does not carry that field."""

    duration: float | None = None
    transcript: str | None = None
    audio: Path | None = None  # resolved path the entry points at
    sha256: str | None = None  # of the audio bytes the entry carries (WebDataset)


def split_counts(expected: dict[str, Expected | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in expected.values():
        if e is not None:
            counts[e.split] = counts.get(e.split, 0) + 1
    return counts


def compare(
    where: str, found: dict[str, Found], expected: dict[str, Expected | None], split: str, root: Path
) -> list[str]:
    """Problems between one export part (`where`, e.g. "nemo/train.jsonl") and the manifest rows of
    `split`. `expected` maps every manifest id to its Expected, or to None for rows too broken to
    compare (verify reports those itself)."""
    problems: list[str] = []
    root = Path(root).resolve()
    mine = {i: e for i, e in expected.items() if e is not None and e.split == split}
    missing = sorted(set(mine) - set(found))
    extra = sorted(i for i in set(found) - set(mine) if i not in expected)
    moved_split = sorted(i for i in set(found) - set(mine) if expected.get(i) is not None)
    if missing:
        problems.append(f"{where}: {len(missing)} utterance(s) of the manifest missing, e.g. {', '.join(missing[:3])}")
    if extra:
        problems.append(
            f"{where}: {len(extra)} utterance(s) not in the manifest (or failing QC), e.g. {', '.join(extra[:3])}"
        )
    for row_id in moved_split[:MAX_PROBLEMS_PER_KIND]:
        problems.append(f"{where}: {row_id} is in the manifest's {expected[row_id].split!r} split, not {split!r}")
    kinds: dict[str, list[str]] = {}
    elsewhere = 0  # entries pointing into another copy of the corpus: one finding, not hundreds
    for row_id in sorted(set(found) & set(mine)):
        f, e = found[row_id], mine[row_id]
        moved = f.audio is not None and not f.audio.is_relative_to(root) and not _same_file(f.audio, e.audio)
        elsewhere += moved
        if f.duration is not None and abs(f.duration - e.duration) > DURATION_TOLERANCE_S:
            kinds.setdefault("duration", []).append(
                f"{where}: {row_id}: duration {f.duration} != manifest {e.duration}"
            )
        if f.transcript is not None and f.transcript != e.transcript:
            kinds.setdefault("transcript", []).append(
                f"{where}: {row_id}: transcript {f.transcript!r} != manifest {e.transcript!r}"
            )
        # a missing file is reported once, by its row
        if f.audio is not None and not moved and e.audio.is_file() and not _same_file(f.audio, e.audio):
            kinds.setdefault("audio", []).append(
                f"{where}: {row_id}: audio {str(f.audio)!r} is not the manifest's file {str(e.audio)!r}"
            )
        if f.sha256 is not None and f.sha256 != e.sha256:
            kinds.setdefault("sha256", []).append(f"{where}: {row_id}: audio bytes differ from the manifest's sha256")
    if elsewhere:
        problems.append(
            f"{where}: {elsewhere} audio path(s) point outside this corpus folder (moved or copied after export?); "
            "export again"
        )
    for found_problems in kinds.values():
        problems += cap(found_problems)
    return problems


def cap(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS_PER_KIND:
        return problems
    return problems[:MAX_PROBLEMS_PER_KIND] + [f"... and {len(problems) - MAX_PROBLEMS_PER_KIND} more like these"]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
