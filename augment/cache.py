"""Where prepared banks live on disk, and how they are written so parallel runs never see half a file."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

# Bump when the way a bank is built changes, so old caches are not reused.
BANK_FORMAT = 1


def cache_root(configured: str | None) -> Path:
    if configured:
        return Path(configured).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "speechforge" / "augment"


def bank_key(kind: str, params: dict) -> str:
    """A stable key for a bank from every parameter that shapes its contents."""
    text = json.dumps({"kind": kind, "format": BANK_FORMAT, **params}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def atomic_save_npy(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        np.save(handle, array)
    os.replace(tmp, path)


def atomic_write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


def save_bank(folder: Path, arrays: list[np.ndarray], index: list[dict], params: dict) -> None:
    """One .npz of all clips plus index.json (written last: its presence marks a complete bank)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".bank.{os.getpid()}.tmp.npz"
    np.savez(tmp, *arrays)
    os.replace(tmp, folder / "bank.npz")
    atomic_write_json(folder / "index.json", {"params": params, "items": index})


def require_bank(folder: str | Path, what: str) -> tuple[list[np.ndarray], list[dict]]:
    """A bank that prepare() built; in a worker its absence is a bug or a deleted cache, said plainly."""
    loaded = load_bank(Path(folder))
    if loaded is None:
        raise FileNotFoundError(f"{what} bank {folder} is missing; it is built by augment.prepare()")
    return loaded


def load_bank(folder: Path) -> tuple[list[np.ndarray], list[dict]] | None:
    index_path = folder / "index.json"
    if not index_path.exists():
        return None
    index = json.loads(index_path.read_text())["items"]
    with np.load(folder / "bank.npz") as data:
        arrays = [data[f"arr_{i}"].astype(np.float32, copy=False) for i in range(len(index))]
    return arrays, index
