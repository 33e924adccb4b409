"""verify's second opinion on the labels: recompute what the plan decides and compare.

The plan is rebuilt from the corpus's config.yaml and its prompt source (the file must still be
where the config says); nothing is rendered. Label fields only the render knows (duration, word
times, QC figures, realized prosody and augmentation values) are covered by each row's digest.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from omegaconf import OmegaConf

from synth.corpus import CONFIG, MANIFEST, RECORDED, REJECTS
from synth.plan import WorkItem, is_final, rejection_key, task_key
from synth.resume import RowShape, label_differences, planned_rows

MAX_REPORTED = 50  # per kind: a wholesale mismatch (another seed) is said in a few lines, not thousands


def row_shape(config: dict) -> RowShape:
    """What the config says about every row: audio format, sample rate, clean/augmented pairs."""
    augment = config.get("augment") or {}
    output = config.get("output") or {}
    return RowShape(
        str(output.get("audio_format", "flac")),
        int(output.get("sample_rate", 16000)),
        bool(augment.get("steps")) and bool(augment.get("paired", False)),
    )


def check_against_plan(root: Path, rows: dict[str, tuple[int, dict]], rejects: list[dict]) -> list[str]:
    """Problems found comparing the manifest's rows (id -> (line, row)) and rejects with the plan.

    Args:
        root: the corpus folder (its config.yaml names the prompt source and every setting).
        rows: the first row of each id in the manifest, with its line number.
        rejects: the rows of rejects.jsonl.
    """
    from synth.run_parts import ConfigError, build_planning

    path = root / CONFIG
    if not path.is_file():
        return [f"{CONFIG} is missing: the labels cannot be recomputed"]
    try:
        config = {k: v for k, v in (yaml.safe_load(path.read_text()) or {}).items() if k not in RECORDED}
        planning = build_planning(OmegaConf.create(config))
        plan = planning.plan_factory()
        shape = row_shape(config)
        problems, unplanned = [], dict(rows)
        final = {rejection_key(r): r for r in rejects if is_final(r)}
        machine = {rejection_key(r): r for r in rejects if not is_final(r)}
        index, count = planning.shard
        counts = {"label": 0, "missing": 0}
        for task in plan:
            key = task_key(task)
            if not isinstance(task, WorkItem):
                if key not in final:
                    problems.append(
                        f"{REJECTS}: the plan rejects prompt {key[1]!r} ({task.reason}) but no line says so"
                    )
                continue
            if task.index % count != index:
                continue
            planned = planned_rows(task, shape)
            found = [unplanned.pop(p["id"], None) for p in planned]
            if all(f is None for f in found):
                if key in final:
                    continue
                counts["missing"] += 1
                if counts["missing"] <= MAX_REPORTED:
                    if key in machine:
                        reason = machine[key]["reason"][:80]
                        why = f"rejected for a machine reason ({reason}): run the same command to render it"
                    else:
                        why = "neither in the manifest nor in rejects.jsonl"
                    problems.append(f"item {task.id}: {why}")
                continue
            for want, got in zip(planned, found):
                if got is None:
                    problems.append(f"item {task.id}: row {want['id']} of the pair is missing")
                    continue
                line, row = got
                for difference in label_differences(row, want):
                    counts["label"] += 1
                    if counts["label"] <= MAX_REPORTED:
                        problems.append(f"{MANIFEST}:{line} ({want['id']}): {difference}")
        for row_id, (line, _) in list(unplanned.items())[:MAX_REPORTED]:
            problems.append(f"{MANIFEST}:{line} ({row_id}): not in the plan of {CONFIG}")
        for kind, n in counts.items():
            if n > MAX_REPORTED:
                problems.append(f"... {n - MAX_REPORTED} more {kind} problems")
        return problems
    except (ConfigError, ValueError, OSError) as exc:
        return [f"labels not recomputed from {CONFIG} and the prompt source: {exc}"]
