"""The corpus folder: its config, its append-only label files, and resuming an interrupted run."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from synth import manifest
from synth.audio_io import sha256_file
from synth.manifest import ManifestError, Utterance
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


@dataclass
class Corpus:
    root: Path
    done_ids: set[str] = field(default_factory=set)  # ids with a verified row or a rejection
    resumed_rows: int = 0
    dropped_rows: int = 0  # rows whose audio was missing or changed: they are rendered again

    @classmethod
    def open(cls, root: str | os.PathLike, config: dict, if_exists: str = "resume") -> Corpus:
        if if_exists not in IF_EXISTS:
            raise CorpusError(f"output.if_exists must be one of {', '.join(IF_EXISTS)}; got {if_exists!r}")
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise CorpusError(f"output.dir {str(root)!r} exists and is not a folder")
        corpus = cls(root)
        stored = root / CONFIG
        if stored.exists():
            if if_exists == "error":
                raise CorpusError(
                    f"output.dir {str(root)!r} already holds a corpus; choose another output.dir or set output.if_exists=resume|overwrite"
                )
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
        elif root.exists() and any(_foreign(p) for p in root.iterdir()):
            raise CorpusError(
                f"output.dir {str(root)!r} is not empty and holds no corpus (no {CONFIG}); choose an empty or new folder"
            )
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
        """Keep rows whose audio is intact; cut torn lines; forget rows whose audio is not (or that
        are not rows at all): those items are rendered again."""
        found = manifest.scan(self.root / MANIFEST)
        intact = [u for u in map(_utterance, found.rows) if u is not None and self._audio_intact(u)]
        # A paired item (clean + augmented) is finished only when both of its rows are.
        roles: dict[str, set] = {}
        for u in intact:
            if u.pair is not None:
                roles.setdefault(u.pair.stem, set()).add(u.pair.role)
        intact = [u for u in intact if u.pair is None or len(roles[u.pair.stem]) == 2]
        self.dropped_rows = len(found.rows) - len(intact)
        if self.dropped_rows or not found.clean:
            manifest.rewrite(self.root / MANIFEST, intact)  # each row written back as it was read
        else:
            manifest.truncate(self.root / MANIFEST, found.whole_bytes)
        rejects = manifest.scan(self.root / REJECTS)
        if rejects.clean:
            manifest.truncate(self.root / REJECTS, rejects.whole_bytes)
        else:
            manifest.rewrite(self.root / REJECTS, rejects.rows)
        for stale in (self.root / "audio").rglob(".*.tmp"):  # half-written files of a killed run
            stale.unlink(missing_ok=True)
        self.done_ids = {u.item_id for u in intact} | {rejection_key(r) for r in rejects.rows}
        self.resumed_rows = len(intact)

    def refresh_done_ids(self) -> None:
        """The ids finished in the label files as they stand (rows are appended only after their audio)."""
        self.done_ids = manifest.resumed_ids(self.root / MANIFEST) | {
            rejection_key(r) for r in manifest.read_jsonl(self.root / REJECTS)
        }

    def _audio_intact(self, row: Utterance) -> bool:
        path = self.root / row.audio_filepath
        return path.is_file() and sha256_file(path) == row.sha256

    def append(self, name: str, row: Utterance | dict) -> None:
        """One write per line with O_APPEND: a kill leaves at most one torn line, cut on resume."""
        manifest.append_line(self.root / name, row)

    def reorder(self, name: str, positions: dict[str, int]) -> None:
        """Put rows back in plan order (needed only when a resumed run re-rendered dropped rows).
        The sort is stable: a pair's clean row stays before its augmented one."""
        rows = list(manifest.read_manifest(self.root / name))
        rows.sort(key=lambda u: positions.get(u.item_id, len(positions)))
        manifest.rewrite(self.root / name, rows)


def _foreign(path: Path) -> bool:
    """Not part of a corpus: a folder holding such a file is not taken over by a new run."""
    from synth.folder_lock import LOCK_NAME  # here: folder_lock imports this module

    return path.name not in ("logs", LOCK_NAME) and not path.name.startswith("shard-")


def _utterance(row: dict) -> Utterance | None:
    """The row as an Utterance, or None when it breaks the contract (its item is rendered again)."""
    try:
        return Utterance.from_dict(row)
    except ManifestError:
        return None
