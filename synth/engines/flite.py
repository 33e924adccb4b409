"""Flite (CMU's small synthesizer): Debian's libflite driven in this process through ctypes.

engine_voice is a CMU US voice that Debian's ``libflite1`` ships as ``libflite_cmu_us_<voice>.so``:
``awb`` (Scottish English, male), ``rms`` (US male), ``slt`` (US female) are ClusterGen statistical
voices at 16 kHz; ``kal16`` (16 kHz) and ``kal`` (8 kHz) are older US male diphone voices.

Why in-process ctypes and not the ``flite`` command: the library hands back the whole utterance,
so word times come from its own relations (each Word's first segment start, read with
``ffeature_float``), at ~70× (ClusterGen) to ~400× (diphone) realtime with no process start.

Determinism: the ClusterGen voices draw their excitation noise from libc ``rand()``, so two calls
with the same text differ. Every call seeds it with ``srand(seed)`` right before synthesis, under
a module lock, and sets every prosody feature explicitly (voice features persist between calls);
an utterance is then a pure function of (text, voice, prosody, seed) in any process and order.
The lock cannot stop *other* native code on another thread from calling ``rand()`` meanwhile;
the renderer runs one item at a time per worker, so nothing else draws from it there.

Feature names are kept in buffers that live as long as the process: flite's ``feat_set_*``
stores the name *pointer*, not a copy, so a temporary Python bytes object would dangle.

Prosody (measured on the first 12 built-in prompts at rate 0.8/1.25 and pitch 0.85/1.2, F0 by
parselmouth's median; tests/test_engine_flite.py checks it):
  rate    ``duration_stretch = voice default / rate`` (kal's default is 1.1, the others 1.0). It
          scales every segment and pause: the duration ratio is 1/rate within 0.6 % per utterance.
  pitch   ClusterGen: ``f0_shift = pitch``. Diphone (kal): ``int_f0_target_mean`` and ``..._stddev``
          both times pitch (``f0_shift`` alone moves kal's F0 by about pitch^1.15; scaling both is a
          pure F0 factor). The F0 factor realized is the control ** PITCH_EXPONENT[voice] (a per-voice
          log-log slope, 0.985-1.045): the control is the request ** (1 / exponent), and the request is
          recorded. ``rms`` takes its F0 from a model that
          ignores these controls (measured factor exactly 1.0): its pitch is recorded as 1.0.
  volume  a linear factor applied here; limited so the peak stays at or under full scale.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np

from synth.audio_io import from_pcm16
from synth.engines.base import EngineError, Prosody, Synthesis, WordEvent

VOICES = ("awb", "kal", "kal16", "rms", "slt")  # what Debian's libflite1 ships (cmu_time_awb is a clock-only voice)
PITCH_IGNORED = {"rms"}  # its F0 model ignores f0_shift and int_f0_target_*: measured F0 factor 1.0
# Realized F0 factor = control ** exponent: log-log slope of the median F0 ratio (Praat) on the control at
# 0.8-1.25, built-in prompts 1-12 (prosody_slopes' F0) and 61-84 (the audit's F0, at 16 kHz), the mean of the
# two (awb 1.030 / 1.013, kal 1.051 / 1.039, kal16 1.048 / 1.039, slt 0.977 / 0.990). Uncalibrated, the
# audit read a Flite pitch slope of 1.11 on 22 rows (RESULTS.md, issue 13 done-when run).
PITCH_EXPONENT = {"awb": 1.02, "kal": 1.045, "kal16": 1.045, "slt": 0.985}
RATE_LIMITS, PITCH_LIMITS, VOLUME_LIMITS = (0.25, 4.0), (0.5, 2.0), (0.0, 4.0)
INSTALL_HINT = "install Debian's libflite1 (apt-get install libflite1 flite)"
_TOKEN = re.compile(r"\S+")
_LOCK = threading.Lock()  # flite's voices, features and libc rand() are process-wide state


class _Wave(ctypes.Structure):  # cst_wave, cst_wave.h
    _fields_ = [
        ("type", ctypes.c_char_p),
        ("sample_rate", ctypes.c_int),
        ("num_samples", ctypes.c_int),
        ("num_channels", ctypes.c_int),
        ("samples", ctypes.POINTER(ctypes.c_short)),
    ]


class _Voice(ctypes.Structure):  # cst_voice, cst_voice.h
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("features", ctypes.c_void_p),
        ("ffunctions", ctypes.c_void_p),
        ("utt_init", ctypes.c_void_p),
    ]


def _library_name(stem: str) -> str | None:
    found = ctypes.util.find_library(stem)
    if found:
        return found
    for guess in (f"lib{stem}.so.1", f"/usr/lib/x86_64-linux-gnu/lib{stem}.so.1"):
        try:
            ctypes.CDLL(guess, mode=ctypes.RTLD_GLOBAL)
            return guess
        except OSError:
            continue
    return None


class _Flite:
    """libflite with the prototypes we call; loaded once per process (see `_flite`)."""

    def __init__(self):
        names = {stem: _library_name(stem) for stem in ("flite", "flite_usenglish", "flite_cmulex")}
        missing = [f"lib{stem}.so" for stem, name in names.items() if name is None]
        if missing:
            raise EngineError(f"Flite libraries not found: {', '.join(missing)}; {INSTALL_HINT}")
        # RTLD_GLOBAL: the voice libraries resolve usenglish_init and cmu_lex_init from these.
        self.lib = ctypes.CDLL(names["flite"], mode=ctypes.RTLD_GLOBAL)
        for stem in ("flite_usenglish", "flite_cmulex"):
            ctypes.CDLL(names[stem], mode=ctypes.RTLD_GLOBAL)
        self.libc = ctypes.CDLL(None)
        vp, cp = ctypes.c_void_p, ctypes.c_char_p
        for fn, res, args in (
            ("flite_init", ctypes.c_int, []),
            ("flite_synth_text", vp, [cp, vp]),
            ("utt_wave", ctypes.POINTER(_Wave), [vp]),
            ("utt_relation", vp, [vp, cp]),
            ("relation_head", vp, [vp]),
            ("item_next", vp, [vp]),
            ("ffeature_float", ctypes.c_float, [vp, cp]),
            ("ffeature_string", cp, [vp, cp]),
            ("flite_path_to_item", vp, [vp, cp]),
            ("feat_set_float", None, [vp, vp, ctypes.c_float]),
            ("flite_get_param_float", ctypes.c_float, [vp, cp, ctypes.c_float]),
            ("delete_utterance", None, [vp]),
        ):
            f = getattr(self.lib, fn)
            f.restype, f.argtypes = res, args
        self.libc.srand.argtypes, self.libc.srand.restype = [ctypes.c_uint], None
        self.lib.flite_init()
        self.voices: dict[str, _LoadedVoice] = {}
        self._names: dict[str, ctypes.Array] = {}  # feature names flite points at: never freed

    def name(self, feature: str) -> ctypes.Array:
        if feature not in self._names:
            self._names[feature] = ctypes.create_string_buffer(feature.encode("ascii"))
        return self._names[feature]

    def voice(self, voice: str) -> _LoadedVoice:
        if voice not in self.voices:
            self.voices[voice] = _LoadedVoice.register(self, voice)
        return self.voices[voice]


@dataclass
class _LoadedVoice:
    name: str
    pointer: ctypes.c_void_p
    features: int  # cst_features* of the voice
    stretch: float  # the voice's own duration_stretch
    f0_mean: float | None  # diphone voices' int_f0_target_mean/stddev; None for ClusterGen
    f0_stddev: float | None

    @classmethod
    def register(cls, flite: _Flite, voice: str) -> _LoadedVoice:
        stem = f"flite_cmu_us_{voice}"
        path = _library_name(stem)
        if path is None:
            raise EngineError(f"Flite voice {voice!r} needs lib{stem}.so, which is not installed; {INSTALL_HINT}")
        lib = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        register = getattr(lib, f"register_cmu_us_{voice}")
        register.restype, register.argtypes = ctypes.POINTER(_Voice), [ctypes.c_char_p]
        ptr = register(None)
        if not ptr:
            raise EngineError(f"Flite could not register voice {voice!r} from {path}")
        feats = ptr.contents.features
        get = flite.lib.flite_get_param_float
        mean, stddev = get(feats, b"int_f0_target_mean", -1.0), get(feats, b"int_f0_target_stddev", -1.0)
        diphone = mean > 0 and stddev > 0
        return cls(
            voice,
            ctypes.cast(ptr, ctypes.c_void_p),
            feats,
            float(get(feats, b"duration_stretch", 1.0)),
            float(mean) if diphone else None,
            float(stddev) if diphone else None,
        )


_STATE: dict[str, _Flite] = {}


def _flite() -> _Flite:
    with _LOCK:
        if "lib" not in _STATE:
            _STATE["lib"] = _Flite()
        return _STATE["lib"]


def _check_name(voice: str) -> None:
    if voice not in VOICES:
        raise EngineError(f"unknown Flite voice {voice!r}; known: {', '.join(VOICES)}")


@cache
def voice_available(engine_voice: str, **_options) -> tuple[bool, str]:
    """Whether Debian's libflite and this voice's library are installed (nothing is loaded)."""
    try:
        _check_name(engine_voice)
    except EngineError as exc:
        return False, str(exc)
    for stem in ("flite", "flite_usenglish", "flite_cmulex", f"flite_cmu_us_{engine_voice}"):
        if ctypes.util.find_library(stem) is None:
            return False, f"lib{stem}.so is not installed; {INSTALL_HINT}"
    return True, ""


def ascii_tokens(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Flite reads ASCII: (the text flite gets, each of its tokens' (start, length) in `text`).

    Accents are folded (é -> e); a token with nothing left is dropped, so flite's i-th token is the
    i-th entry of the list. Flite splits tokens on whitespace only, which keeps the two in step.
    """
    folded, spans = [], []
    for m in _TOKEN.finditer(text):
        word = unicodedata.normalize("NFKD", m.group()).encode("ascii", "ignore").decode("ascii")
        word = "".join(ch for ch in word if ch.isprintable())
        if word:
            folded.append(word)
            spans.append((m.start(), m.end() - m.start()))
    return " ".join(folded), spans


