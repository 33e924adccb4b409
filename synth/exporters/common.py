"""What every exporter shares: reading the manifest as a stream, the rows that go into exports,
the labels they carry, and replacing an output folder in one step."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Callable, Iterator

from synth.corpus import MANIFEST

SPLITS = ("train", "dev", "test")


class ExportError(ValueError):
    """An export cannot be written as asked; the message names the input at fault."""


def iter_manifest(root: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, row or None, error or None) for each line of manifest.jsonl, read lazily.
    A torn last line (a run still writing, or killed) is reported, never half-parsed."""
    with open(Path(root) / MANIFEST, "rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):
                yield number, None, "torn last line (no newline): is a run still writing?"
                return
            if not line.strip():
                yield number, None, "blank line"
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not JSON ({exc.msg})"
                continue
            if not isinstance(row, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, row, None


def export_rows(root: Path) -> Iterator[dict]:
    """The rows that belong in exports: whole rows whose QC passed (failed rows stay, flagged, in
    the manifest only, so nobody trains on them by accident)."""
    for _, row, _ in iter_manifest(root):
        if row is not None and (row.get("qc") or {}).get("passed", True) is not False:
            yield row


def audio_path(root: Path, row: dict) -> Path:
    return Path(root).resolve() / row["audio_filepath"]


def device_of(row: dict) -> str | None:
    """The device profile's name, or None for none."""
    device = row.get("device")
    if isinstance(device, dict):  # tolerate a richer device record: name it by its profile
        device = device.get("name") or device.get("profile")
    return str(device) if device else None


def labels(row: dict) -> dict:
    """The labels every export carries, flat, in one fixed order (the manifest stays canonical)."""
    speaker = row["speaker"]
    pair = row.get("pair") or {}
    return {
        "id": row["id"],
        "transcript": row["transcript"],
        "text": row["text"],
        "duration": float(row["duration"]),
        "sample_rate": int(row["sample_rate"]),
        "language": row["language"],
        "speaker_id": speaker["id"],
        "engine": speaker["engine"],
        "voice": speaker["voice"],
        "accent": speaker["accent"],
        "gender": speaker["gender"],
        "locale": speaker["locale"],
        "license": speaker["license"],
        "split": row["split"],
        "device": device_of(row),
        "pair_stem": pair.get("stem"),
        "pair_role": pair.get("role"),
        "prompt_id": (row.get("prompt") or {}).get("id"),
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
        self.handles[split].write(json.dumps(entry, ensure_ascii=False) + "\n")

    def __enter__(self) -> "JsonlPerSplit":
        return self

    def __exit__(self, *exc) -> None:
        for handle in self.handles.values():
            handle.close()
