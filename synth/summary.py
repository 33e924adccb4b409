"""summary.json: what the corpus holds, computed from its label files (so a resumed run counts all)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from synth.corpus import MANIFEST, REJECTS, read_jsonl_rows


def summarize(root: Path, run_stats: dict) -> dict:
    rows, _ = read_jsonl_rows(root / MANIFEST)
    rejects, _ = read_jsonl_rows(root / REJECTS)
    seconds = sum(r["duration"] for r in rows)
    by = {key: Counter() for key in ("voice", "accent", "gender", "engine", "split", "device")}
    for r in rows:
        by["voice"][r["speaker"]["id"]] += 1
        by["accent"][r["speaker"]["accent"]] += 1
        by["gender"][r["speaker"]["gender"]] += 1
        by["engine"][r["speaker"]["engine"]] += 1
        by["split"][r["split"]] += 1
        by["device"][r.get("device") or "none"] += 1
    return {
        "utterances": len(rows),
        "hours": round(seconds / 3600, 4),
        "seconds": round(seconds, 3),
        "rejected": len(rejects),
        "rejected_by_stage": dict(sorted(Counter(r.get("stage") for r in rejects).items())),
        **{f"by_{key}": dict(sorted(counter.items())) for key, counter in by.items()},
        "throughput": run_stats,  # this invocation only; the one part that differs between runs
    }
