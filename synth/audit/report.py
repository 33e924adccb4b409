"""What the audit found, per engine, voice and device: the figures, the failing rows, the verdicts."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from synth.audit.prosody import slope
from synth.audit.rows import RowAudit
from synth.audit.tolerances import Tolerances


@dataclass
class Group:
    key: str  # "engine=piper", "voice=…", "device=…"
    rows: list[RowAudit] = field(default_factory=list)

    def figures(self) -> dict:
        """The group's measured figures (None where nothing was measured)."""
        rows = self.rows
        margins = [r.measures["impostor_margin"] for r in rows if "impostor_margin" in r.measures]
        starts = [abs(e) for r in rows for e in r.measures.get("start_errors", [])]
        offsets = [r.measures["word_offset"] for r in rows if "word_offset" in r.measures]
        wers = [r.measures["wer"] for r in rows if "wer" in r.measures]
        snr = [r.measures["snr_measured"] - r.measures["snr_label"] for r in rows if "snr_measured" in r.measures]
        rt60 = [r.measures["rt60_measured"] for r in rows if "rt60_measured" in r.measures]
        out = {
            "rows": len(rows),
            "failed": sum(1 for r in rows if r.failures),
            "label_beats_impostors": _share([m > 0 for m in margins]),
            "impostor_margin_median": _median(margins),
            "word_start_error_median_ms": _ms(_median(starts)),
            "word_start_error_p90_ms": _ms(_percentile(starts, 90)),
            "word_offset_median_ms": _ms(_median(offsets)),
            "wer": round(float(np.mean(wers)), 3) if wers else None,
            "snr_error_median_db": _median(snr),
            "snr_error_range_db": [round(float(min(snr)), 2), round(float(max(snr)), 2)] if snr else None,
            "rt60_measured_median_s": _median(rt60),
        }
        for factor in ("pitch", "rate", "volume"):
            labels = [r.measures[f"{factor}_label"] for r in rows if f"{factor}_realized" in r.measures]
            realized = [r.measures[f"{factor}_realized"] for r in rows if f"{factor}_realized" in r.measures]
            found = slope(labels, realized) if labels else None
            out[f"{factor}_slope"] = round(found, 3) if found is not None else None
            out[f"{factor}_spread"] = round(float(np.ptp(np.log(labels))), 3) if labels else None
        return out

    def verdicts(self, tol: Tolerances) -> list[str]:
        """Claims false for the group as a whole: a factor applied at the wrong strength, SNR labels
        that run high."""
        figures, found = self.figures(), []
        for factor in ("pitch", "rate", "volume"):
            value, spread = figures[f"{factor}_slope"], figures[f"{factor}_spread"]
            measured = sum(1 for r in self.rows if f"{factor}_realized" in r.measures)
            if value is None or spread is None or spread < tol.min_spread or measured < tol.min_rows:
                continue
            if abs(value - 1) > tol.slope:
                found.append(
                    f"{self.key}: prosody.{factor} realizes with slope {value:.2f} in log-log against its label "
                    f"(1.0 if true; tolerance {tol.slope:g}; {measured} rows)"
                )
        bias, measured = figures["snr_error_median_db"], sum(1 for r in self.rows if "snr_measured" in r.measures)
        if bias is not None and measured >= tol.min_rows and -bias > tol.snr_group_bias_db:
            found.append(
                f"{self.key}: file-SNR labels lie a median {-bias:.1f} dB above the delivered files' SNR "
                f"(tolerance {tol.snr_group_bias_db:g} dB; {measured} rows)"
            )
        return found


def _median(values: list[float]) -> float | None:
    return round(float(np.median(values)), 4) if values else None


def _percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 4) if values else None


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def _ms(seconds: float | None) -> float | None:
    return round(seconds * 1000, 1) if seconds is not None else None


