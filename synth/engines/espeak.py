"""eSpeak NG in-process (ctypes on the library bundled by `espeakng-loader`), deterministic per item.

Each engine owns a lean helper process (espeak_zygote.py) with one process per voice, which puts
the library's state back as it was after selecting the voice before every utterance; see that file
for why. The cost of that choice is measured by benchmarks/engine_floor.py.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from synth.audio_io import frame_energy
from synth.engines.base import EngineCrash, EngineError, Prosody, Synthesis, WordEvent, engine_failure
from synth.engines.espeak_pitch import pitch_setting

ZYGOTE = Path(__file__).with_name("espeak_zygote.py")
EVENT_WORD, EVENT_END = 1, 5
# eSpeak NG's own defaults: the values a Prosody factor of 1.0 maps to.
DEFAULT_RATE_WPM, DEFAULT_VOLUME = 175, 100
RATE_LIMITS, VOLUME_LIMITS = (80, 450), (0, 200)
# How each utterance starts from the same library state (espeak_zygote.py): restore its writable
# segments (the default), or fork a child per utterance (the same bytes, ~1.7x the CPU).
ISOLATIONS = ("restore", "fork")
# eSpeak NG reports the first word at sample 0, the start of its leading pause, whose 40 ms are 41-63 dB
# below the loudest frame (measured: en-us, en-gb-x-rp+f2, en-gb-x-gbclan+m7 "turn on the kitchen
# lights": the first 10 ms frame within 35 dB of the loudest is the fifth, every time). The first word
# starts at that frame.
ONSET_DB, ONSET_FRAME_S = -35.0, 0.01


def sound_onset(audio: np.ndarray, sample_rate: int) -> int:
    """The first sample of the first 10 ms frame within ONSET_DB of the loudest one (0 when silent)."""
    energy = frame_energy(audio, sample_rate, ONSET_FRAME_S)
    if len(energy) == 0:
        return 0
    hop = max(1, int(sample_rate * ONSET_FRAME_S))
    loud = np.flatnonzero(energy >= energy.max() * 10 ** (ONSET_DB / 10)) if energy.max() > 0 else []
    return int(loud[0]) * hop if len(loud) else 0


def _clamp(value: float, limits: tuple[int, int]) -> int:
    return int(min(max(round(value), limits[0]), limits[1]))


def espeak_parameters(prosody: Prosody) -> tuple[dict, Prosody]:
    """Engine units for a relative prosody, and the relative prosody those units really give.

    The pitch setting comes from the measured curve in espeak_pitch.py (the setting is not an F0
    factor); rate (words per minute) and volume are linear.

    :param prosody: the factors asked for
    """
    rate = _clamp(DEFAULT_RATE_WPM * prosody.rate, RATE_LIMITS)
    pitch, pitch_factor = pitch_setting(prosody.pitch)
    volume = _clamp(DEFAULT_VOLUME * prosody.volume, VOLUME_LIMITS)
    applied = Prosody(
        rate=round(rate / DEFAULT_RATE_WPM, 4),
        pitch=pitch_factor,
        volume=round(volume / DEFAULT_VOLUME, 4),
    )
    return {"rate": rate, "pitch": pitch, "volume": volume}, applied


class EspeakEngine:
    name = "espeak"

    def __init__(self, timeout_s: float = 60.0, max_voice_servers: int = 64, isolation: str = "restore"):
        import espeakng_loader

        if max_voice_servers < 1:
            raise EngineError(f"engines.espeak.max_voice_servers must be at least 1; got {max_voice_servers}")
        if isolation not in ISOLATIONS:
            raise EngineError(f"engines.espeak.isolation must be one of {', '.join(ISOLATIONS)}; got {isolation!r}")
        self.timeout_s = timeout_s
        self._lock = threading.Lock()  # one request in flight per helper process
        self._command = [
            sys.executable,
            "-S",
            str(ZYGOTE),
            espeakng_loader.get_library_path(),
            espeakng_loader.get_data_path(),
            str(max_voice_servers),
            isolation,
        ]
        self._proc = None
        self._start()

    def _start(self) -> None:
        self._proc = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        hello = self._read_json()
        if not hello.get("ok"):
            self.close()
            raise EngineError(f"eSpeak NG failed to start: {hello.get('error')}")
        self.sample_rate = int(hello["sample_rate"])
        self.helper_pid = self._proc.pid

    def _read_frame(self) -> bytes:
        head = self._proc.stdout.read(4)
        if len(head) < 4:
            raise EngineCrash(f"eSpeak NG helper process exited (status {self._proc.poll()})")
        (size,) = struct.unpack("<I", head)
        return self._proc.stdout.read(size)

    def _read_json(self) -> dict:
        return json.loads(self._read_frame())

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        params, applied = espeak_parameters(prosody)
        request = json.dumps(
            {"text": text, "voice": voice_name, "seed": seed, "timeout": self.timeout_s, **params}
        ).encode()
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._restart()  # a helper that died (killed, out of memory) costs one item, not the run
            try:
                self._proc.stdin.write(struct.pack("<I", len(request)) + request)
                self._proc.stdin.flush()
                header = self._read_json()
                pcm = self._read_frame()
            except (BrokenPipeError, EngineError) as exc:
                self._restart()
                raise EngineCrash(f"eSpeak NG helper process died while rendering: {exc}") from exc
        if not header.get("ok"):
            raise engine_failure(f"eSpeak NG could not render with voice {voice_name!r}: {header.get('error')}")
        audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        words, boundaries = [], []
        for kind, text_pos, length, _ms, sample in header["events"]:
            if kind == EVENT_WORD:
                words.append(WordEvent(char_start=text_pos - 1, char_len=length, sample=sample))
            elif kind == EVENT_END:
                boundaries.append(sample)
        if words and words[0].sample == 0:  # the leading pause is not the first word (ONSET_DB)
            onset = sound_onset(audio, self.sample_rate)
            if onset < (words[1].sample if len(words) > 1 else len(audio)):
                words[0] = WordEvent(char_start=words[0].char_start, char_len=words[0].char_len, sample=onset)
        return Synthesis(
            audio=audio, sample_rate=self.sample_rate, prosody=applied, word_events=words, boundaries=boundaries
        )

    def _restart(self) -> None:
        self.close()
        self._start()

    def close(self) -> None:
        proc, self._proc = getattr(self, "_proc", None), None
        if proc is None:
            return
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except Exception:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    def __del__(self):
        self.close()
