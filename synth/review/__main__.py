"""Command line: `sample` draws the sample and writes the page, `score` certifies (exit 0) or not (1)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from synth.review.stats import METHODS


def _target(parser: argparse.ArgumentParser, defaults: bool = True) -> None:
    parser.add_argument(
        "--max-error",
        type=float,
        default=0.02 if defaults else None,
        help="label-error rate to certify, e.g. 0.02" + (" (default 0.02)" if defaults else " (default: the sample's)"),
    )
    parser.add_argument(
        "--confidence",
        type=float,
        default=0.95 if defaults else None,
        help="confidence of the one-sided bound" + (" (default 0.95)" if defaults else " (default: the sample's)"),
    )


def build_parser(prog: str = "python -m synth.review") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sample = commands.add_parser("sample", help="draw a stratified sample and write the review page")
    sample.add_argument("corpus", type=Path)
    _target(sample)
    sample.add_argument(
        "--allowed-errors",
        type=int,
        default=0,
        help="size the sample to certify even with this many wrong clips found (default 0)",
    )
    sample.add_argument(
        "--method",
        choices=METHODS,
        default="binomial",
        help="binomial: Clopper-Pearson (default); hypergeometric: exact with finite-population correction",
    )
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--out", type=Path, help="review folder (default CORPUS/review)")
    sample.add_argument("--include-failed", action="store_true", help="also sample rows kept although they failed QC")
    sample.add_argument(
        "--with-flagged",
        type=int,
        default=0,
        metavar="N",
        help="append up to N rows flagged by the ASR check, heard but not counted",
    )
    score = commands.add_parser("score", help="score the verdicts; exit 0 when certified, 1 when not")
    score.add_argument("corpus", type=Path)
    score.add_argument("verdicts", type=Path)
    _target(score, defaults=False)
    score.add_argument("--method", choices=METHODS, help="default: the one the sample was sized with")
    score.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def run_sample(args) -> int:
    from synth.review.page import write_page
    from synth.review.sample import draw

    sample = draw(
        args.corpus,
        args.max_error,
        args.confidence,
        args.allowed_errors,
        args.method,
        args.seed,
        args.include_failed,
        args.with_flagged,
    )
    out = args.out or args.corpus / "review"
    page = write_page(sample, args.corpus, out)
    m = sample.meta
    share = m["n"] / m["population"]
    target = f"label error <= {100 * m['max_error']:g}% at {100 * m['confidence']:g}% confidence ({m['method']} bound)"
    if m["n"] < m["n_required"]:
        print(
            f"all {m['n']} utterances sampled: the {m['method']} bound needs {m['n_required']} to certify {target}; "
            f"a census can still certify with --method hypergeometric"
        )
    else:
        print(
            f"{m['n']} of {m['population']} utterances ({100 * share:.2f}%) in {len(m['strata'])} strata: hearing at "
            "most "
            f"{m['allowed_errors']} wrong certifies {target}"
        )
    if sample.extra:
        print(f"+ {len(sample.extra)} flagged clips, heard but not counted")
    print(f"open {page}")
    return 0


def run_score(args) -> int:
    from synth.review.score import format_report, read_verdicts, score

    meta = read_verdicts(args.verdicts)["sample"]
    max_error = args.max_error if args.max_error is not None else meta["max_error"]
    confidence = args.confidence if args.confidence is not None else meta["confidence"]
    report = score(args.corpus, args.verdicts, max_error, confidence, args.method)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0 if report["certified"] else 1


def main(argv=None, prog: str = "python -m synth.review") -> int:
    """Exit status: 0 done (score: certified), 1 score: not certified, 2 bad input."""
    args = build_parser(prog).parse_args(argv)
    try:
        return run_sample(args) if args.command == "sample" else run_score(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
