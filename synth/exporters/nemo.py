"""NeMo ASR manifests: exports/nemo/{train,dev,test}.jsonl, one JSON object per utterance with
audio_filepath, duration and text (the transcript), plus the other labels as extra keys (NeMo's
datasets ignore keys they do not use).

audio_filepath is relative to the manifest's own folder by default: NeMo resolves a relative path
that does not exist from the working directory against the manifest's folder, so the export stays
valid when the corpus moves. `absolute_paths: true` writes absolute paths instead."""

from __future__ import annotations

import os
from pathlib import Path

from synth.exporters.agreement import Expected, Found, compare, split_counts
from synth.exporters.common import SPLITS, JsonlPerSplit, audio_path, export_rows, labels
from synth.manifest import Utterance, read_jsonl

NAME = "nemo"
OPTIONS = {"absolute_paths": False}


def manifest_entry(row: Utterance, path: str) -> dict:
    extra = labels(row)
    return {
        "audio_filepath": path,
        "duration": extra.pop("duration"),
        "text": extra.pop("transcript"),
        "lang": extra.pop("language"),  # the key NeMo's multilingual tokenizers read
        "speaker": extra.pop("speaker_id"),
        "text_as_written": extra.pop("text"),
        **extra,
        "augment": [s.to_dict() for s in row.augment],
        "words": None if row.words is None else [w.to_dict() for w in row.words],
    }


def write(root: Path, out: Path, options: dict) -> None:
    """Write one NeMo manifest per split into `out` (an empty folder that then replaces exports/nemo).

    :param root: the corpus folder
    :param out: the folder to fill
    :param options: OPTIONS, checked, with the request's values
    """
    final = root / "exports" / NAME
    with JsonlPerSplit(lambda split: out / f"{split}.jsonl") as manifests:
        for row in export_rows(root):
            source = audio_path(root, row)
            path = str(source) if options["absolute_paths"] else os.path.relpath(source, final)
            manifests.write(row.split, manifest_entry(row, path))


def check(root: Path, out: Path, expected: dict[str, Expected]) -> list[str]:
    """What in the export `out` disagrees with the manifest (`verify` asks); [] when it agrees.

    :param root: the corpus folder
    :param out: this format's export folder
    :param expected: manifest row id -> what the export must say of it (None: a row too broken to
        compare; verify reports it itself)
    """
    problems, counts = [], split_counts(expected)
    for split in SPLITS:
        manifest = out / f"{split}.jsonl"
        if not manifest.is_file():
            if counts.get(split):
                problems.append(
                    f"nemo/{split}.jsonl is missing but the manifest has {counts[split]} {split} utterance(s)"
                )
            continue
        found = {
            entry["id"]: Found(entry["duration"], entry["text"], (out / entry["audio_filepath"]).resolve())
            for entry in read_jsonl(manifest, strict=True)
        }
        problems += compare(f"nemo/{split}.jsonl", found, expected, split, root)
    return problems