def groups(audits: list[RowAudit]) -> dict[str, Group]:
    """Rows grouped by engine, by voice and by device (a row is in one group of each kind)."""
    found: dict[str, Group] = defaultdict(lambda: Group(""))
    for audit in audits:
        for key in (f"engine={audit.engine}", f"voice={audit.voice}", f"device={audit.device}"):
            found[key].key = key
            found[key].rows.append(audit)
    return dict(sorted(found.items()))


def build(audits: list[RowAudit], tol: Tolerances, corpus: str, sampled: int, total: int) -> dict:
    """The whole report as JSON-ready data; `passed` is false when any label is false."""
    by_group = groups(audits)
    group_failures = [v for key, g in by_group.items() if key.startswith("engine=") for v in g.verdicts(tol)]
    failing = [
        {
            "id": a.id,
            "voice": a.voice,
            "device": a.device,
            "failures": [{"label": label, "reason": reason} for label, reason in a.failures],
        }
        for a in audits
        if a.failures
    ]
    unmeasured = defaultdict(int)
    for a in audits:
        for label, why in a.unmeasured:
            unmeasured[f"{label}: {why}"] += 1
    return {
        "corpus": corpus,
        "rows_audited": sampled,
        "rows_in_corpus": total,
        "tolerances": dataclasses.asdict(tol),
        "groups": {k: g.figures() for k, g in by_group.items()},
        "group_failures": group_failures,
        "failing_rows": failing,
        "not_measured": dict(sorted(unmeasured.items())),
        "passed": not failing and not group_failures,
    }


COLUMNS = (
    ("rows", "rows", "{:d}"),
    ("failed", "fail", "{:d}"),
    ("label_beats_impostors", "beats", "{:.2f}"),
    ("impostor_margin_median", "margin", "{:.1f}"),
    ("word_start_error_median_ms", "w.med", "{:.0f}"),
    ("word_start_error_p90_ms", "w.p90", "{:.0f}"),
    ("word_offset_median_ms", "w.off", "{:+.0f}"),
    ("wer", "WER", "{:.2f}"),
    ("pitch_slope", "pitch", "{:.2f}"),
    ("rate_slope", "rate", "{:.2f}"),
    ("snr_error_median_db", "snr.err", "{:+.1f}"),
    ("rt60_measured_median_s", "rt60", "{:.2f}"),
)


def text(report: dict) -> str:
    """The report as a person reads it: one table, the failures, what was not measurable."""
    lines = [
        f"{report['corpus']}: {report['rows_audited']} of {report['rows_in_corpus']} rows audited",
        "columns: beats = share of rows whose transcript out-scores every impostor; margin = median score per frame "
        "over the best impostor; w.med/w.p90 = |word start − aligner| ms; w.off = median signed offset ms; "
        "pitch/rate = log-log slope realized vs label (1 = true); snr.err = median (measured − label) dB",
        f"{'group':38s} " + " ".join(f"{h:>7s}" for _, h, _ in COLUMNS),
    ]
    for key, figures in report["groups"].items():
        cells = []
        for name, _, fmt in COLUMNS:
            value = figures[name]
            cells.append(f"{fmt.format(value) if value is not None else '–':>7s}")
        lines.append(f"{key[:38]:38s} " + " ".join(cells))
    if report["group_failures"]:
        lines += ["", "false for a whole group:"] + [f"  {v}" for v in report["group_failures"]]
    if report["failing_rows"]:
        lines += ["", f"{len(report['failing_rows'])} rows with a false label:"]
        for row in report["failing_rows"]:
            for failure in row["failures"]:
                lines.append(f"  {row['id']}  {failure['label']}: {failure['reason']}")
    if report["not_measured"]:
        lines += ["", "not measured:"] + [f"  {n:5d} × {why}" for why, n in report["not_measured"].items()]
    lines += ["", "PASSED: every audited label holds within its tolerance" if report["passed"] else "FAILED"]
    return "\n".join(lines)
