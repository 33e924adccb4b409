"""WebDataset shards: exports/webdataset/<split>-NNNNNN.tar, `shard_size` samples each, a sample
being `<id>.<flac|wav>` (the audio bytes: streaming needs them in the tar) and `<id>.json` (the
manifest row). shards.json lists each split's shards and sample counts, e.g. for

    webdataset.WebDataset([f"{d}/{name}" for name in index["splits"]["train"]["shards"]])

Tar members have fixed owner, mode and time: the same corpus gives the same bytes. Ids hold no
dots, so WebDataset's key/extension split is unambiguous."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

from synth.exporters.agreement import Expected, Found, compare, split_counts
from synth.exporters.common import SPLITS, ExportError, audio_path, export_rows

NAME = "webdataset"
OPTIONS = {"shard_size": 1000}
INDEX = "shards.json"


class _SplitWriter:
    def __init__(self, out: Path, split: str, shard_size: int):
        self.out, self.split, self.shard_size = out, split, shard_size
        self.shards: list[str] = []
        self.samples = 0
        self.tar: tarfile.TarFile | None = None

    def add(self, key: str, members: list[tuple[str, bytes]]) -> None:
        if self.samples % self.shard_size == 0:
            self.close()
            name = f"{self.split}-{len(self.shards):06d}.tar"
            self.shards.append(name)
            self.tar = tarfile.open(self.out / name, "w", format=tarfile.GNU_FORMAT)
        for suffix, data in members:
            info = tarfile.TarInfo(f"{key}.{suffix}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            self.tar.addfile(info, io.BytesIO(data))
        self.samples += 1

    def close(self) -> None:
        if self.tar is not None:
            self.tar.close()
            self.tar = None


def validate(options: dict) -> None:
    """Refuse option values their type allows but the format does not (a shard of no samples)."""
    if options["shard_size"] < 1:
        raise ExportError(f"export option webdataset.shard_size must be >= 1; got {options['shard_size']}")


def write(root: Path, out: Path, options: dict) -> None:
    """Write the tar shards and shards.json into `out` (an empty folder that then replaces exports/webdataset).

    :param root: the corpus folder
    :param out: the folder to fill
    :param options: OPTIONS, checked, with the request's values
    """
    validate(options)
    shard_size = options["shard_size"]
    writers: dict[str, _SplitWriter] = {}
    try:
        for row in export_rows(root):
            split = row.split
            writer = writers.setdefault(split, _SplitWriter(out, split, shard_size))
            source = audio_path(root, row)
            label = json.dumps(row.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
            writer.add(row.id, [(source.suffix.lstrip(".").lower(), source.read_bytes()), ("json", label)])
    finally:
        for writer in writers.values():
            writer.close()
    index = {
        "shard_size": shard_size,
        "splits": {s: {"shards": w.shards, "samples": w.samples} for s, w in sorted(writers.items())},
    }
    (out / INDEX).write_text(json.dumps(index, indent=2) + "\n")


def _samples(path: Path):
    """(key, {extension: bytes}) per sample, in tar order."""
    current, members = None, {}
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.isfile():
                continue
            key, _, extension = member.name.partition(".")
            if key != current and current is not None:
                yield current, members
                members = {}
            current = key
            members[extension] = tar.extractfile(member).read()
    if current is not None:
        yield current, members


def check(root: Path, out: Path, expected: dict[str, Expected]) -> list[str]:
    """What in the export `out` disagrees with the manifest (`verify` asks); [] when it agrees.

    :param root: the corpus folder
    :param out: this format's export folder
    :param expected: manifest row id -> what the export must say of it (None: a row too broken to
        compare; verify reports it itself)
    """
    problems, counts = [], split_counts(expected)
    try:
        index = json.loads((out / INDEX).read_text())
    except (OSError, ValueError) as exc:
        return [f"webdataset/{INDEX} is missing or unreadable ({exc})"]
    listed = {s for s in index.get("splits", {})}
    for split in SPLITS:
        if split not in listed:
            if counts.get(split):
                problems.append(
                    f"webdataset: {INDEX} lists no {split} shards but the manifest has {counts[split]} {split} "
                    "utterance(s)"
                )
            continue
        entry, found = index["splits"][split], {}
        for name in entry["shards"]:
            if not (out / name).is_file():
                problems.append(f"webdataset/{name} is listed in {INDEX} but missing")
                continue
            for key, members in _samples(out / name):
                label = json.loads(members.get("json", b"{}"))
                audio = [data for ext, data in members.items() if ext != "json"]
                if len(audio) != 1 or label.get("id") != key:
                    problems.append(
                        f"webdataset/{name}: sample {key} must hold one audio file and a JSON label with its id"
                    )
                    continue
                found[key] = Found(
                    label.get("duration"), label.get("transcript"), None, hashlib.sha256(audio[0]).hexdigest()
                )
        if entry.get("samples") != len(found):
            problems.append(
                f"webdataset/{INDEX}: {split} says {entry.get('samples')} samples, the shards hold {len(found)}"
            )
        problems += compare(f"webdataset/{split}", found, expected, split, root)
    return problems
