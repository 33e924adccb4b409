"""hibari-tts: a 7.9 MB ONNX model distilled from Kokoro-82M, rendered in this process (24 kHz).

engine_voice is a hibari voice name; only ``heart`` (American English, female) ships in the
package. hibari's other voices (emma, fenrir, fable, kore) download from Hugging Face on first use,
which this project never does at run time: they are refused, by voice_available and by the engine.

The package's own ``Hibari.__call__`` is not used as is, for these reasons:
- Determinism: its signal stage (hibari.dsp) adds noise drawn from a numpy Generator that is
  unseeded by default, or one Generator shared by all sentences. Here each model call (a sentence,
  or a clause of a long one) gets its own ``PCG64([seed, call])``, and onnxruntime runs one thread,
  so an utterance is a pure function of (text, voice, prosody, seed). (hibari.dsp uses scipy.fft
  when scipy is installed, numpy's FFT otherwise; the project depends on scipy, so every install
  takes the same path.)
- Markup: its G2P reads ``[word](/phonemes/)`` as a pronunciation override. Tokens are made with the
  G2P's plain tokenizer, which has no such syntax, so brackets in the text are only punctuation.
  Its text normalizer is skipped too: the text is already the spoken form, and hibari's normalizer
  would rewrite words the label keeps (``Fri.`` -> "Friday").
- Word times: the model is patched in memory to also output its per-phoneme durations (the
  integer ``Cast`` after ``Round``/``Clip`` of ``durations / speed``) and the durations before the
  speed division (one duration unit is ``frames_per_unit`` STFT frames of 300 samples; the factor is
  checked against the output length). hibari sounds against its frames as Kokoro does: the sound
  runs 40 ms ahead of them and a word's onset lies in the word-break token before it (the rule of
  synth/engines/kokoro_frames.py; starting a word at its own first phoneme put it a median 80 ms late
  against the forced aligner, on every row).
- Speed: the model divides its durations by ``speed`` and rounds them to whole units of at least
  one, so short phonemes barely shrink (speed 1.25 gives a duration ratio of about 1.16). The
  durations are known before rendering: a graph cut from the model gives the undivided durations
  (no audio), the speed whose heard ratio is nearest the requested rate is searched, and the
  recorded rate is the heard ratio of the render: the heard span at speed 1 over the heard span of
  the frames rendered, each predicted from the frames as for Kokoro (kokoro_frames.heard_frames with
  hibari's own EDGES; its calls are joined without a trim, so one span runs over all of them).
  Recording the whole output's ratio (pads included) had a log-log slope of 0.82 against the heard
  span for rates 0.9-1.1. F0 does not change with speed.
Pitch: none (recorded 1.0). Scaling the model's F0 curve before hibari.dsp does move the
parselmouth median F0 by the factor (x0.8 -> 0.797, x1.2 -> 1.204 on built-in prompts 1-10), but the
harmonic magnitudes were predicted for the original F0: level jumps by up to 4x in places (99.9th
percentile 0.22 -> 0.82 at x1.2 on one prompt), which is not the voice speaking higher.
Volume: hibari's output peaks near 0.3-0.4; the gain is linear, capped so the peak stays below
full scale, and recorded as applied.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from synth.engines.base import EngineError, Prosody, Synthesis, WordEvent
from synth.engines.kokoro_frames import (
    HeardEdges,
    first_at_sound,
    frames_at,
    heard_frames,
    phoneme_onsets,
    speech_span,
    speed_for_rate,
)

RATE_LIMITS, VOLUME_LIMITS = (0.5, 2.0), (0.0, 4.0)
SPEED_LIMITS = (0.3, 4.0)  # the model's speed input searched for a requested rate
PEAK_LIMIT = 0.999
# heard = speech frames + lead × leading pad + offset (kokoro_frames.heard_frames): fitted by
# benchmarks/heard_edges.py on the audit's heard span, built-in prompts 1-24 and 201-224 at speeds
# 0.8-1.25; held out on prompts 111-134 (two- to five-word ones among them): median error 0.5 %, slope
# at 0.9/1.1 0.99 (the speech-frame ratio ** 1.08 it replaced: 1.09).
EDGES = HeardEdges(lead=0.64, offset=-2.9)
INSTALL_HINT = "pip install hibari-tts"


def packaged_voices() -> dict[str, dict]:
    """hibari's voice registry, limited to the voices whose model ships inside the package."""
    from hibari.voices import VOICES

    return {name: v for name, v in VOICES.items() if v.get("bundled")}


