"""Accuracy and speed of a written -> spoken normalizer on a file of test cases, per class.

The file is tab-separated: `class<TAB>written<TAB>spoken` with a header row naming those columns (the peer
set shared/peer/nemo_tn_en.tsv), or plain `written<TAB>spoken` lines (one class, "all"). Several acceptable
answers in `spoken` are separated by " || ". Fields are read as the peer scorer (shared/peer/score_tn.py) reads
them: CSV-quoted where they start with a quote. A case counts when the normalizer's transcript equals one of them
after the strict or the lenient folding (synth/normalize_score.py); a rejected prompt counts as a miss in both,
and is counted in its own column.

What is scored is synth.normalize_text.normalize_text, the library call: markup and phonetic notation pass
through verbatim, as NeMo's normalizer leaves them, and text with nothing to say reads as "" (the corpus
generator rejects such prompts instead). Letters are written in the `--letters` style: `joined` ("PM", the
references' convention, the default) or `spaced` ("p m", the corpus default); the lenient folding does not
tell them apart.

    python benchmarks/normalization.py CASES.tsv [--backend builtin|nemo] [--letters joined|spaced]
        [--misses N] [--hyps FILE] [--record]

--hyps writes one line per case (the transcript, or "REJECT <reason>"), the input of shared/peer/score_tn.py.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results  # noqa: E402
from synth.normalize import NormalizationError  # noqa: E402
from synth.normalize_score import lenient, strict  # noqa: E402


def read_cases(path: Path) -> list[tuple[str, str, list[str]]]:
    """(class, written, acceptable spoken forms) for each case of ``path``."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    if rows and rows[0][:3] == ["class", "written", "spoken"]:
        return [(r[0], r[1], r[2].split(" || ")) for r in rows[1:] if len(r) >= 3]
    return [("all", r[0], r[1].split(" || ")) for r in rows if len(r) >= 2]


def score(cases, normalize) -> tuple[dict, list, list[float]]:
    """Per class [n, strict, lenient, rejected], the misses, and seconds per case."""
    per = defaultdict(lambda: [0, 0, 0, 0])
    misses, times = [], []
    hyps = []
    for cls, written, refs in cases:
        c = per[cls]
        c[0] += 1
        start = time.perf_counter()
        try:
            hyp = normalize(written)
        except NormalizationError as exc:
            hyp = None
            reason = exc.reason
        times.append(time.perf_counter() - start)
        if hyp is None:
            c[3] += 1
            misses.append((cls, written, f"REJECT {reason}", refs[0]))
            hyps.append(f"REJECT {reason}")
            continue
        hyps.append(hyp)
        ok_strict = strict(hyp) in {strict(r) for r in refs}
        ok_lenient = lenient(hyp) in {lenient(r) for r in refs}
        c[1] += ok_strict
        c[2] += ok_lenient
        if not ok_lenient:
            misses.append((cls, written, hyp, refs[0]))
    return per, misses, times, hyps


def table(per: dict) -> list[str]:
    lines = ["| class | n | strict | lenient | rejected |", "|---|---|---|---|---|"]
    for k in sorted(per, key=lambda k: (-per[k][0], k)):
        n, s, le, r = per[k]
        lines.append(f"| {k} | {n} | {s / n:.1%} | {le / n:.1%} | {r} |")
    n, s, le, r = (sum(c[i] for c in per.values()) for i in range(4))
    lines.append(f"| **overall** | {n} | **{s / n:.1%}** | **{le / n:.1%}** | {r} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path)
    parser.add_argument("--backend", default="builtin", help="builtin (default) or nemo")
    parser.add_argument("--cache-dir", default=None, help="nemo: grammar and per-text cache folder")
    parser.add_argument("--letters", default="joined", choices=("joined", "spaced"), help="letter style scored")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses")
    parser.add_argument("--hyps", type=Path, help="write one hypothesis line per case here")
    parser.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()

    from synth.normalize_backends import make_normalizer
    from synth.normalize_text import normalize_text

    normalizer = make_normalizer(args.backend, cache_dir=args.cache_dir)
    cases = read_cases(args.cases)
    per, misses, times, hyps = score(cases, lambda text: normalize_text(text, normalizer, args.letters))
    lines = table(per)
    ms = sorted(t * 1000 for t in times)
    lines.append("")
    lines.append(
        f"letters: {args.letters}; time per case ({args.backend}): median {statistics.median(ms):.3f} ms, "
        f"90th percentile {ms[int(0.9 * (len(ms) - 1))]:.3f} ms, {len(ms)} cases"
    )
    print("\n".join(lines))
    for cls, written, hyp, ref in misses[: args.misses]:
        print(f"MISS [{cls}] {written!r}\n   got: {hyp}\n  want: {ref}")
    if args.hyps:
        args.hyps.write_text("\n".join(hyps) + "\n", encoding="utf-8")
    if args.record:
        append_results(
            f"Normalization accuracy ({args.backend}) on {args.cases.name}",
            f"benchmarks/normalization.py {args.cases} --backend {args.backend} --letters {args.letters}",
            lines,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
