"""RHVoice (Debian non-free ``rhvoice-english``): HTS voices, driven in this process through the C API.

engine_voice is the voice's folder name under the RHVoice data folder (``/usr/share/RHVoice/voices``):
``alan``, ``bdl``, ``clb``, ``slt``, ``evgeniy-eng``, ``lyubov``.

Two backends, the first one that this machine has:
  library  ``libRHVoice.so.5`` (Debian ``librhvoice5``, the C API of RHVoice.h) loaded with ctypes. Word
           times come from RHVoice's own ``word_starts``/``word_ends`` callbacks (UTF-8 byte offsets into
           the text, converted here to character offsets), at the sample count delivered so far.
  command  ``RHVoice-test`` (Debian ``rhvoice``), one process per utterance: same core, no word times.
           Debian's ``librhvoice-core7`` alone exports only C++ symbols, so without ``librhvoice5`` this
           is what is left. Rate and pitch go in as whole percent, so both backends quantize them to 0.01.

Why the vtable patch: the C API's message object never overrides ``client::get_audio_buffer_size``
(100 ms), and RHVoice calls the event callbacks only between audio buffers, so every word time would be
rounded up to the next 100 ms. We copy the message's vtable and point that one slot at a Python function
returning 5 ms (one HTS frame, 120 samples at 24 kHz: a smaller buffer gives the same times). The patch is
made only after checking that the object's vtable and the slot are the exported
``vtable for RHVoice_message_struct`` and ``RHVoice::client::get_audio_buffer_size``; if not, the engine
renders without word times rather than with coarse ones. The buffer size does not change the samples.

Determinism: RHVoice has no seeded randomness; measured, an utterance's bytes are the same whatever the
engine rendered before (other voices, other prosody) and in a fresh process, so one engine per process is
kept. The machine's RHVoice.conf is not read (the library gets an empty config folder), so per-voice
defaults that a user set there cannot change the audio.

Prosody (measured with parselmouth on all six voices, two sentences): RHVoice's ``relative_rate`` and
``relative_pitch`` are true factors: duration ratio within 1 % of the requested rate, median F0 ratio within
~1.5 % of the requested pitch. The library clamps both to 0.5–2.0; we clamp first and record the clamped
value. Volume is a linear factor applied here to the float samples, lowered if it would clip (and recorded
as applied).

Text: a plain-text message (not SSML), but RHVoice reads symbols aloud ("<b>" becomes "less than b greater
than"), which would make the transcript false; characters it would read as words are refused.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synth.audio_io import from_pcm16
from synth.engines.base import EngineError, Prosody, Synthesis, WordEvent

DATA_DIR = Path("/usr/share/RHVoice")
LIBRARY_NAMES = ("libRHVoice.so.5", "libRHVoice.so")
COMMAND = "RHVoice-test"
RATE_LIMITS = PITCH_LIMITS = (0.5, 2.0)  # what RHVoice 1.8 realizes; beyond it clamps silently
VOLUME_LIMITS = (0.0, 2.0)
EVENT_BUFFER_MS = 5
# Characters RHVoice would speak as words (or SSML-like markup): the spoken form must not contain them.
READ_ALOUD = set("<>&{}[]\\|^~_*#@$%+=/`")
INSTALL_HINT = "install Debian non-free packages rhvoice rhvoice-english librhvoice5"


# --------------------------------------------------------------------------- voices and text


def installed_voices(data_dir: str | os.PathLike | None = None) -> dict[str, dict[str, str]]:
    """Voice folder name (lowercase) -> its voice.info fields, for every voice RHVoice could load."""
    folder = Path(data_dir or DATA_DIR) / "voices"
    voices: dict[str, dict[str, str]] = {}
    if not folder.is_dir():
        return voices
    for info in sorted(folder.glob("*/voice.info")):
        fields = dict(
            line.split("=", 1)
            for line in info.read_text(encoding="utf-8", errors="replace").splitlines()
            if "=" in line
        )
        voices[info.parent.name.lower()] = {k.strip(): v.strip() for k, v in fields.items()}
    return voices


def check_text(text: str) -> None:
    """EngineError for text RHVoice cannot speak as written."""
    if not text.strip():
        raise EngineError("RHVoice was given empty text")
    bad = sorted({c for c in text if c in READ_ALOUD or (ord(c) < 32 and c not in "\t\n")})
    if bad:
        raise EngineError(
            f"RHVoice would read {', '.join(repr(c) for c in bad)} aloud (or as markup) in {text[:60]!r}; "
            "the spoken form must hold words and ordinary punctuation only"
        )


def find_library(library: str | None = None) -> str | None:
    """Path or soname of RHVoice's C API library, or None."""
    candidates = (
        [library]
        if library
        else [os.environ.get("RHVOICE_LIBRARY"), *LIBRARY_NAMES, ctypes.util.find_library("RHVoice")]
    )
    for name in filter(None, candidates):
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return name
    return None