def voice_available(engine_voice: str, **_options) -> tuple[bool, str]:
    try:
        from hibari.voices import VOICES
    except ImportError as exc:
        return False, f"hibari-tts is not installed ({exc}); {INSTALL_HINT}"
    bundled = packaged_voices()
    if engine_voice in bundled:
        return True, ""
    if engine_voice in VOICES:
        return False, (
            f"hibari voice {engine_voice!r} is not in the package (hibari downloads it on first use, "
            f"and this project downloads no models at run time); packaged: {', '.join(bundled)}"
        )
    return False, f"unknown hibari voice {engine_voice!r}; packaged: {', '.join(bundled)}"


def _duration_nodes(graph) -> tuple[str, str] | None:
    """(durations before the speed division, integer durations) in hibari's graph, or None."""
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    divs = [n for n in consumers.get("speed", []) if n.op_type == "Div" and n.input[1] == "speed"]
    if len(divs) != 1:
        return None
    undivided, current = divs[0].input[0], divs[0].output[0]
    for op in ("Round", "Clip", "Cast"):
        nxt = [n for n in consumers.get(current, []) if n.op_type == op]
        if len(nxt) != 1:
            return None
        current = nxt[0].output[0]
    return undivided, current


class TextFront:
    """hibari's text side for a voice: its sentence split, G2P (US or British rules) and phoneme vocabulary."""

    def __init__(self, voice: str):
        import json
        import os

        from hibari.g2p import G2P
        from hibari.tts import ASSETS, Hibari
        from hibari.voices import VOICES

        self.split_sentences = Hibari.split_sentences
        self.g2p = G2P(british=bool(VOICES[voice]["british"]))
        with open(os.path.join(ASSETS, "vocab.json"), encoding="utf-8") as f:
            self.vocab: dict[str, int] = json.load(f)


@dataclass
class Chunk:
    """One model call: its ids ([0, tokens..., 0]), its phoneme characters (one per token, pads excluded) and
    its words as (char_start, char_len, index of the word's first token in `phonemes`)."""

    ids: list[int]
    phonemes: str
    words: list[tuple[int, int, int]]


@dataclass
class LoadedModel:
    session: object  # onnxruntime.InferenceSession of the patched model
    outputs: list[str]
    timed: bool  # the session also returns (undivided durations, integer durations)
    durations: object | None  # a session of the graph up to the undivided durations (ids in, no audio)


def load_model(model_path: str, threads: int) -> LoadedModel:
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper

    model = onnx.load(model_path)
    nodes = _duration_nodes(model.graph)
    if nodes is not None:
        model.graph.output.append(helper.make_tensor_value_info(nodes[0], TensorProto.FLOAT, None))
        model.graph.output.append(helper.make_tensor_value_info(nodes[1], TensorProto.INT64, None))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3

    def session_of(m):
        return onnxruntime.InferenceSession(
            m.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
        )

    session = session_of(model)
    durations = None
    if nodes is not None:
        durations = session_of(onnx.utils.Extractor(model).extract_model(["ids"], [nodes[0]]))
    return LoadedModel(session, [o.name for o in session.get_outputs()], nodes is not None, durations)


def heard(units: list[np.ndarray], spans: list[slice]) -> float:
    """Frames heard from the first call's first audible sound to the last call's last: the calls are joined
    as they are, so one span runs over all their frames (pauses between sentences included)."""
    before_last = sum(len(u) for u in units[:-1])
    return heard_frames(np.concatenate(units), slice(spans[0].start, before_last + spans[-1].stop), EDGES)


def sentence_spans(text: str, split_sentences) -> list[tuple[int, str]]:
    """(offset in text, sentence) for hibari's sentence split (each sentence is a substring of text)."""
    spans, cursor = [], 0
    for sentence in split_sentences(text):
        at = text.find(sentence, cursor)
        if at < 0:
            raise EngineError(f"hibari split {text[:60]!r} into a sentence not found in it: {sentence[:60]!r}")
        spans.append((at, sentence))
        cursor = at + len(sentence)
    return spans


