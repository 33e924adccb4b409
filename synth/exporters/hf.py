"""Hugging Face `datasets` audiofolder: exports/hf/{train,validation,test}/ each holding
metadata.jsonl and one relative symlink per utterance to the corpus audio (no copies).

    datasets.load_dataset("audiofolder", data_dir="<corpus>/exports/hf")

audiofolder infers one schema per split from each metadata file's first rows and refuses splits
whose schemas differ, so every column has one fixed type: values that may be absent or nested
(device, augment steps, word times, prompt fields) are strings, "" or JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

from synth.exporters.agreement import Expected, Found, compare, split_counts
from synth.exporters.common import JsonlPerSplit, audio_path, export_rows, labels
from synth.manifest import Utterance, read_jsonl

NAME = "hf"
OPTIONS: dict = {}
SPLIT_DIRS = {"train": "train", "dev": "validation", "test": "test"}  # the names datasets expects
METADATA = "metadata.jsonl"


def metadata_row(row: Utterance, file_name: str) -> dict:
    flat = labels(row)
    flat.pop("split")  # the folder says it
    for key in ("device", "pair_stem", "pair_role", "prompt_id"):
        flat[key] = flat[key] or ""
    prosody = row.prosody
    words = None if row.words is None else [w.to_dict() for w in row.words]
    return {
        "file_name": file_name,
        **flat,
        "prosody_rate": float(prosody.rate),
        "prosody_pitch": float(prosody.pitch),
        "prosody_volume": float(prosody.volume),
        "seed": int(row.seed),
        "augment": json.dumps([s.to_dict() for s in row.augment], ensure_ascii=False, sort_keys=True),
        "words": json.dumps(words, ensure_ascii=False),
        "prompt": json.dumps(row.prompt.to_dict(), ensure_ascii=False, sort_keys=True),
    }


def link(target: Path, link_path: Path, final_dir: Path) -> None:
    """A relative symlink (it survives moving the whole corpus); a hard link where the file
    system has no symlinks. The link is computed for the final folder: staging is its sibling."""
    try:
        os.symlink(os.path.relpath(target, final_dir), link_path)
    except OSError:
        try:
            os.link(target, link_path)
        except OSError as exc:
            raise OSError(
                f"cannot link {link_path} to {target} (neither symlink nor hard link works here: {exc.strerror})"
            ) from exc


def write(root: Path, out: Path, options: dict) -> None:
    """Write metadata.jsonl per split and relative symlinks to the audio into `out` (an empty folder
    that then replaces exports/hf).

    :param root: the corpus folder
    :param out: the folder to fill
    :param options: OPTIONS, checked, with the request's values
    """
    final = root / "exports" / NAME
    with JsonlPerSplit(lambda split: out / split / METADATA) as metadata:
        for row in export_rows(root):
            split = SPLIT_DIRS[row.split]
            source = audio_path(root, row)
            file_name = f"{row.id}{source.suffix}"
            metadata.write(split, metadata_row(row, file_name))  # creates the split's folder with its first row
            link(source, out / split / file_name, final / split)


def check(root: Path, out: Path, expected: dict[str, Expected]) -> list[str]:
    """What in the export `out` disagrees with the manifest (`verify` asks); [] when it agrees.

    :param root: the corpus folder
    :param out: this format's export folder
    :param expected: manifest row id -> what the export must say of it (None: a row too broken to
        compare; verify reports it itself)
    """
    problems, counts = [], split_counts(expected)
    for split, folder in SPLIT_DIRS.items():
        metadata = out / folder / METADATA
        if not metadata.is_file():
            if counts.get(split):
                problems.append(f"hf/{folder}: no {METADATA} but the manifest has {counts[split]} {split} utterance(s)")
            continue
        found = {}
        for entry in read_jsonl(metadata, strict=True):  # the export's own columns (see labels), not a manifest row
            row_id, duration, transcript, file_name = (
                entry[column] for column in ("id", "duration", "transcript", "file_name")
            )
            found[row_id] = Found(duration, transcript, (out / folder / file_name).resolve())
        problems += compare(f"hf/{folder}", found, expected, split, root)
    return problems