def choose_backend(backend: str = "auto", library: str | None = None) -> tuple[str, str]:
    """("library", library path) or ("command", RHVoice-test path); EngineError says what is missing."""
    if backend not in ("auto", "library", "command"):
        raise EngineError(f"engines.rhvoice.backend must be auto, library or command; got {backend!r}")
    if backend in ("auto", "library"):
        found = find_library(library)
        if found:
            return "library", found
        if backend == "library":
            raise EngineError(f"RHVoice's C API library ({library or LIBRARY_NAMES[0]}) not found; {INSTALL_HINT}")
    command = shutil.which(COMMAND)
    if command is None:
        raise EngineError(
            f"neither RHVoice's C API library ({LIBRARY_NAMES[0]}) nor {COMMAND} is installed; {INSTALL_HINT}"
        )
    return "command", command


def voice_available(
    engine_voice: str, data_dir: str | None = None, backend: str = "auto", library: str | None = None, **_options
) -> tuple[bool, str]:
    voices = installed_voices(data_dir)
    if engine_voice.lower() not in voices:
        known = ", ".join(voices) or "none"
        folder = Path(data_dir or DATA_DIR) / "voices" / engine_voice
        return False, f"unknown RHVoice voice {engine_voice!r} (no {folder}); known: {known}"
    try:
        choose_backend(backend, library)
    except EngineError as exc:
        return False, str(exc)
    return True, ""


def applied_prosody(prosody: Prosody) -> Prosody:
    """The rate and pitch RHVoice will realize (clamped, whole percent); volume as asked, clamped."""

    def clamp(x: float, lo_hi: tuple[float, float]) -> float:
        return round(min(max(float(x), lo_hi[0]), lo_hi[1]), 2)

    return Prosody(
        rate=clamp(prosody.rate, RATE_LIMITS),
        pitch=clamp(prosody.pitch, PITCH_LIMITS),
        volume=round(min(max(float(prosody.volume), VOLUME_LIMITS[0]), VOLUME_LIMITS[1]), 4),
    )


def char_offsets(text: str) -> list[int]:
    """UTF-8 byte offset -> character offset (RHVoice reports byte offsets)."""
    table = []
    for i, c in enumerate(text):
        table += [i] * len(c.encode("utf-8"))
    return table + [len(text)]


# --------------------------------------------------------------------------- the C API


_SampleRate = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p)
_PlaySpeech = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_uint, ctypes.c_void_p)
_Mark = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_Position = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p)
_Done = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_BufferSize = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.c_void_p)


class _Callbacks(ctypes.Structure):
    _fields_ = [
        ("set_sample_rate", _SampleRate),
        ("play_speech", _PlaySpeech),
        ("process_mark", _Mark),
        ("word_starts", _Position),
        ("word_ends", _Position),
        ("sentence_starts", _Position),
        ("sentence_ends", _Position),
        ("play_audio", _Mark),
        ("done", _Done),
    ]


class _InitParams(ctypes.Structure):
    _fields_ = [
        ("data_path", ctypes.c_char_p),
        ("config_path", ctypes.c_char_p),
        ("resource_paths", ctypes.POINTER(ctypes.c_char_p)),
        ("callbacks", _Callbacks),
        ("options", ctypes.c_uint),
    ]


class _SynthParams(ctypes.Structure):
    _fields_ = [
        ("voice_profile", ctypes.c_char_p),
        ("absolute_rate", ctypes.c_double),
        ("absolute_pitch", ctypes.c_double),
        ("absolute_volume", ctypes.c_double),
        ("relative_rate", ctypes.c_double),
        ("relative_pitch", ctypes.c_double),
        ("relative_volume", ctypes.c_double),
        ("punctuation_mode", ctypes.c_int),
        ("punctuation_list", ctypes.c_char_p),
        ("capitals_mode", ctypes.c_int),
        ("flags", ctypes.c_int),
    ]


PUNCTUATION_NONE = 1  # never read punctuation marks aloud
MESSAGE_TEXT = 0
_VTABLE_SYMBOL = "_ZTV22RHVoice_message_struct"
_BUFFER_SIZE_SYMBOL = "_ZNK7RHVoice6client21get_audio_buffer_sizeEv"
_BUFFER_SIZE_SLOT = 2  # after the two destructor entries of client's vtable (Itanium C++ ABI)
_VTABLE_HEADER = 2  # offset-to-top and RTTI before the address an object points at


@dataclass
class _Render:
    """What the callbacks collect for one message."""

    deadline: float
    sample_rate: int = 0
    chunks: list[bytes] = field(default_factory=list)
    n: int = 0
    starts: list[tuple[int, int, int]] = field(default_factory=list)  # (byte offset, byte length, sample)
    ends: list[int] = field(default_factory=list)
    timed_out: bool = False


