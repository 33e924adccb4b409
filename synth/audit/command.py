"""speechforge audit CORPUS [--sample N]: re-measure a corpus's labels; exit 1 when one is false.

speechforge audit corpus --sample 200            # a seeded sample (pairs kept together)
speechforge audit corpus --sample 0 --json audit.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import yaml

from synth.audit import report
from synth.audit.alignment import ScoringAligner
from synth.audit.prosody import NeutralRenderer
from synth.audit.reverb import RirBanks
from synth.audit.rows import Listener, audit_row
from synth.audit.tolerances import Tolerances
from synth.letter_runs import spell_out
from synth.manifest import Utterance, read_manifest


def sample_rows(rows: list[Utterance], sample: int | None, seed: int) -> list[Utterance]:
    """`sample` work items drawn with `seed` (both rows of a clean/augmented pair go together)."""
    stems = sorted({r.item_id for r in rows})
    if sample is None or sample >= len(stems):
        return rows
    chosen = {stems[i] for i in np.random.default_rng(seed).choice(len(stems), sample, replace=False)}
    return [r for r in rows if r.item_id in chosen]


def audit_corpus(
    root: Path,
    sample: int | None = 200,
    seed: int = 0,
    recognize: bool = True,
    prosody: bool = True,
    tolerances: Tolerances | None = None,
) -> dict:
    """Audit the corpus in `root`; the report (report.build) with `passed` false when a label is false.

    :param sample: work items to audit (None: all)
    :param recognize: also run free recognition (pocketsphinx, general LM) for the WER column
    :param prosody: re-render each clean row's text at factor 1.0 to check prosody labels
    """
    from augment.cache import cache_root

    tolerances = tolerances or Tolerances()
    rows = list(read_manifest(root / "manifest.jsonl"))
    config_path = root / "config.yaml"
    config = (yaml.safe_load(config_path.read_text()) or {}) if config_path.is_file() else {}
    chosen = sample_rows(rows, sample, seed)
    recognizer = None
    if recognize:
        from synth.asr_check import AsrChecker

        recognizer = AsrChecker(max_wer=None)
    renderer = NeutralRenderer(config.get("engines") or {}) if prosody else None
    augment_cfg = config.get("augment") or {}
    listener = Listener(
        root=root,
        config=config,
        tolerances=tolerances,
        pool=sorted({spell_out(r.transcript) for r in rows}),
        clean_of={r.pair.stem: r for r in rows if r.pair is not None and not r.augment},
        aligner=ScoringAligner(),
        recognizer=recognizer,
        renderer=renderer,
        banks=RirBanks(cache_root(augment_cfg.get("cache_dir"))),
    )
    try:
        audits = [audit_row(row, listener) for row in chosen]
    finally:
        if renderer is not None:
            renderer.close()
    return report.build(audits, tolerances, str(root), len(chosen), len(rows))


def main(argv=None, prog: str = "speechforge audit") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sample", type=int, default=200, help="work items to audit (0: all); default 200")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    parser.add_argument("--no-wer", action="store_true", help="skip free recognition (the WER column)")
    parser.add_argument("--no-prosody", action="store_true", help="skip re-rendering for the prosody checks")
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    if not (args.corpus / "manifest.jsonl").is_file():
        print(f"{args.corpus}: no manifest.jsonl; is it a corpus folder?", file=sys.stderr)
        return 2
    if args.sample < 0:
        print(f"--sample must be 0 (all) or a positive count; got {args.sample}", file=sys.stderr)
        return 2
    found = audit_corpus(args.corpus, args.sample or None, args.seed, not args.no_wer, not args.no_prosody)
    print(report.text(found))
    if args.json:
        args.json.write_text(json.dumps(found, indent=1))
    return 0 if found["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
