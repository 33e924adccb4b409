"""The file a row names: present, decodable, at the labelled rate and length, with the labelled bytes;
and its `qc` measurements describing this file (not, say, the clean render before augmentation)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from synth.manifest import Utterance


@dataclass
class FileCheck:
    pcm: np.ndarray | None  # int16 samples as stored; None when the file cannot be read
    rate: int | None
    failures: list[tuple[str, str]]  # (label, reason)

    @property
    def audio(self) -> np.ndarray:
        return self.pcm.astype(np.float32) / 32768.0


def check_file(root: Path, row: Utterance, duration_tolerance_s: float, rms_tolerance_db: float) -> FileCheck:
    """Read the row's audio and check every label that is a plain property of the file.

    :param root: the corpus folder
    :param row: the manifest row
    :param duration_tolerance_s: allowed |duration − samples/rate|
    :param rms_tolerance_db: allowed |qc.rms_dbfs − the file's RMS|
    """
    path = root / row.audio_filepath
    if not path.is_file():
        return FileCheck(None, None, [("audio_filepath", f"{row.audio_filepath} does not exist")])
    data = path.read_bytes()
    failures = []
    digest = hashlib.sha256(data).hexdigest()
    if digest != row.sha256:
        failures.append(("sha256", f"file's sha256 is {digest[:12]}…, the label says {str(row.sha256)[:12]}…"))
    try:
        pcm, rate = sf.read(path, dtype="int16", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        return FileCheck(None, None, failures + [("audio_filepath", f"does not decode: {exc}")])
    if pcm.shape[1] != 1:
        failures.append(("audio_filepath", f"{pcm.shape[1]} channels; the corpus is mono"))
    pcm = pcm[:, 0]
    if rate != row.sample_rate:
        failures.append(("sample_rate", f"the file is at {rate} Hz, the label says {row.sample_rate}"))
    duration = len(pcm) / rate
    if abs(duration - float(row.duration)) > duration_tolerance_s:
        failures.append(("duration", f"the file lasts {duration:.4f} s, the label says {row.duration}"))
    check = FileCheck(pcm, rate, failures)
    if row.qc.rms_dbfs is not None and len(pcm):
        rms = float(np.sqrt(np.mean(check.audio.astype(np.float64) ** 2)))
        level = 20 * np.log10(rms) if rms > 0 else -np.inf
        if not abs(level - float(row.qc.rms_dbfs)) <= rms_tolerance_db:
            failures.append(
                (
                    "qc",
                    f"qc.rms_dbfs is {row.qc.rms_dbfs} but the file's RMS is {level:.2f} dBFS: "
                    "qc describes another audio",
                )
            )
    return check