class _Library:
    """One RHVoice engine in this process; not re-entrant, so calls are serialized."""

    def __init__(self, path: str, data_dir: Path):
        lib = ctypes.CDLL(path)
        lib.RHVoice_new_tts_engine.restype = ctypes.c_void_p
        lib.RHVoice_new_tts_engine.argtypes = [ctypes.POINTER(_InitParams)]
        lib.RHVoice_delete_tts_engine.argtypes = [ctypes.c_void_p]
        lib.RHVoice_new_message.restype = ctypes.c_void_p
        lib.RHVoice_new_message.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.POINTER(_SynthParams),
            ctypes.c_void_p,
        ]
        lib.RHVoice_speak.argtypes = [ctypes.c_void_p]
        lib.RHVoice_delete_message.argtypes = [ctypes.c_void_p]
        self.lib, self.lock, self.render = lib, threading.Lock(), None
        self._callbacks = [
            _SampleRate(self._on_sample_rate),
            _PlaySpeech(self._on_play),
            _Position(self._on_word_start),
            _Position(self._on_word_end),
        ]
        callbacks = _Callbacks(
            self._callbacks[0],
            self._callbacks[1],
            _Mark(),
            self._callbacks[2],
            self._callbacks[3],
            _Position(),
            _Position(),
            _Mark(),
            _Done(),
        )
        self._config_dir = tempfile.TemporaryDirectory(prefix="rhvoice-conf-")  # empty: no RHVoice.conf read
        params = _InitParams(str(data_dir).encode(), self._config_dir.name.encode(), None, callbacks, 0)
        self.engine = lib.RHVoice_new_tts_engine(ctypes.byref(params))
        if not self.engine:
            self._config_dir.cleanup()
            raise EngineError(f"RHVoice could not start with data folder {data_dir} (no voices there?)")
        self._buffer_size = _BufferSize(lambda _self: EVENT_BUFFER_MS)
        self._vtable, self.fine_times = self._patched_vtable()

    def _patched_vtable(self):
        """A copy of the message vtable whose get_audio_buffer_size returns EVENT_BUFFER_MS, or (None, False)."""
        try:
            start = ctypes.addressof(ctypes.c_void_p.in_dll(self.lib, _VTABLE_SYMBOL))
            buffer_size = ctypes.cast(getattr(self.lib, _BUFFER_SIZE_SYMBOL), ctypes.c_void_p).value
        except (ValueError, AttributeError):
            return None, False
        n = _VTABLE_HEADER + 13  # client has 13 virtual-table entries (2 destructors + 11 functions)
        original = (ctypes.c_void_p * n).from_address(start)
        if original[_VTABLE_HEADER + _BUFFER_SIZE_SLOT] != buffer_size:
            return None, False
        table = (ctypes.c_void_p * n)(*original)
        table[_VTABLE_HEADER + _BUFFER_SIZE_SLOT] = ctypes.cast(self._buffer_size, ctypes.c_void_p).value
        self._expected_vptr = start + _VTABLE_HEADER * ctypes.sizeof(ctypes.c_void_p)
        return table, True

    def _patch(self, message: int) -> bool:
        if self._vtable is None:
            return False
        vptr = ctypes.c_void_p.from_address(message)
        if vptr.value != self._expected_vptr:
            return False
        vptr.value = ctypes.addressof(self._vtable) + _VTABLE_HEADER * ctypes.sizeof(ctypes.c_void_p)
        return True

    # Callbacks: return 0 to stop synthesis.
    def _on_sample_rate(self, rate, _user):
        self.render.sample_rate = rate
        return 1

    def _on_play(self, samples, count, _user):
        render = self.render
        render.chunks.append(ctypes.string_at(samples, count * 2))
        render.n += count
        if time.monotonic() > render.deadline:
            render.timed_out = True
            return 0
        return 1

    def _on_word_start(self, position, length, _user):
        self.render.starts.append((position, length, self.render.n))
        return 1

    def _on_word_end(self, _position, _length, _user):
        self.render.ends.append(self.render.n)
        return 1

    def speak(self, text: str, voice: str, prosody: Prosody, timeout_s: float) -> _Render:
        data = text.encode("utf-8")
        params = _SynthParams(
            voice.encode(), 0.0, 0.0, 0.0, prosody.rate, prosody.pitch, 1.0, PUNCTUATION_NONE, None, 0, 0
        )
        with self.lock:
            self.render = render = _Render(deadline=time.monotonic() + timeout_s)
            message = self.lib.RHVoice_new_message(
                self.engine, data, len(data), MESSAGE_TEXT, ctypes.byref(params), None
            )
            if not message:
                raise EngineError(f"RHVoice refused the message for voice {voice!r} (unknown or disabled voice?)")
            try:
                fine = self._patch(message)
                ok = self.lib.RHVoice_speak(message)
            finally:
                self.lib.RHVoice_delete_message(message)
                self.render = None
        if render.timed_out:
            raise EngineError(f"RHVoice voice {voice!r} timed out after {timeout_s:g} s")
        if not ok:
            raise EngineError(f"RHVoice failed to render {text[:60]!r} with voice {voice!r}")
        if not fine:
            render.starts, render.ends = [], []
        return render

    def close(self) -> None:
        if self.engine:
            self.lib.RHVoice_delete_tts_engine(self.engine)
            self.engine = None
            self._config_dir.cleanup()


