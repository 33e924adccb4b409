"""`speechforge verify CORPUS_DIR`: is this corpus what its manifest says it is?

Every row: the manifest contract (synth.manifest.validate: required fields, none misspelt, a
well-formed id and split, word times that spell the transcript), a unique id, and a file that
exists inside the corpus, decodes, and has the row's sample rate, duration and sha256; an intact
row digest (row_sha256: the labels only the render knows, such as word times, cannot change
unnoticed). The labels the plan decides (text, transcript, speaker, seed, split, prompt, ...) are
recomputed from config.yaml and the prompt source and compared; every planned item must be in the
manifest or have a final rejection, and every row must be in the plan. Every
export under exports/: holds exactly the manifest's (QC-passed) rows per split, with the same
durations, transcripts and audio. summary.json: counts the manifest's rows."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import soundfile as sf

from synth.audio_io import sha256_file
from synth.corpus import MANIFEST, REJECTS, SUMMARY
from synth.exporters import EXPORTERS, exporter
from synth.exporters.agreement import Expected, cap
from synth.exporters.common import audio_path
from synth.manifest import ManifestError, Utterance, read_jsonl, read_lines, seal_intact, validate

DURATION_TOLERANCE_S = 1e-4  # the manifest rounds samples/rate to 4 decimals


def _audio_problems(root: Path, where: str, row: Utterance) -> list[str]:
    relative = Path(str(row.audio_filepath))
    if relative.is_absolute() or ".." in relative.parts:
        return [f"{where}: audio_filepath {str(relative)!r} must be relative, inside the corpus"]
    path = root / relative
    if not path.is_file():
        return [f"{where}: audio file {str(relative)!r} does not exist"]
    problems = []
    if sha256_file(path) != row.sha256:
        problems.append(f"{where}: {relative} sha256 differs from the manifest (file changed or truncated)")
    try:
        # read every frame: a truncated FLAC keeps its header's frame count, so sf.info would pass
        audio, rate = sf.read(str(path), dtype="int16", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, EOFError) as exc:
        return problems + [f"{where}: {relative} does not decode ({exc})"]
    if rate != row.sample_rate:
        problems.append(f"{where}: {relative} is {rate} Hz, the manifest says {row.sample_rate}")
    if audio.shape[1] != 1:
        problems.append(f"{where}: {relative} has {audio.shape[1]} channels, expected mono")
    duration = len(audio) / rate
    if abs(duration - float(row.duration)) > DURATION_TOLERANCE_S:
        problems.append(f"{where}: {relative} lasts {duration:.4f} s, the manifest says {row.duration}")
    return problems


def _check_rows(root: Path, raw_rows: dict) -> tuple[list[str], dict[str, Expected | None], int, float]:
    """Problems of the rows and their audio; what each export must hold (None: a row too broken
    to compare with, so exports are not blamed for it as well). `raw_rows` gets each id's first row."""
    problems, expected, first_line = [], {}, {}
    rows, seconds = 0, 0.0
    for line in read_lines(root / MANIFEST):
        where = f"{MANIFEST}:{line.number}"
        if line.error:
            problems.append(f"{where}: {line.error}")
            continue
        rows += 1
        raw = line.row
        row_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        if row_id is not None:
            where += f" ({row_id})"
            if row_id in first_line:
                problems.append(f"{where}: duplicate id, first on line {first_line[row_id]}")
            first_line.setdefault(row_id, line.number)
            raw_rows.setdefault(row_id, (line.number, raw))
        problems += [f"{where}: {p}" for p in validate(raw)]
        if seal_intact(raw) is False:
            problems.append(f"{where}: row edited after it was written (row_sha256 does not match the row)")
        try:
            row = Utterance.from_dict(raw, where)
        except ManifestError:  # validate has said why
            if row_id is not None:
                expected.setdefault(row_id, None)
            continue
        problems += _audio_problems(root, where, row)
        seconds += float(row.duration)
        if first_line[row_id] == line.number and row.delivered:
            expected[row_id] = Expected(
                row.split,
                float(row.duration),
                row.transcript,
                audio_path(root, row),
                row.sha256,
                row.speaker.id,
                row.speaker.gender,
            )
    return problems, expected, rows, seconds


def _check_summary(root: Path, rows: int) -> list[str]:
    path = root / SUMMARY
    if not path.is_file():
        return []
    try:
        counted = json.loads(path.read_text()).get("utterances")
    except ValueError:
        return [f"{SUMMARY} is not valid JSON"]
    return [] if counted == rows else [f"{SUMMARY} counts {counted} utterances, the manifest holds {rows}"]


def _check_exports(root: Path, expected: dict[str, Expected]) -> tuple[list[str], list[str]]:
    problems, checked = [], []
    exports = root / "exports"
    if not exports.is_dir():
        return problems, checked
    for folder in sorted(exports.iterdir()):
        if folder.name.startswith("."):  # staging of an export being written
            continue
        if folder.name not in EXPORTERS:
            problems.append(f"exports/{folder.name}: not a known export format ({', '.join(sorted(EXPORTERS))})")
            continue
        try:
            problems += cap(exporter(folder.name).check(root, folder, expected))
        except (OSError, ValueError, KeyError, TypeError) as exc:  # a damaged file, not a bug in the corpus
            problems.append(f"exports/{folder.name}: unreadable ({type(exc).__name__}: {exc})")
        checked.append(folder.name)
    return problems, checked


def verify_corpus(corpus_dir) -> list[str]:
    """Human-readable problems with the corpus at `corpus_dir`; [] when it is sound."""
    return _verify(Path(corpus_dir))[0]


def _verify(root: Path) -> tuple[list[str], dict]:
    if not (root / MANIFEST).is_file():
        return [f"{str(root)!r} holds no {MANIFEST}: not a corpus folder"], {}
    raw_rows: dict = {}
    problems, expected, rows, seconds = _check_rows(root, raw_rows)
    from synth.verify_plan import check_against_plan  # builds the plan: voices, prompt source

    problems += check_against_plan(root, raw_rows, list(read_jsonl(root / REJECTS)))
    problems += _check_summary(root, rows)
    export_problems, checked = _check_exports(root, expected)
    return problems + export_problems, {"rows": rows, "hours": seconds / 3600, "exports": checked}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="speechforge verify", description="Check a corpus against its manifest; exit 1 if anything is wrong."
    )
    parser.add_argument("corpus_dir", metavar="CORPUS_DIR")
    args = parser.parse_args(argv)
    problems, facts = _verify(Path(args.corpus_dir))
    if problems:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) found in {args.corpus_dir}", file=sys.stderr)
        return 1
    exports = ", ".join(facts["exports"]) or "none"
    print(
        f"OK: {args.corpus_dir}: {facts['rows']} utterances, {facts['hours']:.3f} h, audio and labels agree; exports "
        f"checked: {exports}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
