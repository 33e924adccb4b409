"""Babble: several talkers at once, rendered once by an engine the caller hands in, and cached.

A bank of clips is made at prepare time (a few seconds of engine work); items take a random
stretch of one clip, wrapping around, so no TTS runs per item. augment renders no speech of its
own: the run passes a `Talkers` (synth/talkers.py: eSpeak NG and the built-in prompts) to
`augment.prepare`, so this package never imports an engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Talkers:
    """Where babble's talkers come from: an engine and what they say, handed in by the caller.

    :param open_engine: () -> an engine with ``synthesize(text, voice, prosody, seed)`` returning
        ``.audio`` (float32 mono) and ``.sample_rate``, and ``close()``: the Engine seam of
        synth/engines/base.py. Opened only when a bank is not in the cache.
    :param prosody: what every talker speaks with (the engine's neutral prosody)
    :param texts: () -> the sentences talkers say, in the spoken form the engine is fed (called
        only when babble is asked for: normalizing them takes a moment)
    :param build: what identifies the engine's build, e.g. ``{"espeakng_loader": "0.2.4"}``; part of
        the bank's cache key, since another build may render other samples
    """

    open_engine: Callable[[], Any]
    prosody: Any
    texts: Callable[[], Sequence[str]]
    build: dict


def _talker(
    engine, prosody, texts: list[str], rng: np.random.Generator, voice: str, samples: int, sample_rate: int
) -> np.ndarray:
    pieces, total = [], 0
    while total < samples * 1.5:  # extra, so the talker can start mid-sentence
        text = texts[int(rng.integers(len(texts)))]
        out = engine.synthesize(text, voice, prosody, int(rng.integers(2**31)))
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
    talkers: int,
    clips: int,
    seconds: float,
    seed: int,
    voices: tuple[str, ...],
    sample_rate: int,
    cache_dir: Path,
    source: Talkers,
) -> Path:
    """The folder of a bank of babble clips, rendered now unless the cache holds it.

    :param talkers: voices mixed in each clip
    :param clips: how many clips
    :param seconds: length of each clip
    :param seed: draws the voices, sentences and gaps of every clip
    :param voices: the engine's voice names talkers are drawn from
    :param sample_rate: rate of the clips
    :param cache_dir: the augment cache; the bank goes under babble/<key of all of the above>
    :param source: the engine and sentences (`Talkers`)
    """
    texts = list(source.texts())
    params = {
        "talkers": talkers,
        "clips": clips,
        "seconds": seconds,
        "seed": seed,
        "voices": list(voices),
        "sample_rate": sample_rate,
        "texts": len(texts),
        "texts_hash": bank_key("texts", {"t": texts}),
        **source.build,
    }
    folder = cache_dir / "babble" / bank_key("babble", params)
    if (folder / "index.json").exists():
        return folder
    engine = source.open_engine()
    try:
        arrays, index = [], []
        samples = int(seconds * sample_rate)
        for c in range(clips):
            rng = np.random.default_rng([seed, c])
            chosen = [voices[int(i)] for i in rng.choice(len(voices), size=talkers, replace=len(voices) < talkers)]
            mix = sum(_talker(engine, source.prosody, texts, rng, v, samples, sample_rate) for v in chosen)
            mix = mix / np.sqrt(np.mean(np.square(mix)))
            arrays.append(mix.astype(np.float32))
            index.append({"clip": f"babble-{folder.name[:8]}-{c:02d}", "voices": chosen})
    finally:
        engine.close()
    save_bank(folder, arrays, index, params)
    return folder


def load(folder: str) -> tuple[list[np.ndarray], list[dict]]:
    """(clips, their index entries {"clip", "voices"}) of a bank folder made by `bank`."""
    return require_bank(folder, "babble")