# --------------------------------------------------------------------------- the engine


class RHVoiceEngine:
    name = "rhvoice"

    def __init__(
        self,
        timeout_s: float = 60.0,
        data_dir: str | None = None,
        backend: str = "auto",
        library: str | None = None,
        command: str | None = None,
    ):
        self.timeout_s = float(timeout_s)
        self.data_dir = Path(data_dir or DATA_DIR)
        self.voices = installed_voices(self.data_dir)
        if not self.voices:
            raise EngineError(f"no RHVoice voices under {self.data_dir / 'voices'}; {INSTALL_HINT}")
        self.backend, found = choose_backend(backend, library)
        self.command = command or found
        self._library = _Library(found, self.data_dir) if self.backend == "library" else None

    @property
    def word_times(self) -> bool:
        """Whether this engine reports word times (library backend with the buffer-size patch)."""
        return bool(self._library and self._library.fine_times)

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        voice = voice_name.lower()
        if voice not in self.voices:
            raise EngineError(f"unknown RHVoice voice {voice_name!r}; known: {', '.join(self.voices)}")
        check_text(text)
        applied = applied_prosody(prosody)
        if self._library is not None:
            render = self._library.speak(text, voice, applied, self.timeout_s)
            pcm, rate = b"".join(render.chunks), render.sample_rate
            events, boundaries = self._events(text, render)
        else:
            pcm, rate = self._run_command(text, voice, applied)
            events, boundaries = None, []
        audio = from_pcm16(pcm)
        if not len(audio) or not np.any(audio):
            raise EngineError(f"RHVoice voice {voice_name!r} produced no sound for {text[:60]!r}")
        peak = float(np.max(np.abs(audio)))
        volume = min(applied.volume, np.floor(1e4 / peak) / 1e4)  # never clip: record the factor really applied
        if volume != 1.0:
            audio = (audio * np.float32(volume)).astype(np.float32)
        return Synthesis(
            audio=audio,
            sample_rate=rate,
            prosody=Prosody(applied.rate, applied.pitch, float(volume)),
            word_events=events,
            boundaries=boundaries,
        )

    def _events(self, text: str, render: _Render) -> tuple[list[WordEvent] | None, list[int]]:
        if not self.word_times:
            return None, []
        offsets, n_bytes = char_offsets(text), len(text.encode("utf-8"))
        events = []
        for position, length, sample in render.starts:
            start = offsets[min(position, n_bytes)]
            end = offsets[min(position + length, n_bytes)]
            events.append(WordEvent(char_start=start, char_len=max(1, end - start), sample=min(sample, render.n)))
        # A word end that is not also the next word's start is a pause: it closes the word early.
        starts = {e.sample for e in events}
        boundaries = sorted({s for s in render.ends if s not in starts and 0 < s < render.n})
        return events, boundaries

    def _run_command(self, text: str, voice: str, applied: Prosody) -> tuple[bytes, int]:
        with tempfile.TemporaryDirectory(prefix="rhvoice-") as tmp:
            out = Path(tmp) / "out.wav"
            cmd = [
                self.command,
                "-p",
                voice,
                "-r",
                str(round(applied.rate * 100)),
                "-t",
                str(round(applied.pitch * 100)),
                "-o",
                str(out),
            ]
            try:
                done = subprocess.run(
                    cmd, check=False, input=text.encode("utf-8"), capture_output=True, timeout=self.timeout_s
                )
            except subprocess.TimeoutExpired as exc:
                raise EngineError(f"RHVoice voice {voice!r} timed out after {self.timeout_s:g} s") from exc
            if done.returncode != 0 or not out.is_file():
                detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
                raise EngineError(f"{COMMAND} with voice {voice!r} failed (status {done.returncode}): {detail}")
            with wave.open(str(out), "rb") as w:
                if w.getnchannels() != 1 or w.getsampwidth() != 2:
                    raise EngineError(f"{COMMAND} wrote {w.getnchannels()} channels of {8 * w.getsampwidth()} bits")
                return w.readframes(w.getnframes()), w.getframerate()

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None
