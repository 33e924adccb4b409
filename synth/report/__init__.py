"""`speechforge report CORPUS_DIR`: the dataset card (report/README.md) and its PNG plots,
written from the manifest into <corpus>/report/, replacing an earlier report in one step."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from synth.corpus import MANIFEST
from synth.exporters import EXPORTERS
from synth.exporters.common import replace_dir
from synth.report.card import read_config, render_card
from synth.report.plots import draw_all
from synth.report.stats import gather

CARD = "README.md"


def write_report(corpus_dir) -> Path:
    """Write <corpus>/report/README.md and its plots; return the card's path."""
    root = Path(corpus_dir)
    if not (root / MANIFEST).is_file():
        raise FileNotFoundError(f"{str(root)!r} holds no {MANIFEST}: is it a corpus folder?")
    stats = gather(root)
    exports = (
        sorted(p.name for p in (root / "exports").glob("*") if p.name in EXPORTERS)
        if (root / "exports").is_dir()
        else []
    )
    name = root.resolve().name

    speakers = []
    if len(stats.total.voices) > len(stats.base_voices):  # pseudo-speakers: measure that they are distinct
        from synth.manifest import read_manifest
        from synth.report.speakers import speakers_section

        rows = read_manifest(root / MANIFEST)
        speakers = speakers_section(root, rows, len(stats.base_voices), len(stats.total.voices))

    def build(folder: Path) -> None:
        plots = draw_all(stats, folder)
        card = render_card(stats, name, read_config(root), plots, exports, speakers)
        (folder / CARD).write_text(card, encoding="utf-8")

    return replace_dir(root / "report", build) / CARD


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="speechforge report", description="Write the dataset card and plots to CORPUS_DIR/report/."
    )
    parser.add_argument("corpus_dir", metavar="CORPUS_DIR")
    args = parser.parse_args(argv)
    try:
        card = write_report(args.corpus_dir)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(card)
    return 0
