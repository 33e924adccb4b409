"""Babble: several talkers at once, rendered from our own eSpeak NG voices once and cached.

A bank of clips is made at prepare time (a few seconds of engine work); items take a random
stretch of one clip, wrapping around, so no TTS runs per item.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soxr

from augment.cache import bank_key, require_bank, save_bank

DEFAULT_VOICES = (
    "en-us+f3",
    "en-us+m3",
    "en+f4",
    "en+m4",
    "en-gb-scotland+f2",
    "en-gb-scotland+m3",
    "en-029+f5",
    "en-029+m6",
    "en-us-nyc+f2",
    "en-us-nyc+m1",
    "en-gb-x-rp+f2",
    "en-gb-x-rp+m7",
)


def _texts() -> list[str]:
    from synth.normalize import builtin_spoken_texts

    return builtin_spoken_texts()


def _talker(
    engine, rng: np.random.Generator, voice: str, texts: list[str], samples: int, sample_rate: int
) -> np.ndarray:
    from synth.engines import Prosody

    pieces, total = [], 0
    while total < samples * 1.5:  # extra, so the talker can start mid-sentence
        text = texts[int(rng.integers(len(texts)))]
        out = engine.synthesize(text, voice, Prosody(), int(rng.integers(2**31)))
        audio = (
            soxr.resample(out.audio, out.sample_rate, sample_rate, quality="HQ")
            if out.sample_rate != sample_rate
            else out.audio
        )
        gap = np.zeros(int(sample_rate * rng.uniform(0.05, 0.4)), dtype=np.float32)
        pieces += [np.asarray(audio, dtype=np.float32), gap]
        total += len(audio) + len(gap)
    speech = np.concatenate(pieces)
    start = int(rng.integers(0, len(speech) - samples + 1))
    talker = speech[start : start + samples].astype(np.float64)
    level = np.sqrt(np.mean(np.square(talker)))
    return talker / level if level > 0 else talker


def bank(
    talkers: int, clips: int, seconds: float, seed: int, voices: tuple[str, ...], sample_rate: int, cache_dir: Path
) -> Path:
    from importlib.metadata import version

    texts = _texts()
    params = {
        "talkers": talkers,
        "clips": clips,
        "seconds": seconds,
        "seed": seed,
        "voices": list(voices),
        "sample_rate": sample_rate,
        "texts": len(texts),
        "texts_hash": bank_key("texts", {"t": texts}),
        "espeakng_loader": version("espeakng-loader"),
    }  # another engine build may render other samples
    folder = cache_dir / "babble" / bank_key("babble", params)
    if (folder / "index.json").exists():
        return folder
    from synth.engines import create_engine

    engine = create_engine("espeak")
    try:
        arrays, index = [], []
        samples = int(seconds * sample_rate)
        for c in range(clips):
            rng = np.random.default_rng([seed, c])
            chosen = [voices[int(i)] for i in rng.choice(len(voices), size=talkers, replace=len(voices) < talkers)]
            mix = sum(_talker(engine, rng, v, texts, samples, sample_rate) for v in chosen)
            mix = mix / np.sqrt(np.mean(np.square(mix)))
            arrays.append(mix.astype(np.float32))
            index.append({"clip": f"babble-{folder.name[:8]}-{c:02d}", "voices": chosen})
    finally:
        engine.close()
    save_bank(folder, arrays, index, params)
    return folder


def load(folder: str) -> tuple[list[np.ndarray], list[dict]]:
    return require_bank(folder, "babble")
