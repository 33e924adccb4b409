"""Score a finished review: observed label-error rate, exact upper bound, overall and per stratum."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from synth.review.sample import population, read_manifest, stratum
from synth.review.stats import clopper_pearson_interval, upper_bound

VERDICTS_FORMAT = "speechforge-review-verdicts/1"


def read_verdicts(path: Path) -> dict:
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read verdicts: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != VERDICTS_FORMAT:
        raise ValueError(
            f"{path}: not a verdicts file (expected format {VERDICTS_FORMAT!r}, as saved by the review page)"
        )
    return doc


def _group(errors: int, n: int, confidence: float, method: str, size: int) -> dict:
    if n == 0:
        return {"reviewed": 0, "wrong": 0, "error_rate": None, "upper_bound": None, "interval": None}
    return {
        "reviewed": n,
        "wrong": errors,
        "error_rate": errors / n,
        "upper_bound": upper_bound(errors, n, confidence, method, size),
        "interval": clopper_pearson_interval(errors, n, confidence),
    }


def score(root: Path, verdicts_path: Path, max_error: float, confidence: float, method: str | None = None) -> dict:
    doc = read_verdicts(verdicts_path)
    meta = doc["sample"]
    method = method or meta.get("method", "binomial")
    verdicts = doc.get("verdicts") or {}
    rows = {r["id"]: r for r in read_manifest(root)}
    pool = population(list(rows.values()), meta.get("include_failed", False))
    sizes = defaultdict(int)
    for r in pool:
        sizes[stratum(r)] += 1
    gone = [item["id"] for item in meta["items"] if item["id"] not in rows]
    if meta["items"] and len(gone) == len(meta["items"]):
        raise ValueError(
            f"{verdicts_path}: none of the {len(gone)} clips of sample {meta.get('id')} is in {root}: "
            "these verdicts belong to another corpus; score them against the corpus the sample was drawn from"
        )
    problems = [f"{len(gone)} sampled clips are not in the corpus any more ({_first(gone)})"] if gone else []
    unreviewed = []
    tally = defaultdict(lambda: [0, 0])  # stratum -> [wrong, reviewed]
    extra = [0, 0]
    for item in meta["items"]:
        row = rows.get(item["id"])
        if row is None:
            continue
        if item.get("sha256") and row.get("sha256") != item["sha256"]:
            problems.append(f"{item['id']}: audio changed since the sample was drawn")
            continue
        counts = tally[stratum(row)] if item.get("counted", True) else extra  # every sampled stratum is listed
        verdict = (verdicts.get(item["id"]) or {}).get("verdict")
        if verdict not in ("ok", "wrong"):
            if item.get("counted", True):
                unreviewed.append(item["id"])
            continue
        counts[0] += verdict == "wrong"
        counts[1] += 1
    wrong = sum(t[0] for t in tally.values())
    reviewed = sum(t[1] for t in tally.values())
    overall = _group(wrong, reviewed, confidence, method, len(pool))
    strata = {k: {**_group(*tally[k], confidence, method, sizes[k]), "population": sizes[k]} for k in sorted(tally)}
    # A skipped clip may be skipped because it was hard: certify only a complete review.
    certified = not problems and not unreviewed and reviewed > 0 and overall["upper_bound"] <= max_error
    return {
        "corpus": str(root),
        "sample_id": meta.get("id"),
        "method": method,
        "max_error": max_error,
        "confidence": confidence,
        "population": len(pool),
        "overall": overall,
        "strata": strata,
        "unreviewed": unreviewed,
        "problems": problems,
        "flagged_extra": {"reviewed": extra[1], "wrong": extra[0]},
        "certified": certified,
    }


def _first(ids: list[str], n: int = 5) -> str:
    return ", ".join(ids[:n]) + (", ..." if len(ids) > n else "")


def _pct(x) -> str:
    return "   -  " if x is None else f"{100 * x:5.2f}%"


def format_report(report: dict) -> str:
    o = report["overall"]
    target = f"label error <= {100 * report['max_error']:g}% at {100 * report['confidence']:g}% confidence"
    bound = "exact Clopper-Pearson" if report["method"] == "binomial" else "exact hypergeometric (finite population)"
    # The verdict first: a target printed on its own first line reads as if it were met.
    if report["certified"]:
        verdict = f"CERTIFIED: {target}"
    else:
        why = [f"{len(report['unreviewed'])} clips not reviewed yet"] if report["unreviewed"] else []
        why += [f"{len(report['problems'])} problem(s) below"] if report["problems"] else []
        if o["upper_bound"] is not None and o["upper_bound"] > report["max_error"]:
            why.append(f"the upper bound {100 * o['upper_bound']:.3f}% is above {100 * report['max_error']:g}%")
        verdict = f"NOT certified: {target} ({'; '.join(why) or 'nothing reviewed'})"
    lines = [
        verdict,
        f"{report['corpus']} (sample {report['sample_id']}, {report['population']} utterances)",
        f"one-sided upper bound: {bound}",
        "",
    ]
    lines.append(f"{'group':52s} {'wrong':>5s} {'heard':>5s} {'rate':>7s} {'upper':>7s}")
    lines.append(f"{'overall':52s} {o['wrong']:5d} {o['reviewed']:5d} {_pct(o['error_rate'])} {_pct(o['upper_bound'])}")
    for key, g in report["strata"].items():
        lines.append(f"  {key:50s} {g['wrong']:5d} {g['reviewed']:5d} {_pct(g['error_rate'])} {_pct(g['upper_bound'])}")
    if report["flagged_extra"]["reviewed"]:
        e = report["flagged_extra"]
        lines.append(f"flagged items heard besides the sample (not counted): {e['wrong']} wrong of {e['reviewed']}")
    if report["unreviewed"]:
        lines.append(f"not reviewed yet: {len(report['unreviewed'])} ({_first(report['unreviewed'])})")
    lines += [f"problem: {p}" for p in report["problems"]]
    return "\n".join(lines)
