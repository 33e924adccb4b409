"""Resample, encode and write audio files atomically; the one place that knows the file formats."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

AUDIO_FORMATS = {"flac": "FLAC", "wav": "WAV"}


def check_audio_format(name: str) -> str:
    if name not in AUDIO_FORMATS:
        raise ValueError(f"output.audio_format {name!r} is not supported; valid: {', '.join(AUDIO_FORMATS)}")
    return name


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    if rate_in == rate_out:
        return audio
    # soxr "HQ" is deterministic and band-limits properly, unlike naive interpolation.
    return soxr.resample(audio, rate_in, rate_out, quality="HQ").astype(np.float32, copy=False)


def to_pcm16(audio: np.ndarray) -> np.ndarray:
    return np.clip(np.round(audio * 32767.0), -32768, 32767).astype(np.int16)


def encode(pcm16: np.ndarray, sample_rate: int, audio_format: str) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, pcm16, sample_rate, format=AUDIO_FORMATS[audio_format], subtype="PCM_16")
    return buffer.getvalue()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name and rename: a killed run leaves a whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
