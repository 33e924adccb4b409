"""MBROLA diphone voices driven by eSpeak NG: Debian's `espeak-ng` command and `mbrola`, one process per utterance.

engine_voice is the eSpeak NG MBROLA voice name: ``mb-us1``, ``mb-en1``, ``mb-de4-en`` (German
diphones reading English: German-accented English) … Install them with ``scripts/install_mbrola.sh``.

Why not the in-process default engine: the libespeak-ng that `espeakng-loader` bundles is built
without MBROLA support (it prints "Bad voice attribute: mbrola" and falls back to a formant voice),
and its data lacks ``voices/mb`` and ``mbrola_ph``. Debian's libespeak-ng is built with it, but
predates ``espeak_ng_SetRandSeed`` (which the in-process helper relies on), and with MBROLA its word
events are unusable (one per sentence, with sample positions at 22050 Hz for 16 kHz voices). So
this engine runs ``espeak-ng --stdout`` per utterance: a fresh process each time, hence the same
bytes for the same request whatever ran before, and no word times.

Missing diphones (mbrola_diphones.py): when MBROLA warns that its database lacks a phoneme pair
the text needs (it would play silence there, and the word would not be in the audio), the item is
rendered again from eSpeak NG's phoneme file with the nearest phoneme the database has in its place
(German ``v`` → ``f``, us3's ``O2`` → ``O``…), by the mbrola command, at the loudness the espeak-ng
command gives. Items that still lack a pair are rejected, naming it. Items without a missing pair
keep the plain espeak-ng render. benchmarks/mbrola_gaps.py measures the share repaired and rejected
per voice and checks every accepted render with a detector of digital silence inside speech.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import struct
import subprocess
from functools import cache
from pathlib import Path

import numpy as np

from synth.audio_io import from_pcm16
from synth.engines.base import EngineError, Prosody, Synthesis
from synth.engines.espeak import espeak_parameters
from synth.engines.mbrola_diphones import missing_diphones, repair_pho

MBROLA_DIRS = (Path("/usr/share/mbrola"), Path("/usr/local/share/mbrola"))
# eSpeak NG's -a amplitude that volume 1.0 maps to: at its default (100) several diphone voices clip
# (up to 0.4 % of samples at 1.0 full scale on the built-in prompts, e.g. mb-fr4-en, mb-de5-en).
DEFAULT_AMPLITUDE, AMPLITUDE_LIMITS = 60, (0, 200)
INSTALL_HINT = "run scripts/install_mbrola.sh (as root: Debian's espeak-ng, mbrola and mbrola-* voice packages)"


@cache
def espeak_ng_info(command: str = "espeak-ng") -> tuple[str, Path] | None:
    """(path of the espeak-ng command, its data folder), or None when it is not installed."""
    path = shutil.which(command)
    if path is None:
        return None
    env = {k: v for k, v in os.environ.items() if k != "ESPEAK_DATA_PATH"}
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10, env=env).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"Data at:\s*(\S+)", out)
    return (path, Path(match.group(1))) if match else None


def mbrola_database(voice: str, data_dir: Path) -> tuple[str, Path | None]:
    """(database name, its file or None) that an eSpeak NG MBROLA voice file names."""
    voice_file = data_dir / "voices" / "mb" / voice
    if not voice_file.is_file():
        raise EngineError(
            f"eSpeak NG has no MBROLA voice {voice!r} (no {voice_file}); known: "
            f"{', '.join(known_voices(data_dir)[:40])}"
        )
    for line in voice_file.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "mbrola":
            db = fields[1]
            for base in MBROLA_DIRS:
                for candidate in (base / db / db, base / db):
                    if candidate.is_file():
                        return db, candidate
            return db, None
    raise EngineError(f"{voice_file} names no MBROLA database")


def known_voices(data_dir: Path) -> list[str]:
    folder = data_dir / "voices" / "mb"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def voice_available(engine_voice: str, espeak_ng: str = "espeak-ng", **_options) -> tuple[bool, str]:
    info = espeak_ng_info(espeak_ng)
    if info is None:
        return False, f"the espeak-ng command is not installed; {INSTALL_HINT}"
    if shutil.which("mbrola") is None:
        return False, f"the mbrola command is not installed; {INSTALL_HINT}"
    try:
        db, path = mbrola_database(engine_voice, info[1])
    except EngineError as exc:
        return False, str(exc)
    if path is None:
        return False, f"MBROLA database {db!r} is not installed (Debian package mbrola-{db}); {INSTALL_HINT}"
    return True, ""


def parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    """16-bit mono PCM from espeak-ng's streamed WAV (its RIFF and data sizes are placeholders)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EngineError("espeak-ng wrote no WAV data")
    pos, rate, bits, channels = 12, None, None, None
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if chunk == b"fmt ":
            _fmt, channels, rate = struct.unpack("<HHI", data[pos + 8 : pos + 16])
            bits = struct.unpack("<H", data[pos + 22 : pos + 24])[0]
        elif chunk == b"data":
            if rate is None or bits != 16 or channels != 1:
                raise EngineError(f"unexpected WAV format from espeak-ng: {channels} channels, {bits} bits")
            pcm = data[pos + 8 :]
            pcm = pcm[: len(pcm) - len(pcm) % 2]
            return from_pcm16(pcm), int(rate)
        pos += 8 + size + (size & 1)
    raise EngineError("espeak-ng wrote a WAV without audio data")


