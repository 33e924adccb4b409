"""The audit's figures per engine on finished corpora: word-boundary error, prosody slopes, file-SNR
error, true-vs-impostor separation, and which labels it finds false.

    python benchmarks/audit_figures.py CORPUS [CORPUS ...] [--sample N]

Make corpora that exercise the factors, e.g. (8 prompts, factors 0.8-1.2):
    python generate.py prompts.path=P.txt voices=mbrola_en 'voices.ids=[mb-us1,mb-us3]' \\
        'voices.prosody.pitch=[0.8,1.2]' 'voices.prosody.rate=[0.8,1.2]' output.dir=mbrola
    python generate.py prompts.path=P.txt voices=piper_en voices.per_prompt=1 'voices.prosody.rate=[0.8,1.2]' \\
        output.dir=piper
    python generate.py prompts.path=P.txt 'voices.prosody.pitch=[0.8,1.2]' 'voices.prosody.rate=[0.8,1.2]' \\
        augment=default augment.paired=true output.dir=espeak
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results, cpu_seconds  # noqa: E402
from synth.audit.command import audit_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--sample", type=int, default=0, help="work items per corpus (0: all)")
    args = parser.parse_args()
    lines = [
        "| corpus | engine | rows | label beats impostors | median margin | word start error median / p90 ms "
        "| median word offset ms | pitch slope | rate slope | file-SNR error median [range] dB | false labels found |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    started, cpu = time.time(), cpu_seconds()
    for corpus in args.corpora:
        report = audit_corpus(corpus, args.sample or None)
        kinds = Counter(f["label"].split(": ")[0] for r in report["failing_rows"] for f in r["failures"])
        found = ", ".join(f"{label} ×{n}" for label, n in sorted(kinds.items())) or "none"
        if report["group_failures"]:
            found += "; " + "; ".join(v.split(" (")[0] for v in report["group_failures"])
        for key, g in report["groups"].items():
            if not key.startswith("engine="):
                continue
            snr = g["snr_error_median_db"]
            snr_cell = (
                f"{snr:+.1f} [{g['snr_error_range_db'][0]:+.1f}, {g['snr_error_range_db'][1]:+.1f}]"
                if snr is not None
                else "–"
            )

            def cell(value, fmt="{:.2f}"):
                return fmt.format(value) if value is not None else "–"

            lines.append(
                f"| {corpus.name} | {key[7:]} | {g['rows']} | {cell(g['label_beats_impostors'])} "
                f"| {cell(g['impostor_margin_median'], '{:.1f}')} "
                f"| {cell(g['word_start_error_median_ms'], '{:.0f}')} / {cell(g['word_start_error_p90_ms'], '{:.0f}')} "
                f"| {cell(g['word_offset_median_ms'], '{:+.0f}')} | {cell(g['pitch_slope'])} | {cell(g['rate_slope'])} "
                f"| {snr_cell} | {found} |"
            )
    lines.append("")
    lines.append(f"wall {time.time() - started:.0f} s, CPU {cpu_seconds() - cpu:.0f} s for all corpora")
    print("\n".join(lines))
    append_results("Audit: labels re-measured per engine", " ".join(sys.argv), lines)


if __name__ == "__main__":
    main()