def phonemes_by_word(g2p, sentence: str) -> tuple[str, list[int]]:
    """The sentence's phoneme string (as hibari's G2P joins it) and, per whitespace word, the index in
    that string of the word's first spoken phoneme (-1: none, e.g. "..."); [] when words and tokens do not pair."""
    tokens = g2p.phonemize_tokens(g2p._tokens(sentence))  # plain tokenizer: no [word](/phonemes/) overrides
    pieces, word_start, word, length = [], [], 0, 0
    for tok in tokens:
        phonemes = tok.phonemes or ""
        while len(word_start) <= word:
            word_start.append(-1)
        if word_start[word] < 0 and any(c.isalpha() for c in phonemes):  # not a punctuation mark's phoneme
            word_start[word] = length + len(phonemes) - len(phonemes.lstrip())
        piece = phonemes + (" " if tok.whitespace else "")
        pieces.append(piece)
        length += len(piece)
        word += bool(tok.whitespace)
    joined = "".join(pieces)
    stripped = joined.strip()
    lead = len(joined) - len(joined.lstrip())
    n_words = len(re.findall(r"\S+", sentence))
    starts = [s - lead if s >= 0 else -1 for s in word_start] + [-1] * (n_words - len(word_start))
    return (stripped, starts) if len(starts) == n_words else (stripped, [])


def clause_chunks(phonemes: str, max_len: int, clause_re) -> list[tuple[int, int]]:
    """[start, end) slices of a phoneme string of at most ~max_len, cut at clause punctuation as hibari does."""
    if len(phonemes) <= max_len:
        return [(0, len(phonemes))]
    parts, pos = [], 0
    for m in clause_re.finditer(phonemes):
        parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, len(phonemes)))
    chunks: list[list[int]] = []
    for a, b in parts:
        if chunks and b - chunks[-1][0] <= max_len:
            chunks[-1][1] = b
        else:
            chunks.append([a, b])
    return [(a, b) for a, b in chunks]


