"""summary.json: what the corpus holds, computed from its label files (so a resumed run counts all)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from synth.corpus import CONFIG, MANIFEST, REJECTS
from synth.manifest import read_jsonl, read_manifest


def _versions(root: Path, builds: Counter) -> dict:
    """The versions config.yaml records, and the builds (id -> versions) the manifest's rows name."""
    try:
        config = yaml.safe_load((root / CONFIG).read_text()) or {}
    except OSError:
        return {}
    table = config.get("builds") or {}
    return {"versions": config.get("versions"), "builds": {b: table.get(b) for b in sorted(builds) if b in table}}


def summarize(root: Path, run_stats: dict) -> dict:
    """Streams the label files: memory does not grow with the corpus."""
    utterances, seconds = 0, 0.0
    rejects = Counter(r.get("stage") for r in read_jsonl(root / REJECTS))
    by = {key: Counter() for key in ("voice", "accent", "gender", "engine", "split", "device", "build")}
    for row in read_manifest(root / MANIFEST):
        utterances += 1
        seconds += row.duration
        by["voice"][row.speaker.id] += 1
        by["accent"][row.speaker.accent] += 1
        by["gender"][row.speaker.gender] += 1
        by["engine"][row.speaker.engine] += 1
        by["split"][row.split] += 1
        by["device"][row.device or "none"] += 1
        by["build"][row.build or "not recorded"] += 1
    return {
        "utterances": utterances,
        "hours": round(seconds / 3600, 4),
        "seconds": round(seconds, 3),
        "rejected": sum(rejects.values()),
        "rejected_by_stage": dict(sorted(rejects.items())),
        **{f"by_{key}": dict(sorted(counter.items())) for key, counter in by.items()},
        **_versions(root, by["build"]),
        "throughput": run_stats,  # this invocation only; the one part that differs between runs
    }
