"""Resuming a corpus: keep only what is checked to be what this run would write, in plan order.

A kept manifest row must (1) parse and keep the contract, (2) carry every label the plan decides
(id, audio path, sample rate, text, transcript, language, speaker, seed, split, prompt, pair) with
the value the plan gives its item now, (3) carry an intact row digest (manifest.seal: the labels only
the render knows, such as word times, QC figures and realized prosody, cannot be recomputed without
audio, so any edit of them shows as a digest mismatch), (4) come from the build this run uses (or
any, with output.if_build_differs=continue), and (5) point at audio with its sha256. An item is
finished when all of its rows (two for a clean/augmented pair) are kept, or when it has a final
rejection (cause "item"); machine-caused rejections are tried again. A second row for the same id,
rows the plan no longer has, and unreadable lines are removed. Prompt rejections and item ids live
in separate name spaces (plan.rejection_key).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from synth import manifest
from synth.audio_io import sha256_file
from synth.manifest import Pair, Prompt, Speaker, Utterance
from synth.plan import WorkItem, is_final, rejection_key, task_key


@dataclass(frozen=True)
class RowShape:
    """What the plan alone says about the rows of an item: enough to check them without audio."""

    audio_format: str
    sample_rate: int
    paired: bool  # augment.paired: a clean and an augmented row per item


def planned_rows(item: WorkItem, shape: RowShape) -> list[dict]:
    """The label fields the plan decides for each row of `item`, as the row would hold them."""
    speaker = Speaker.from_dict(item.voice.to_speaker()).to_dict()
    common = {
        "sample_rate": shape.sample_rate,
        "text": item.prompt.text,
        "transcript": item.spoken.transcript,
        "language": item.voice.language,
        "speaker": speaker,
        "seed": item.seed,
        "split": item.split,
        "prompt": Prompt.from_dict({"id": item.prompt.id, **item.prompt.fields}).to_dict(),
    }
    ids = [(item.id, None)]
    if shape.paired:
        ids = [(f"{item.id}-clean", "clean"), (f"{item.id}-aug", "augmented")]
    rows = []
    for row_id, role in ids:
        row = {"id": row_id, "audio_filepath": f"audio/{speaker['id']}/{row_id}.{shape.audio_format}", **common}
        row["pair"] = Pair(stem=item.id, role=role).to_dict() if role else None
        rows.append(row)
    return rows


def label_differences(row: dict, planned: dict) -> list[str]:
    """'field: stored != planned' for each plan-decided label that differs."""
    out = []
    for key, want in planned.items():
        have = row.get(key)
        if have != want:
            out.append(f"{key}: {_short(have)} != planned {_short(want)}")
    return out


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class Outcome:
    done: set = field(default_factory=set)  # task keys (plan.task_key) that need no render
    kept_rows: int = 0
    redo: Counter = field(default_factory=Counter)  # why items are rendered again -> how many
    removed: Counter = field(default_factory=Counter)  # lines removed that stood for no item to redo
    out_of_order: bool = False  # an item to render lies before a finished one: reorder at the end

    @property
    def redo_items(self) -> int:
        return sum(self.redo.values())

    def describe(self) -> str:
        parts = [f"{self.kept_rows} finished rows kept", f"{self.redo_items} items to redo"]
        if self.redo:
            parts[-1] += " (" + ", ".join(f"{n} {why}" for why, n in sorted(self.redo.items())) + ")"
        if self.removed:
            parts.append("removed: " + ", ".join(f"{n} {why}" for why, n in sorted(self.removed.items())))
        return "; ".join(parts)


def resume(
    root: Path,
    plan: Iterable,
    in_shard: Callable[[WorkItem], bool],
    shape: RowShape,
    builds: dict[str, str],
    any_build: bool,
    manifest_name: str = "manifest.jsonl",
    rejects_name: str = "rejects.jsonl",
) -> Outcome:
    """Check the label files of `root` against `plan`, rewrite them to what is kept, return what is done.

    Args:
        root: the corpus folder.
        plan: the run's plan (WorkItems and planning Rejections), streamed once.
        in_shard: whether an item belongs to this run's shard.
        shape: what the plan says about every row (format, rate, pairing).
        builds: engine -> the build id this run's rows carry (versions.build_ids).
        any_build: keep rows of another build (output.if_build_differs=continue).
    """
    outcome = Outcome()
    found = manifest.scan(root / manifest_name)
    outcome.removed.update({"unreadable manifest lines": len(found.unreadable)} if found.unreadable else {})
    by_id: dict[str, list[dict]] = {}
    for row in found.rows:
        by_id.setdefault(str(row.get("id")), []).append(row)
    rejects = manifest.scan(root / rejects_name)
    if rejects.unreadable:
        outcome.removed["unreadable rejects lines"] = len(rejects.unreadable)
    rejected: dict[tuple, dict] = {}
    for row in rejects.rows:
        rejected.setdefault(rejection_key(row), row)
    outcome.removed["duplicate rejects lines"] = len(rejects.rows) - len(rejected)

    kept_rows, kept_rejects, missing_since_done = [], [], 0
    for task in plan:
        key = task_key(task)
        if isinstance(task, WorkItem):
            if not in_shard(task):
                continue
            rows, why = _check_item(root, task, by_id, shape, builds, any_build, outcome)
            stored_rejection = rejected.pop(key, None)
            if rows is not None:
                kept_rows += rows
                done = True
            elif stored_rejection is not None and is_final(stored_rejection):
                kept_rejects.append(stored_rejection)
                done = True
            else:
                done = False
                if stored_rejection is not None:  # a crash, kill or timeout: tried again
                    why = "rejected for a machine reason (retried)"
                if why is not None:
                    outcome.redo[why] += 1
        else:  # a planning rejection: kept when it says what the plan says now
            stored_rejection, why = rejected.pop(key, None), None
            done = stored_rejection == task.to_row()
            if done:
                kept_rejects.append(stored_rejection)
            elif stored_rejection is not None:
                why = "prompt rejections that changed"
                outcome.redo[why] += 1
        if done:
            outcome.done.add(key)
            if missing_since_done:  # items that were not on file although later ones were: a lost line
                outcome.out_of_order = True
                outcome.redo["missing before finished items (a damaged or removed line)"] += missing_since_done
                missing_since_done = 0
        elif why is None:  # never on file (not yet rendered, or its line was lost)
            missing_since_done += 1
    _count_leftovers(by_id, rejected, outcome)
    outcome.kept_rows = len(kept_rows)
    outcome.removed = +outcome.removed  # drop zero counts
    if outcome.redo or outcome.removed or found.unreadable or len(kept_rows) != len(found.rows):
        outcome.out_of_order = outcome.out_of_order or bool(outcome.redo)
        manifest.rewrite(root / manifest_name, kept_rows)  # each kept row written back as it was read
    else:
        manifest.truncate(root / manifest_name, found.whole_bytes)
    if len(kept_rejects) != len(rejects.rows) or rejects.unreadable:
        manifest.rewrite(root / rejects_name, kept_rejects)
    else:
        manifest.truncate(root / rejects_name, rejects.whole_bytes)
    return outcome


def _check_item(root, item, by_id, shape, builds, any_build, outcome) -> tuple[list[dict] | None, str | None]:
    """(the item's rows, None) if all are kept; (None, why) if it had rows that failed; (None, None) if none."""
    planned = planned_rows(item, shape)
    kept, why, seen_any = [], None, False
    for want in planned:
        candidates = by_id.pop(want["id"], [])
        seen_any = seen_any or bool(candidates)
        good, problems = None, []
        for row in candidates:
            problem = _row_problem(root, row, want, builds, any_build)
            if problem is None and good is None:
                good = row
            elif problem is not None:
                problems.append(problem)
        if good is None:
            why = why or (problems[0] if problems else "a row of the pair missing")
        elif len(candidates) > 1:  # a line written twice (or an older copy): one is kept
            outcome.removed["duplicate rows"] += len(candidates) - 1
        kept.append(good)
    if why is None and all(r is not None for r in kept):
        return kept, None
    return None, (why if seen_any else None)


def _row_problem(root: Path, row: dict, want: dict, builds: dict[str, str], any_build: bool) -> str | None:
    """Why `row` cannot be kept for the planned row `want`, or None."""
    if manifest.validate(row):
        return "rows that break the manifest contract"
    if label_differences(row, want):
        return "rows whose labels differ from the plan"
    if manifest.seal_intact(row) is not True:
        return "rows edited after they were written (row_sha256)"
    engine = Utterance.from_dict(row).speaker.engine
    if row.get("build") != builds.get(engine) and not any_build:
        return "rows made by another build"
    path = root / str(row["audio_filepath"])
    if not path.is_file() or sha256_file(path) != row["sha256"]:
        return "rows whose audio is missing or changed"
    return None


def _count_leftovers(by_id, rejected, outcome: Outcome) -> None:
    stale = sum(len(rows) for rows in by_id.values())
    if stale:
        outcome.removed["rows the plan does not hold"] = stale
    machine = sum(1 for r in rejected.values() if not is_final(r))
    if len(rejected) - machine:
        outcome.removed["rejections the plan does not hold"] = len(rejected) - machine
