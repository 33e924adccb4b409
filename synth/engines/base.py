"""The engine seam: what every TTS backend gives the renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


class EngineError(RuntimeError):
    """An engine could not start, or could not render one item (the item is then rejected)."""


@dataclass(frozen=True)
class Prosody:
    """Relative prosody: 1.0 is the voice's own default. Engines report what they really applied."""

    rate: float = 1.0  # speaking-rate factor
    pitch: float = 1.0  # factor on the voice's base pitch
    volume: float = 1.0  # linear amplitude factor

    def to_dict(self) -> dict:
        return {"rate": self.rate, "pitch": self.pitch, "volume": self.volume}


@dataclass(frozen=True)
class WordEvent:
    """The engine says: the word starting at `char_start` of the input text begins at `sample`."""

    char_start: int  # 0-based character offset into the text the engine was given
    char_len: int
    sample: int  # at the engine's native sample rate


@dataclass(frozen=True)
class Synthesis:
    audio: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    prosody: Prosody  # as applied (after the engine's own rounding/clamping)
    word_events: list[WordEvent] | None  # None: this engine cannot time words
    boundaries: list[int]  # samples where the engine ended a clause or sentence (pauses)


class Engine(Protocol):
    name: str

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        """Render `text`; the same arguments must give the same samples, in any process, at any time."""

    def close(self) -> None: ...


def create_engine(name: str, **options) -> Engine:
    """Build an engine by its catalog name; imports lazily so optional backends cost nothing unused."""
    if name == "espeak":
        from synth.engines.espeak import EspeakEngine

        return EspeakEngine(**options)
    raise EngineError(f"unknown engine {name!r}; known: espeak")
