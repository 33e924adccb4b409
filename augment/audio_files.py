"""User audio folders (noise recordings, measured RIRs): find, validate at start-up, convert, cache.

Files are decoded once in the parent: a folder that is missing, empty or holds an unreadable file
is an AugmentConfigError before any worker starts. Stereo files are mixed down and other rates
resampled (soxr HQ) to the rate the chain needs; the converted copy is cached as float32 .npy so
workers memory-map it instead of decoding per item.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from augment.cache import atomic_save_npy
from augment.errors import AugmentConfigError

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aif", ".aiff", ".opus")


def find_audio(folder: str | Path, key: str) -> list[Path]:
    """Audio files under `folder` (recursively, sorted), or a clear error."""
    root = Path(folder).expanduser()
    if not root.exists():
        raise AugmentConfigError(f"{key}: folder {str(root)!r} does not exist")
    if root.is_file():
        files = [root] if root.suffix.lower() in AUDIO_SUFFIXES else []
    else:
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        raise AugmentConfigError(
            f"{key}: {str(root)!r} holds no audio files; expected any of {', '.join(AUDIO_SUFFIXES)}"
        )
    return files


def read_mono(path: Path, sample_rate: int, key: str) -> np.ndarray:
    """The whole file as float32 mono at `sample_rate`; AugmentConfigError if it cannot be decoded."""
    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:  # libsndfile raises several types for corrupt, truncated or foreign files
        raise AugmentConfigError(f"{key}: cannot read audio file {str(path)!r}: {exc}") from exc
    if audio.shape[0] == 0:
        raise AugmentConfigError(f"{key}: audio file {str(path)!r} is empty")
    mono = audio.mean(axis=1) if audio.shape[1] > 1 else audio[:, 0]
    if rate != sample_rate:
        mono = soxr.resample(mono, rate, sample_rate, quality="HQ")
    mono = np.ascontiguousarray(mono, dtype=np.float32)
    if not np.all(np.isfinite(mono)):
        raise AugmentConfigError(f"{key}: audio file {str(path)!r} contains NaN or Inf samples")
    return mono


def converted_copies(files: list[Path], sample_rate: int, cache_dir: Path, key: str) -> list[dict]:
    """Cache each file as mono float32 .npy at `sample_rate`; returns [{source, npy, seconds}]."""
    out_dir = cache_dir / "converted"
    entries = []
    for path in files:
        stat = path.stat()
        ident = json.dumps([str(path.resolve()), stat.st_size, stat.st_mtime_ns, sample_rate])
        npy = out_dir / f"{hashlib.sha256(ident.encode()).hexdigest()[:24]}.npy"
        if npy.exists():
            frames = int(np.load(npy, mmap_mode="r").shape[0])
        else:
            audio = read_mono(path, sample_rate, key)
            atomic_save_npy(npy, audio)
            frames = len(audio)
        entries.append({"source": str(path), "npy": str(npy), "seconds": frames / sample_rate})
    return entries
