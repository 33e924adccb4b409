"""The corpus folder: its config, its append-only label files, and resuming an interrupted run."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from synth import manifest, versions
from synth.manifest import Utterance
from synth.plan import is_final, rejection_key

MANIFEST, REJECTS, CONFIG, SUMMARY = "manifest.jsonl", "rejects.jsonl", "config.yaml", "summary.json"
IF_EXISTS = ("resume", "overwrite", "error")
IF_BUILD_DIFFERS = ("stop", "continue")
# Settings that change how a run is executed but not one byte of what it writes; and what
# config.yaml records beside the config (versions.py), compared on its own.
EXECUTION_ONLY = {
    "n_jobs",
    "executor",
    "progress",
    "output.dir",
    "output.if_exists",
    "output.if_build_differs",
    "engine.timeout_s",  # how long to wait, and how often to retry, before a render is a machine-caused rejection
    "engine.retries",
}
RECORDED = {"versions", "builds"}


class CorpusError(RuntimeError):
    """The output folder cannot be used as asked; the message says what to do instead."""


def content_config(config: dict) -> dict:
    content = {k: v for k, v in json.loads(json.dumps(config)).items() if k not in RECORDED}
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
    done: set = field(default_factory=set)  # plan.task_key of every task that needs no render
    resuming: bool = False  # label files were there: `resume` decides what of them is kept

    @classmethod
    def open(
        cls, root: str | os.PathLike, config: dict, if_exists: str = "resume", if_build_differs: str = "stop"
    ) -> Corpus:
        """Open (create, replace or resume) the corpus folder and write its config.yaml.

        Args:
            root: the corpus folder (output.dir, or a shard's folder under it).
            config: the resolved config; its `versions` (versions.collect) are compared with the
                stored ones on resume, and added to the `builds` the corpus holds.
            if_exists: resume | overwrite | error (output.if_exists).
            if_build_differs: stop | continue, when resuming on other versions (output.if_build_differs).
        """
        if if_exists not in IF_EXISTS:
            raise CorpusError(f"output.if_exists must be one of {', '.join(IF_EXISTS)}; got {if_exists!r}")
        if if_build_differs not in IF_BUILD_DIFFERS:
            raise CorpusError(
                f"output.if_build_differs must be one of {', '.join(IF_BUILD_DIFFERS)}; got {if_build_differs!r}"
            )
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise CorpusError(f"output.dir {str(root)!r} exists and is not a folder")
        corpus = cls(root)
        stored = root / CONFIG
        if stored.exists():
            if if_exists == "error":
                raise CorpusError(
                    f"output.dir {str(root)!r} already holds a corpus; choose another output.dir or set "
                    "output.if_exists=resume|overwrite"
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
                        + "\nUse the same config to resume it, pick a new output.dir, or add "
                        "output.if_exists=overwrite to replace it."
                    )
                config = _with_builds(config, old, if_build_differs, root)
                corpus.resuming = True
                for stale in (root / "audio").rglob(".*.tmp"):  # half-written files of a killed run
                    stale.unlink(missing_ok=True)
        elif root.exists() and any(_foreign(p) for p in root.iterdir()):
            raise CorpusError(
                f"output.dir {str(root)!r} is not empty and holds no corpus (no {CONFIG}); choose an empty or new "
                "folder"
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

    def refresh_done(self) -> None:
        """What is finished in the label files as they stand (rows are appended only after their audio,
        by this run, so they need no second check)."""
        self.done = {("item", i) for i in manifest.resumed_ids(self.root / MANIFEST)} | {
            rejection_key(r) for r in manifest.read_jsonl(self.root / REJECTS) if is_final(r)
        }

    def append(self, name: str, row: Utterance | dict) -> None:
        """One write per line with O_APPEND: a kill leaves at most one torn line, cut on resume."""
        manifest.append_line(self.root / name, row)

    def reorder(self, positions: dict[tuple, int]) -> None:
        """Put rows and rejections back in plan order (needed only when a resumed run rendered items
        that lie before finished ones). The sort is stable: a pair's clean row stays before its augmented one.

        Args:
            positions: plan.task_key -> position in the plan (run.plan_positions).
        """
        end = len(positions)
        rows = list(manifest.read_manifest(self.root / MANIFEST))
        rows.sort(key=lambda u: positions.get(("item", u.item_id), end))
        manifest.rewrite(self.root / MANIFEST, rows)
        rejects = list(manifest.read_jsonl(self.root / REJECTS))
        rejects.sort(key=lambda r: positions.get(rejection_key(r), end))
        manifest.rewrite(self.root / REJECTS, rejects)


def _with_builds(config: dict, old: dict, if_build_differs: str, root: Path) -> dict:
    """`config` with the builds of the stored corpus kept; stops when the versions differ, unless told to go on."""
    if "versions" not in config:
        return config
    changed = versions.differences(old.get("versions"), config["versions"])
    if changed and if_build_differs != "continue":
        raise CorpusError(
            f"output.dir {str(root)!r} was made with other versions of the engines or libraries "
            "that shape its bytes:\n  "
            + "\n  ".join(changed[:30])
            + "\nReinstall those versions to resume it byte for byte, pick a new output.dir, or add "
            "output.if_build_differs=continue (rows then say which build made them: their `build` field)."
        )
    return {**config, "builds": {**(old.get("builds") or {}), **(config.get("builds") or {})}}


def _foreign(path: Path) -> bool:
    """Not part of a corpus: a folder holding such a file is not taken over by a new run."""
    from synth.folder_lock import LOCK_NAME  # here: folder_lock imports this module

    return path.name not in ("logs", LOCK_NAME) and not path.name.startswith("shard-")
