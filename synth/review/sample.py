"""Draw the review sample: stratified by accent, engine and device profile, proportional allocation.

Proportional allocation keeps the sample self-weighting (each utterance has the same chance n/N),
so the pooled count of wrong items is read with the same exact bound as a simple random sample;
stratifying only guarantees that every large group is heard, it never weakens that bound.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synth.corpus import MANIFEST
from synth.manifest import normalize_disputed, read_jsonl
from synth.review.stats import sample_size


def read_manifest(root: Path) -> list[dict]:
    """The manifest's rows as read (synth.manifest's one JSONL policy: a torn last line is no row).
    Plain dicts: sampling needs only id, sha256, speaker, device and qc, and must work on any row."""
    path = root / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{root}: no manifest.jsonl; is it a corpus folder?")
    return list(read_jsonl(path))


def population(rows: list[dict], include_failed: bool = False) -> list[dict]:
    """What the corpus delivers: rows kept although they failed QC are left out of exports."""
    return [r for r in rows if include_failed or (r.get("qc") or {}).get("passed", True) is not False]


def device_profile(row: dict) -> str:
    device = row.get("device")
    if isinstance(device, dict):  # tolerate a richer device record: name it by its profile
        device = device.get("profile") or device.get("name")
    return str(device) if device else "-"


def stratum(row: dict) -> str:
    speaker = row.get("speaker") or {}
    return f"accent={speaker.get('accent', '?')} engine={speaker.get('engine', '?')} device={device_profile(row)}"


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Split n across strata in proportion to their sizes (largest remainder; ties by name)."""
    total = sum(sizes.values())
    if n >= total:
        return dict(sizes)
    quotas = {k: n * size / total for k, size in sizes.items()}
    counts = {k: int(q) for k, q in quotas.items()}
    order = sorted(sizes, key=lambda k: (-(quotas[k] - counts[k]), k))
    for k in order[: n - sum(counts.values())]:
        counts[k] += 1
    return counts


@dataclass
class Sample:
    meta: dict  # target, method, sizes, seed, the corpus fingerprint
    rows: list[dict]  # the certification sample, in review order
    extra: list[dict] = field(default_factory=list)  # flagged by QC/ASR: heard, but not counted


def draw(
    root: Path,
    max_error: float,
    confidence: float,
    allowed_errors: int = 0,
    method: str = "binomial",
    seed: int = 0,
    include_failed: bool = False,
    with_flagged: int = 0,
) -> Sample:
    rows = read_manifest(root)
    pool = population(rows, include_failed)
    if not pool:
        raise ValueError(f"{root}: no utterances to review (every row failed QC?)")
    n = sample_size(max_error, confidence, allowed_errors, method, len(pool) if method == "hypergeometric" else None)
    by_stratum = defaultdict(list)
    for row in pool:
        by_stratum[stratum(row)].append(row)
    counts = allocate({k: len(v) for k, v in by_stratum.items()}, n)
    rng = np.random.default_rng(seed)
    chosen = []
    for key in sorted(by_stratum):  # a fixed order, so the same seed draws the same sample
        members = sorted(by_stratum[key], key=lambda r: r["id"])
        chosen += [members[i] for i in sorted(rng.choice(len(members), counts[key], replace=False))]
    # Listen in a shuffled order: strata back to back would tire the ear on one accent.
    chosen = [chosen[i] for i in rng.permutation(len(chosen))]
    # Rows whose text two normalizers read differently first: that is where a label is least certain.
    chosen.sort(key=lambda r: not normalize_disputed(r.get("normalize")))
    taken = {r["id"] for r in chosen}
    extra = [r for r in rows if r["id"] not in taken and ((r.get("qc") or {}).get("asr") or {}).get("flagged")][
        :with_flagged
    ]
    manifest_sha = hashlib.sha256((root / MANIFEST).read_bytes()).hexdigest()
    meta = {
        "format": "speechforge-review-sample/1",
        "corpus": str(root),
        "manifest_sha256": manifest_sha,
        "population": len(pool),
        "include_failed": include_failed,
        "max_error": max_error,
        "confidence": confidence,
        "allowed_errors": allowed_errors,
        "method": method,
        "seed": seed,
        "n": len(chosen),
        "n_required": n,
        "strata": {k: {"population": len(by_stratum[k]), "sample": counts[k]} for k in sorted(by_stratum)},
    }
    meta["id"] = hashlib.sha256(json.dumps([meta, sorted(taken)], sort_keys=True).encode()).hexdigest()[:12]
    return Sample(meta, chosen, extra)
