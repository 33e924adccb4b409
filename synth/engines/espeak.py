"""eSpeak NG in-process (ctypes on the library bundled by `espeakng-loader`), deterministic per item.

Each engine owns a lean helper process (espeak_zygote.py) that forks one process per voice, which
puts the library's state back as it was after selecting the voice before every utterance; see that
file for why. The worker talks to each voice process directly: the helper hands it their pipes.
The cost of that choice is measured by benchmarks/engine_floor.py.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from synth.audio_io import frame_energy, from_pcm16
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


def read_frames(fd: int, count: int, deadline: float) -> list[bytes] | None:
    """`count` frames (<uint32 length><payload>) from the non-blocking `fd`, or None if it reaches end
    of file first (the writer died: what came is thrown away); TimeoutError past `deadline`
    (time.monotonic)."""
    data = b""
    while True:
        frames, at = [], 0
        while len(frames) < count and len(data) >= at + 4:
            (size,) = struct.unpack_from("<I", data, at)
            if len(data) < at + 4 + size:
                break
            frames.append(data[at + 4 : at + 4 + size])
            at += 4 + size
        remaining = deadline - time.monotonic()
        if remaining < 0:  # late is late, even if the answer came in meanwhile: the timeout is the contract
            raise TimeoutError
        if len(frames) == count:
            return frames
        if not select.select([fd], [], [], remaining)[0]:  # not there yet: wait, then read what came
            raise TimeoutError
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return None
        data += chunk


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
        self.isolation = isolation
        self.max_voice_servers = max_voice_servers
        self._lock = threading.Lock()  # one request in flight per engine
        self._library = (espeakng_loader.get_library_path(), espeakng_loader.get_data_path())
        self._proc = self._line = None
        self._servers: OrderedDict[str, tuple[int, int, int]] = OrderedDict()  # voice -> (pid, to fd, from fd)
        self._start()

    def _start(self) -> None:
        self._line, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            command = self._helper_command(theirs.fileno())
            self._proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),))
        hello = self._ask(None)[0]
        if not hello.get("ok"):
            self.close()
            raise EngineError(f"eSpeak NG failed to start: {hello.get('error')}")
        self.sample_rate = int(hello["sample_rate"])
        self.helper_pid = self._proc.pid

    def _helper_command(self, line_fd: int) -> list[str]:
        """The helper's command line; `line_fd` is its end of the socket (a test runs it under valgrind)."""
        return [sys.executable, "-S", str(ZYGOTE), *self._library, str(line_fd), self.isolation]

    def _ask(self, request: dict | None) -> tuple[dict, list[int]]:
        """The helper's answer to `request` (None: only read), and the file descriptors it sent."""
        try:
            if request is not None:
                self._line.send(json.dumps(request).encode())
            message, fds, _, _ = socket.recv_fds(self._line, 1 << 16, 2)
        except OSError as exc:
            raise EngineCrash(f"eSpeak NG helper process died: {exc}") from exc
        if not message:
            raise EngineCrash(f"eSpeak NG helper process exited (status {self._proc.poll()})")
        return json.loads(message), fds

    def _server(self, voice: str) -> tuple[int, int, int] | str:
        """The voice server of `voice` (started now if there is none), or why it could not start."""
        server = self._servers.pop(voice, None)
        if server is None:
            answer, fds = self._ask({"open": voice})
            if not answer.get("ok"):
                return answer.get("error", "")
            os.set_blocking(fds[1], False)  # answers are read with select, against the request's deadline
            server = (int(answer["pid"]), *fds)
        self._servers[voice] = server  # re-inserted: now the most recently used
        while len(self._servers) > self.max_voice_servers:
            self._release(self._servers.popitem(last=False)[1])
        return server

    def _release(self, server: tuple[int, int, int]) -> int:
        """Close our ends of a voice server's pipes (it ends on end of file) and have the helper reap
        it; its wait status."""
        pid, to_fd, from_fd = server
        os.close(to_fd)
        os.close(from_fd)
        return int(self._ask({"reap": pid})[0]["status"])

    def _render(self, voice: str, request: bytes) -> tuple[dict, bytes]:
        """(header, PCM) of one request, straight from the voice server of `voice`; a server that
        crashes or runs past the timeout is killed, reaped and forgotten: its error is in the header."""
        server = self._server(voice)
        if isinstance(server, str):
            return {"ok": False, "error": server}, b""
        pid, to_fd, from_fd = server
        # with a child per render, the voice server enforces the timeout itself; this is the backstop
        timeout = self.timeout_s if self.isolation == "restore" else self.timeout_s + 5
        # the deadline is taken before the request goes out: taken after, a worker descheduled
        # while the voice server renders would find the whole answer waiting and take it late
        deadline = time.monotonic() + timeout
        try:
            os.write(to_fd, struct.pack("<I", len(request)) + request)
            frames = read_frames(from_fd, 2, deadline)
        except TimeoutError:
            os.kill(pid, signal.SIGKILL)
            self._release(self._servers.pop(voice))
            return {"ok": False, "error": f"timed out after {self.timeout_s:g} s"}, b""
        except OSError:  # BrokenPipeError: it died before reading the request
            frames = None
        if frames is None:
            status = self._release(self._servers.pop(voice))
            if os.WIFSIGNALED(status):
                error = f"renderer killed by signal {os.WTERMSIG(status)}"
            else:
                error = f"voice server for {voice!r} exited (status {os.WEXITSTATUS(status)})"
            return {"ok": False, "error": error}, b""
        return json.loads(frames[0]), frames[1]

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        params, applied = espeak_parameters(prosody)
        request = json.dumps({"text": text, "seed": seed, "timeout": self.timeout_s, **params}).encode()
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._restart()  # a helper that died (killed, out of memory) costs one item, not the run
            try:
                header, pcm = self._render(voice_name, request)
            except EngineCrash as exc:
                self._restart()
                raise EngineCrash(f"eSpeak NG helper process died while rendering: {exc}") from exc
        if not header.get("ok"):
            raise engine_failure(f"eSpeak NG could not render with voice {voice_name!r}: {header.get('error')}")
        audio = from_pcm16(pcm)
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
        """Close every voice server's pipes (each ends on end of file), then the helper's socket (it
        reaps them and ends)."""
        for _pid, to_fd, from_fd in getattr(self, "_servers", {}).values():
            os.close(to_fd)
            os.close(from_fd)
        self._servers = OrderedDict()
        line, self._line = getattr(self, "_line", None), None
        if line is not None:
            line.close()
        proc, self._proc = getattr(self, "_proc", None), None
        if proc is None:
            return
        try:
            proc.wait(timeout=5)
        except Exception:
            proc.kill()
            proc.wait()

    def __del__(self):
        self.close()
