"""What every exporter shares: the manifest's rows (synth.manifest) as a stream, the rows that go into exports,
the labels they carry, and replacing an output folder in one step."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from synth.corpus import MANIFEST
from synth.manifest import SPLITS, Utterance, dumps, read_manifest

__all__ = [
    "SPLITS",
    "ExportError",
    "JsonlPerSplit",
    "audio_path",
    "check_options",
    "export_rows",
    "labels",
    "replace_dir",
]


class ExportError(ValueError):
    """An export cannot be written as asked; the message names the input at fault."""


def export_rows(root: Path) -> Iterator[Utterance]:
    """The rows that belong in exports: whole rows whose QC passed (failed rows stay, flagged, in
    the manifest only, so nobody trains on them by accident). A row that breaks the manifest
    contract stops the export (ManifestError naming its line and field): better no export than one
    that silently lacks a label."""
    for row in read_manifest(Path(root) / MANIFEST):
        if row.delivered:
            yield row


def audio_path(root: Path, row: Utterance) -> Path:
    return Path(root).resolve() / row.audio_filepath


def labels(row: Utterance) -> dict:
    """The labels every export carries, flat, in one fixed order (the manifest stays canonical)."""
    speaker, pair = row.speaker, row.pair
    return {
        "id": row.id,
        "transcript": row.transcript,
        "text": row.text,
        "duration": float(row.duration),
        "sample_rate": int(row.sample_rate),
        "language": row.language,
        "speaker_id": speaker.id,
        "engine": speaker.engine,
        "voice": speaker.voice,
        "accent": speaker.accent,
        "gender": speaker.gender,
        "locale": speaker.locale,
        "license": speaker.license,
        "split": row.split,
        "device": row.device_name,
        "pair_stem": pair.stem if pair else None,
        "pair_role": pair.role if pair else None,
        "prompt_id": row.prompt.id,
    }


def replace_dir(final: Path, build: Callable[[Path], None]) -> Path:
    """Build into a hidden sibling folder, then swap it in: readers see the old export or the new
    one, and a failed build leaves the old one untouched."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.tmp")
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        build(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def check_options(name: str, given: dict | None, defaults: dict) -> dict:
    given = dict(given or {})
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        valid = ", ".join(sorted(defaults)) or "none"
        raise ExportError(f"unknown option {unknown[0]!r} for export {name!r}; valid: {valid}")
    for key, value in given.items():
        wanted = type(defaults[key])  # bool is an int in Python: compare exact types
        if type(value) is not wanted:
            raise ExportError(f"export option {name}.{key} must be a {wanted.__name__}; got {value!r}")
    return {**defaults, **given}


class JsonlPerSplit:
    """One JSONL file per split, opened when the split's first row arrives, all closed on exit."""

    def __init__(self, path_of: Callable[[str], Path]):
        self.path_of, self.handles = path_of, {}

    def write(self, split: str, entry: dict) -> None:
        if split not in self.handles:
            path = self.path_of(split)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.handles[split] = open(path, "w", encoding="utf-8")
        self.handles[split].write(dumps(entry))

    def __enter__(self) -> JsonlPerSplit:
        return self

    def __exit__(self, *exc) -> None:
        for handle in self.handles.values():
            handle.close()