def _clamp(x: float, limits: tuple[float, float], what: str) -> float:
    if not np.isfinite(x):
        raise EngineError(f"Flite {what} must be a finite number; got {x!r}")
    return float(min(max(x, limits[0]), limits[1]))


class FliteEngine:
    name = "flite"

    def __init__(self, timeout_s: float = 60.0, **_options):
        # In-process synthesis cannot be interrupted; flite is linear in the text and fast (~70x
        # realtime or more), so timeout_s is accepted for the common interface and not needed.
        if _options:
            raise EngineError(f"unknown engines.flite option(s): {', '.join(sorted(_options))}; Flite takes none")
        self.timeout_s = float(timeout_s)
        self._flite = _flite()

    def _set(self, voice: _LoadedVoice, feature: str, value: float) -> None:
        self._flite.lib.feat_set_float(voice.features, self._flite.name(feature), ctypes.c_float(value))

    def _apply_prosody(self, voice: _LoadedVoice, prosody: Prosody) -> Prosody:
        """Set every prosody feature (they persist on the voice); return what the audio will realize."""
        rate = _clamp(prosody.rate, RATE_LIMITS, "rate")
        pitch = 1.0 if voice.name in PITCH_IGNORED else _clamp(prosody.pitch, PITCH_LIMITS, "pitch")
        stretch = np.float32(voice.stretch / rate)  # flite keeps it as a C float
        self._set(voice, "duration_stretch", float(stretch))
        control = pitch ** (1.0 / PITCH_EXPONENT.get(voice.name, 1.0))
        if voice.f0_mean is not None:
            self._set(voice, "int_f0_target_mean", voice.f0_mean * control)
            self._set(voice, "int_f0_target_stddev", voice.f0_stddev * control)
        self._set(voice, "f0_shift", 1.0 if voice.f0_mean is not None else control)
        return Prosody(rate=round(voice.stretch / float(stretch), 4), pitch=round(pitch, 4), volume=1.0)

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        _check_name(voice_name)
        flite_text, spans = ascii_tokens(text)
        if not flite_text:
            raise EngineError(f"Flite has nothing to say in {text!r} (no ASCII-foldable characters)")
        volume = _clamp(prosody.volume, VOLUME_LIMITS, "volume")
        lib = self._flite.lib
        with _LOCK:
            voice = self._flite.voice(voice_name)
            applied = self._apply_prosody(voice, prosody)
            self._flite.libc.srand(int(seed) & 0xFFFFFFFF)
            utt = lib.flite_synth_text(flite_text.encode("ascii"), voice.pointer)
            if not utt:
                raise EngineError(f"Flite voice {voice_name!r} failed on {text!r}")
            try:
                wave = lib.utt_wave(utt)
                if not wave or wave.contents.num_samples <= 0:
                    raise EngineError(f"Flite voice {voice_name!r} produced no audio for {text!r}")
                w = wave.contents
                if w.num_channels != 1:
                    raise EngineError(f"Flite voice {voice_name!r} produced {w.num_channels} channels, expected 1")
                pcm = np.ctypeslib.as_array(w.samples, (w.num_samples,)).copy()
                rate = int(w.sample_rate)
                starts, pauses = self._timing(utt, len(spans))
            finally:
                lib.delete_utterance(utt)
        if starts == {}:  # e.g. only punctuation: flite says nothing, and an empty item would pass as speech
            raise EngineError(f"Flite voice {voice_name!r} found no words to speak in {text!r}")
        audio = from_pcm16(pcm)
        peak = float(np.max(np.abs(audio)))
        if not peak:
            raise EngineError(f"Flite voice {voice_name!r} produced silence for {text!r}")
        volume = min(volume, 1.0 / peak) if volume * peak > 1.0 else volume
        audio = (audio * np.float32(volume)).astype(np.float32)
        events = (
            None
            if starts is None
            else [
                WordEvent(char_start=spans[i][0], char_len=spans[i][1], sample=round(t * rate))
                for i, t in sorted(starts.items())
            ]
        )
        boundaries = [round(t * rate) for t in pauses]
        applied = Prosody(rate=applied.rate, pitch=applied.pitch, volume=round(volume, 4))
        return Synthesis(audio=audio, sample_rate=rate, prosody=applied, word_events=events, boundaries=boundaries)

    def _timing(self, utt, n_tokens: int) -> tuple[dict[int, float] | None, list[float]]:
        """({token index: start in s of its first spoken word} or None, [start in s of each pause between words]).

        None when flite's tokens are not the whitespace tokens of the text (not seen on the 314
        built-in prompts): then no word can be placed honestly.
        """
        lib = self._flite.lib
        token_index, item, i = {}, lib.relation_head(lib.utt_relation(utt, b"Token")), 0
        while item:
            token_index[item] = i
            item, i = lib.item_next(item), i + 1
        if i != n_tokens:  # the tokenizer and ascii_tokens disagree: no trustworthy mapping
            return None, []
        starts: dict[int, float] = {}
        item = lib.relation_head(lib.utt_relation(utt, b"Word"))
        while item:
            token = lib.flite_path_to_item(item, b"R:Token.parent")
            first = lib.flite_path_to_item(item, b"R:SylStructure.daughter1.daughter1.R:Segment")
            k = token_index.get(token)
            if k is not None and first and k not in starts:
                start = lib.ffeature_float(first, b"p.end") if lib.flite_path_to_item(first, b"p") else 0.0
                starts[k] = float(start)
            item = lib.item_next(item)
        pauses: list[float] = []
        item = lib.relation_head(lib.utt_relation(utt, b"Segment"))
        while item:
            inner = lib.flite_path_to_item(item, b"p") and lib.flite_path_to_item(item, b"n")
            if inner and lib.ffeature_string(item, b"name") == b"pau":
                pauses.append(float(lib.ffeature_float(item, b"p.end")))
            item = lib.item_next(item)
        return starts, pauses

    def close(self) -> None:
        pass  # voices stay registered for the process: registering again would leak and gain nothing
