"""The corpus folder: its config, its append-only label files, and resuming an interrupted run."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml

from synth.audio_io import sha256_file
from synth.plan import rejection_key

MANIFEST, REJECTS, CONFIG, SUMMARY = "manifest.jsonl", "rejects.jsonl", "config.yaml", "summary.json"
IF_EXISTS = ("resume", "overwrite", "error")
# Settings that change how a run is executed but not one byte of what it writes.
EXECUTION_ONLY = {"n_jobs", "executor", "progress", "output.dir", "output.if_exists"}


class CorpusError(RuntimeError):
    """The output folder cannot be used as asked; the message says what to do instead."""


def content_config(config: dict) -> dict:
    content = json.loads(json.dumps(config))
    for dotted in EXECUTION_ONLY:
        *parents, leaf = dotted.split(".")
        node = content
        for key in parents:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(leaf, None)
    return content


def config_differences(old, new, prefix="") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            out += config_differences(old.get(key, "<absent>"), new.get(key, "<absent>"), f"{prefix}{key}.")
        return out
    return [] if old == new else [f"{prefix.rstrip('.')}: {old!r} -> {new!r}"]


def _whole_lines(path: Path) -> Iterator[tuple[dict, int]]:
    """(row, bytes it occupies) for each whole line; stops at a torn or unparsable last line."""
    if not path.exists():
        return
    with open(path, "rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                return
            try:
                yield json.loads(line), len(line)
            except json.JSONDecodeError:
                return


def iter_jsonl_rows(path: Path) -> Iterator[dict]:
    """Whole rows of a JSONL file, one at a time."""
    return (row for row, _ in _whole_lines(path))


def read_jsonl_rows(path: Path) -> tuple[list[dict], int]:
    """Whole rows of a JSONL file and the byte length they occupy; a torn last line is not a row."""
    rows, good_bytes = [], 0
    for row, size in _whole_lines(path):
        rows.append(row)
        good_bytes += size
    return rows, good_bytes


def item_id(row: dict) -> str:
    """The work item a manifest row belongs to (paired rows share their item's id as `pair.stem`)."""
    return row["pair"]["stem"] if "pair" in row else row["id"]


@dataclass
class Corpus:
    root: Path
    done_ids: set[str] = field(default_factory=set)  # ids with a verified row or a rejection
    resumed_rows: int = 0
    dropped_rows: int = 0  # rows whose audio was missing or changed: they are rendered again

    @classmethod
    def open(cls, root: str | os.PathLike, config: dict, if_exists: str = "resume") -> "Corpus":
        if if_exists not in IF_EXISTS:
            raise CorpusError(f"output.if_exists must be one of {', '.join(IF_EXISTS)}; got {if_exists!r}")
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise CorpusError(f"output.dir {str(root)!r} exists and is not a folder")
        corpus = cls(root)
        stored = root / CONFIG
        if stored.exists():
            if if_exists == "error":
                raise CorpusError(f"output.dir {str(root)!r} already holds a corpus; choose another output.dir or set output.if_exists=resume|overwrite")
            if if_exists == "overwrite":
                corpus._clear()
            else:
                old = yaml.safe_load(stored.read_text()) or {}
                diff = config_differences(content_config(old), content_config(config))
                if diff:
                    raise CorpusError(
                        f"output.dir {str(root)!r} holds a corpus made with a different config:\n  "
                        + "\n  ".join(diff[:20])
                        + "\nUse the same config to resume it, pick a new output.dir, or add output.if_exists=overwrite to replace it."
                    )
                corpus._load_finished()
        elif root.exists() and any(p.name != "logs" and not p.name.startswith("shard-") for p in root.iterdir()):
            raise CorpusError(f"output.dir {str(root)!r} is not empty and holds no corpus (no {CONFIG}); choose an empty or new folder")
        try:
            root.mkdir(parents=True, exist_ok=True)
            (root / CONFIG).write_text(yaml.safe_dump(config, sort_keys=False))
            for name in (MANIFEST, REJECTS):  # present even while (or if) empty
                (root / name).touch()
        except OSError as exc:
            raise CorpusError(f"cannot write to output.dir {str(root)!r}: {exc.strerror}") from exc
        return corpus

    def _clear(self) -> None:
        for name in (MANIFEST, REJECTS, CONFIG, SUMMARY):
            (self.root / name).unlink(missing_ok=True)
        for folder in ("audio", "exports", "report"):
            shutil.rmtree(self.root / folder, ignore_errors=True)

    def _load_finished(self) -> None:
        """Keep rows whose audio is intact; cut torn lines; forget rows whose audio is not."""
        rows, good_bytes = read_jsonl_rows(self.root / MANIFEST)
        intact = [r for r in rows if self._audio_intact(r)]
        # A paired item (clean + augmented) is finished only when both of its rows are.
        roles: dict[str, set] = {}
        for r in intact:
            if "pair" in r:
                roles.setdefault(r["pair"]["stem"], set()).add(r["pair"]["role"])
        intact = [r for r in intact if "pair" not in r or len(roles[r["pair"]["stem"]]) == 2]
        self.dropped_rows = len(rows) - len(intact)
        if self.dropped_rows:
            self._rewrite(MANIFEST, intact)
        else:
            self._truncate(MANIFEST, good_bytes)
        rejects, good_bytes = read_jsonl_rows(self.root / REJECTS)
        self._truncate(REJECTS, good_bytes)
        for stale in (self.root / "audio").rglob(".*.tmp"):  # half-written files of a killed run
            stale.unlink(missing_ok=True)
        self.done_ids = {item_id(r) for r in intact} | {rejection_key(r) for r in rejects}
        self.resumed_rows = len(intact)

    def refresh_done_ids(self) -> None:
        """The ids finished in the label files as they stand (rows are appended only after their audio)."""
        self.done_ids = {item_id(r) for r in iter_jsonl_rows(self.root / MANIFEST)} | {
            rejection_key(r) for r in iter_jsonl_rows(self.root / REJECTS)
        }

    def _audio_intact(self, row: dict) -> bool:
        path = self.root / row["audio_filepath"]
        return path.is_file() and sha256_file(path) == row["sha256"]

    def _truncate(self, name: str, size: int) -> None:
        path = self.root / name
        if path.exists() and path.stat().st_size != size:
            with open(path, "r+b") as handle:
                handle.truncate(size)

    def _rewrite(self, name: str, rows: list[dict]) -> None:
        tmp = self.root / f".{name}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        os.replace(tmp, self.root / name)

    def append(self, name: str, row: dict) -> None:
        """One write per line with O_APPEND: a kill leaves at most one torn line, cut on resume."""
        line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.root / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def reorder(self, name: str, positions: dict[str, int]) -> None:
        """Put rows back in plan order (needed only when a resumed run re-rendered dropped rows).
        The sort is stable: a pair's clean row stays before its augmented one."""
        rows, _ = read_jsonl_rows(self.root / name)
        rows.sort(key=lambda r: positions.get(item_id(r), len(positions)))
        self._rewrite(name, rows)