class MbrolaEngine:
    name = "mbrola"

    def __init__(self, timeout_s: float = 60.0, espeak_ng: str = "espeak-ng", amplitude: int = DEFAULT_AMPLITUDE):
        info = espeak_ng_info(espeak_ng)
        if info is None:
            raise EngineError(f"MBROLA voices need Debian's espeak-ng command, which is not installed; {INSTALL_HINT}")
        if shutil.which("mbrola") is None:
            raise EngineError(f"MBROLA voices need the mbrola command, which is not installed; {INSTALL_HINT}")
        self.command, self.data_dir = info
        self.timeout_s = float(timeout_s)
        self.amplitude = int(amplitude)
        if not AMPLITUDE_LIMITS[0] < self.amplitude <= AMPLITUDE_LIMITS[1]:
            raise EngineError(f"engines.mbrola.amplitude must be in 1..{AMPLITUDE_LIMITS[1]}; got {amplitude}")
        # The Debian command must read its own data, not the data of the pip-installed library.
        self._env = {k: v for k, v in os.environ.items() if k != "ESPEAK_DATA_PATH"}
        self._databases: dict[str, Path] = {}
        self._mbrola = shutil.which("mbrola")

    def _check_voice(self, voice: str) -> None:
        if voice in self._databases:
            return
        db, path = mbrola_database(voice, self.data_dir)
        if path is None:
            raise EngineError(
                f"MBROLA voice {voice!r} needs the database {db!r} (Debian package mbrola-{db}); {INSTALL_HINT}"
            )
        self._databases[voice] = path

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        self._check_voice(voice_name)
        params, applied = espeak_parameters(Prosody(rate=prosody.rate, pitch=prosody.pitch))
        amplitude = int(min(max(round(self.amplitude * prosody.volume), AMPLITUDE_LIMITS[0]), AMPLITUDE_LIMITS[1]))
        applied = Prosody(rate=applied.rate, pitch=applied.pitch, volume=round(amplitude / self.amplitude, 4))
        cmd = [
            self.command,
            "-v",
            voice_name,
            "-s",
            str(params["rate"]),
            "-p",
            str(params["pitch"]),
            "-a",
            str(amplitude),
            "-b",
            "1",
            "--stdin",
            "--stdout",
        ]
        try:
            done = subprocess.run(
                cmd, input=text.encode("utf-8"), capture_output=True, timeout=self.timeout_s, env=self._env
            )
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"MBROLA voice {voice_name!r} timed out after {self.timeout_s:g} s") from exc
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
            raise EngineError(f"espeak-ng with MBROLA voice {voice_name!r} failed (status {done.returncode}): {detail}")
        audio, rate = parse_wav(done.stdout)
        if missing_diphones(done.stderr):
            audio = self._repair(text, voice_name, cmd[3:7], audio)
        if not len(audio) or not np.any(audio):
            detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
            raise EngineError(f"MBROLA voice {voice_name!r} produced no sound{': ' + detail if detail else ''}")
        return Synthesis(audio=audio, sample_rate=rate, prosody=applied, word_events=None, boundaries=[])

    def _run_mbrola(self, voice: str, pho: list[str]) -> tuple[bytes, list[str]]:
        """MBROLA on a phoneme file: (its WAV, the pairs it lacks). -e: play silence for those, as espeak-ng does."""
        try:
            done = subprocess.run(
                [self._mbrola, "-e", str(self._databases[voice]), "-", "-.wav"],
                input=("\n".join(pho) + "\n").encode(),
                capture_output=True,
                timeout=self.timeout_s,
            )
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"mbrola for voice {voice!r} timed out after {self.timeout_s:g} s") from exc
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
            raise EngineError(f"mbrola for voice {voice!r} failed (status {done.returncode}): {detail}")
        return done.stdout, missing_diphones(done.stderr)

    def _repair(self, text: str, voice: str, rate_pitch: list[str], espeak_audio: np.ndarray) -> np.ndarray:
        """The text with the nearest phonemes the database has where it lacks a pair; EngineError if none serves."""
        cmd = [self.command, "-v", voice, *rate_pitch, "-b", "1", "-q", "--pho", "--stdin"]
        try:
            done = subprocess.run(
                cmd, input=text.encode("utf-8"), capture_output=True, timeout=self.timeout_s, env=self._env
            )
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"MBROLA voice {voice!r} timed out after {self.timeout_s:g} s") from exc
        pho = done.stdout.decode("utf-8", "replace").splitlines()
        plain_wav, missing = self._run_mbrola(voice, pho)
        pho, substituted, left = repair_pho(pho, missing, lambda lines: self._run_mbrola(voice, lines)[1])
        if left:
            raise EngineError(
                f"MBROLA voice {voice!r} lacks the diphone{'s' if len(left) > 1 else ''} {', '.join(left)} that this "
                "text needs, and no substitute phoneme serves: it would play silence in their place, so the words "
                f"would not be in the audio{' (substituted: ' + ', '.join(substituted) + ')' if substituted else ''}"
            )
        plain, _ = parse_wav(plain_wav)
        fixed, _ = parse_wav(self._run_mbrola(voice, pho)[0])
        # espeak-ng scales MBROLA's samples by its amplitude (not linearly in -a): take the scale from the
        # same phonemes rendered both ways (the same gaps in both), so the repaired item is as loud as its
        # volume label says. Energies, not a sample-by-sample fit: the two may be a sample apart. einsum in
        # float64, not np.dot: OpenBLAS's dot sums in an order that depends on its thread count, so the gain
        # (and every byte of a repaired item) could differ between machines and worker counts.
        power = float(np.einsum("i,i->", plain, plain, dtype=np.float64))
        gain = (
            math.sqrt(float(np.einsum("i,i->", espeak_audio, espeak_audio, dtype=np.float64)) / power)
            if power > 0
            else 1.0
        )
        return (np.clip(np.round(fixed * gain * 32768.0), -32768, 32767) / 32768.0).astype(np.float32)

    def close(self) -> None:
        pass