class HibariEngine:
    name = "hibari"

    def __init__(self, timeout_s: float = 60.0, threads: int = 1, word_times: bool = True):
        try:
            import onnx  # noqa: F401  (patches the model to expose its durations)
            import onnxruntime  # noqa: F401
            from hibari import tts  # noqa: F401
        except ImportError as exc:
            raise EngineError(f"hibari is not installed ({exc}); {INSTALL_HINT}") from exc
        self.timeout_s = timeout_s  # in-process: not enforced; prompts.max_chars bounds a render
        self.threads = int(threads)
        self.word_times = bool(word_times)
        self._voices: dict[str, tuple[object, LoadedModel]] = {}
        self._lock = threading.Lock()

    def _load(self, voice: str):
        if voice not in self._voices:
            ok, why = voice_available(voice)
            if not ok:
                raise EngineError(why)
            from hibari.voices import voice_path

            path = voice_path(voice, download_missing=False)
            self._voices[voice] = (TextFront(voice), load_model(path, self.threads))
        return self._voices[voice]

    def _run(self, model: LoadedModel, ids: list[int], speed: float):
        feeds = {"ids": np.asarray([ids], np.int64), "speed": np.asarray([speed], np.float32)}
        out = model.session.run(model.outputs, feeds)
        spectra = [o[0] for o in out[:6]]  # lh, theta, ln, lr, phi, f0: each [601, F] or [F]
        if not model.timed:
            return spectra, None, None
        undivided = np.asarray(out[6], dtype=np.float32).reshape(-1)
        units = np.asarray(out[7], dtype=np.int64).reshape(-1)
        return spectra, undivided, units

    def _chunks(self, front, text: str) -> tuple[list[Chunk], bool]:
        """The model calls for `text`, and whether its words and G2P tokens pair (else no word times)."""
        from hibari.tts import _CLAUSE, MAX_PHONEMES

        chunks, paired = [], True
        for sent_at, sentence in sentence_spans(text, front.split_sentences):
            phonemes, word_starts = phonemes_by_word(front.g2p, sentence)
            paired = paired and bool(word_starts)
            words = [(sent_at + m.start(), m.end() - m.start()) for m in re.finditer(r"\S+", sentence)]
            for a, b in clause_chunks(phonemes, MAX_PHONEMES, _CLAUSE):
                kept = "".join(ch for ch in phonemes[a:b] if ch in front.vocab)
                if not kept:
                    continue
                # a phoneme string character -> its token in `kept` (the next kept one when it is not in the vocab)
                token_of, n = {}, 0
                for i in range(a, b):
                    token_of[i] = min(n, len(kept) - 1)
                    n += phonemes[i] in front.vocab
                ids = [0, *(front.vocab[ch] for ch in kept), 0]
                chunk_words = [(c, k, token_of[at]) for (c, k), at in zip(words, word_starts) if a <= at < b]
                chunks.append(Chunk(ids, kept, chunk_words))
        return chunks, paired

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        from hibari import dsp

        with self._lock:
            front, model = self._load(voice_name)
            chunks, timed = self._chunks(front, text)
            if not chunks:
                raise EngineError(f"hibari voice {voice_name!r} found nothing to say in {text[:60]!r}")
            timed = timed and self.word_times and model.timed
            rate = round(min(max(prosody.rate, RATE_LIMITS[0]), RATE_LIMITS[1]), 4)
            spans = [speech_span(chunk.phonemes) for chunk in chunks]
            speed = 1.0
            if model.timed and rate != 1.0:
                undivided = [
                    model.durations.run(None, {"ids": np.asarray([chunk.ids], np.int64)})[0].reshape(-1)
                    for chunk in chunks
                ]
                speed = speed_for_rate(
                    lambda sp: heard([frames_at(d, sp) for d in undivided], spans), rate, SPEED_LIMITS
                )
            pieces, boundaries, events = [], [], []
            at_1, rendered, offset = [], [], 0
            for index, chunk in enumerate(chunks):
                (lh, th, ln, lr, phi, f0), undivided, units = self._run(model, chunk.ids, speed)
                rng = np.random.Generator(np.random.PCG64([seed & 0xFFFFFFFFFFFFFFFF, index]))
                audio = np.asarray(dsp.synth(lh, th, ln, lr, phi, f0, rng), dtype=np.float32)
                if units is not None:
                    at_1.append(frames_at(undivided, 1.0))
                    rendered.append(units)
                    per_unit = lh.shape[1] // max(int(units.sum()), 1)
                    if per_unit * int(units.sum()) != lh.shape[1] or len(units) != len(chunk.ids):
                        timed = False
                    if timed:
                        starts = np.concatenate([[0], np.cumsum(units)]) * (per_unit * dsp.HOP)
                        onsets = phoneme_onsets(chunk.phonemes, starts, dsp.SR)
                        onsets = first_at_sound(onsets, chunk.phonemes, audio, dsp.SR)
                        events += [
                            WordEvent(char_start=c, char_len=n, sample=offset + onsets[token])
                            for c, n, token in chunk.words
                        ]
                pieces.append(audio)
                offset += len(audio)
                boundaries.append(offset)
            audio = np.concatenate(pieces)
            peak = float(np.max(np.abs(audio)))
            if peak < 1e-4:
                raise EngineError(f"hibari voice {voice_name!r} produced no sound for {text[:60]!r}")
            volume = round(min(max(prosody.volume, VOLUME_LIMITS[0]), VOLUME_LIMITS[1], PEAK_LIMIT / peak), 4)
            audio = np.clip(audio * np.float32(volume), -1.0, 1.0).astype(np.float32)
            # The realized rate: the heard ratio of the speech units at speed 1 and now (see the docstring).
            realized = round(heard(at_1, spans) / heard(rendered, spans), 4) if rendered else 1.0
            applied = Prosody(rate=realized, pitch=1.0, volume=volume)  # no pitch control
        return Synthesis(
            audio=audio,
            sample_rate=dsp.SR,
            prosody=applied,
            word_events=events if timed else None,
            boundaries=boundaries,
        )

    def close(self) -> None:
        self._voices.clear()
