"""summary.json: what the corpus holds, computed from its label files (so a resumed run counts all)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from synth.corpus import MANIFEST, REJECTS, iter_jsonl_rows


def summarize(root: Path, run_stats: dict) -> dict:
    """Streams the label files: memory does not grow with the corpus."""
    utterances, seconds = 0, 0.0
    rejects = Counter(r.get("stage") for r in iter_jsonl_rows(root / REJECTS))
    by = {key: Counter() for key in ("voice", "accent", "gender", "engine", "split", "device")}
    for r in iter_jsonl_rows(root / MANIFEST):
        utterances += 1
        seconds += r["duration"]
        by["voice"][r["speaker"]["id"]] += 1
        by["accent"][r["speaker"]["accent"]] += 1
        by["gender"][r["speaker"]["gender"]] += 1
        by["engine"][r["speaker"]["engine"]] += 1
        by["split"][r["split"]] += 1
        by["device"][r.get("device") or "none"] += 1
    return {
        "utterances": utterances,
        "hours": round(seconds / 3600, 4),
        "seconds": round(seconds, 3),
        "rejected": sum(rejects.values()),
        "rejected_by_stage": dict(sorted(rejects.items())),
        **{f"by_{key}": dict(sorted(counter.items())) for key, counter in by.items()},
        "throughput": run_stats,  # this invocation only; the one part that differs between runs
    }
