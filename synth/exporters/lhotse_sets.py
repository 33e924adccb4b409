"""Lhotse manifests: exports/lhotse/speechforge_{recordings,supervisions}_{split}.jsonl.gz, the
names lhotse.recipes.utils.read_manifests_if_cached(prefix="speechforge") looks for.

One Recording (the file) and one SupervisionSegment (the whole utterance: transcript, speaker,
gender, language, word alignment under alignment["word"], the rest of the labels in `custom`) per
row, joined by the row id. Written as plain dicts in lhotse's own serialized form, so exporting
does not need lhotse (and torch) installed; the tests load them with lhotse itself.

Recording paths are relative to the corpus folder by default (the export survives moving the
corpus); load with `RecordingSet.from_file(...).with_path_prefix("<corpus>")`, or write absolute
paths with `absolute_paths: true`. gzip headers carry no time stamp: same corpus, same bytes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import soundfile as sf

from synth.exporters.agreement import Expected, Found, compare, split_counts
from synth.exporters.common import SPLITS, audio_path, export_rows, labels
from synth.manifest import Utterance, read_jsonl

NAME = "lhotse"
OPTIONS = {"absolute_paths": False}
PREFIX = "speechforge"


def file_name(kind: str, split: str) -> str:
    return f"{PREFIX}_{kind}_{split}.jsonl.gz"


def recording(row: Utterance, source: Path, shown: str) -> dict:
    info = sf.info(str(source))  # exact sample count: the manifest's duration is rounded
    return {
        "id": row.id,
        "sources": [{"type": "file", "channels": [0], "source": shown}],
        "sampling_rate": info.samplerate,
        "num_samples": info.frames,
        "duration": info.frames / info.samplerate,
        "channel_ids": [0],
    }


def supervision(row: Utterance, duration: float) -> dict:
    custom = labels(row)
    for key in ("id", "transcript", "duration", "language", "speaker_id", "gender"):
        custom.pop(key)
    custom = {k: v for k, v in custom.items() if v is not None}
    # lhotse's loader turns dict values of `custom` that look like its own manifests into objects
    # (a dict with "width" becomes an Image): free-form prompt fields travel as a JSON string.
    custom.update(
        augment=[s.to_dict() for s in row.augment],
        prosody=row.prosody.to_dict(),
        prompt=json.dumps(row.prompt.to_dict(), sort_keys=True),
    )
    segment = {
        "id": row.id,
        "recording_id": row.id,
        "start": 0.0,
        "duration": duration,
        "channel": 0,
        "text": row.transcript,
        "language": row.language,
        "speaker": row.speaker.id,
        "gender": row.speaker.gender,
        "custom": custom,
    }
    if row.words:
        segment["alignment"] = {"word": [[w.word, w.start, round(w.end - w.start, 4)] for w in row.words]}
    return segment


def _open(path: Path):
    raw = open(path, "wb")
    return raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)


def write(root: Path, out: Path, options: dict) -> None:
    """Write the gzipped Recording and Supervision manifests per split into `out` (an empty folder
    that then replaces exports/lhotse).

    :param root: the corpus folder
    :param out: the folder to fill
    :param options: OPTIONS, checked, with the request's values
    """
    handles = {}
    corpus = root.resolve()
    try:
        for row in export_rows(root):
            split = row.split
            if split not in handles:
                handles[split] = {kind: _open(out / file_name(kind, split)) for kind in ("recordings", "supervisions")}
            source = audio_path(root, row)
            rec = recording(row, source, str(source) if options["absolute_paths"] else str(source.relative_to(corpus)))
            sup = supervision(row, rec["duration"])
            for kind, item in (("recordings", rec), ("supervisions", sup)):
                handles[split][kind][1].write((json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8"))
    finally:
        for pair in handles.values():
            for raw, zipped in pair.values():
                zipped.close()
                raw.close()


def _read(path: Path) -> list[dict]:
    return list(read_jsonl(path, strict=True))  # lhotse's own items, gzipped; a torn one is damage


def check(root: Path, out: Path, expected: dict[str, Expected]) -> list[str]:
    """What in the export `out` disagrees with the manifest (`verify` asks); [] when it agrees.

    :param root: the corpus folder
    :param out: this format's export folder
    :param expected: manifest row id -> what the export must say of it (None: a row too broken to
        compare; verify reports it itself)
    """
    problems, counts = [], split_counts(expected)
    for split in SPLITS:
        paths = {kind: out / file_name(kind, split) for kind in ("recordings", "supervisions")}
        if not all(p.is_file() for p in paths.values()):
            if counts.get(split) or any(p.is_file() for p in paths.values()):
                problems.append(
                    f"lhotse: {split} needs both {file_name('recordings', split)} and "
                    f"{file_name('supervisions', split)}"
                )
            continue
        recordings = {r["id"]: r for r in _read(paths["recordings"])}
        found = {}
        for sup in _read(paths["supervisions"]):
            rec = recordings.get(sup["recording_id"])
            source = (root / rec["sources"][0]["source"]).resolve() if rec else None
            found[sup["id"]] = Found(sup["duration"], sup["text"], source)
            if rec is None:
                problems.append(
                    f"lhotse/{split}: supervision {sup['id']} points at a missing recording {sup['recording_id']}"
                )
        problems += compare(f"lhotse/{split}", found, expected, split, root)
    return problems
