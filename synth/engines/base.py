"""The engine seam: what every TTS backend gives the renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from seams import Registry


class EngineError(RuntimeError):
    """An engine could not start, or could not render one item (the item is then rejected)."""


class EngineCrash(EngineError):
    """The machine failed, not the item: the engine's process died or was killed, or a render ran
    past its time limit. Such a rejection says cause "machine" and a resume renders the item again."""


# What engines and their helpers say when a process, not the text, failed: eSpeak NG's zygote
# protocol, and the subprocess engines' timeouts and dead pipes (MBROLA, Pico, RHVoice, Festival).
_CRASH_WORDS = ("timed out", "killed by signal", "exited", "died", "stopped", "no answer within")


def is_crash(exc: EngineError) -> bool:
    """Whether a render failure was the machine's (see EngineCrash), by type or by what it says."""
    return isinstance(exc, EngineCrash) or any(w in str(exc).lower() for w in _CRASH_WORDS)


def engine_failure(message: str) -> EngineError:
    """An EngineCrash when `message` (an engine helper's error) names a dead or timed-out process."""
    return EngineCrash(message) if is_crash(EngineError(message)) else EngineError(message)


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
    """What `Engine.synthesize` returns: the samples and what the engine knows about them."""

    audio: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    prosody: Prosody  # as applied (after the engine's own rounding/clamping)
    word_events: list[WordEvent] | None  # None: this engine cannot time words
    boundaries: list[int]  # samples where the engine ended a clause or sentence (pauses)


class Engine(Protocol):
    """A TTS backend. Built by `create_engine(name, **options)`, once per worker process, and kept.

    A module implementing one may also define ``voice_available(engine_voice, **options) ->
    (bool, why not)``, asked at start-up without loading a model (see `voice_available` below).
    """

    name: str  # the registry name (a catalog's `engine` field)

    def synthesize(self, text: str, voice_name: str, prosody: Prosody, seed: int = 0) -> Synthesis:
        """Render `text`; the same arguments must give the same samples, in any process, at any time.

        :param text: the spoken form (normalized: digits, abbreviations and symbols written out)
        :param voice_name: the engine's own voice name (a catalog's `engine_voice`)
        :param prosody: rate, pitch and volume relative to the voice's defaults
        :param seed: for engines that sample (e.g. a sampled duration); others ignore it
        :returns: the audio at the engine's native rate, the prosody as applied, word onsets if known
        :raises EngineError: the item cannot be rendered (EngineCrash: the process, not the text, failed)
        """

    def close(self) -> None:
        """Stop helper processes and free models; the engine is not used afterwards."""


# Engine name (the catalogs' `engine` field) -> "module:class". Modules import lazily, so an optional
# backend costs nothing unless a catalog uses it.
ENGINES = Registry(
    "engine",
    {
        "espeak": "synth.engines.espeak:EspeakEngine",
        "mbrola": "synth.engines.mbrola:MbrolaEngine",
        "piper": "synth.engines.piper:PiperEngine",
        "coqui": "synth.engines.coqui:CoquiEngine",
        "rhvoice": "synth.engines.rhvoice:RHVoiceEngine",
        "flite": "synth.engines.flite:FliteEngine",
        "festival": "synth.engines.festival:FestivalEngine",
        "pico": "synth.engines.pico:PicoEngine",
        "kokoro": "synth.engines.kokoro:KokoroEngine",
        "hibari": "synth.engines.hibari:HibariEngine",
    },
    EngineError,
)


def create_engine(name: str, **options) -> Engine:
    """Build an engine by its catalog name; imports lazily so optional backends cost nothing unused.

    :param name: a name in ENGINES (a voice catalog's `engine` field)
    :param options: ``engines.<name>.*`` from the config, and ``timeout_s``
    :raises EngineError: for an unknown name (with did-you-mean), or what the engine refuses
    """
    return ENGINES.load(name)(**options)


def voice_available(name: str, engine_voice: str, **options) -> tuple[bool, str]:
    """Whether this machine has what `engine_voice` needs (without loading a model), and if not, why.

    :param name: the engine's registry name
    :param engine_voice: the engine's own voice name
    :param options: ``engines.<name>.*``, as the answer may depend on them (a voices folder)
    :returns: (True, "") or (False, the reason)
    """
    if name not in ENGINES:
        return False, ENGINES.unknown(name)
    try:
        module = ENGINES.module(name)
    except ImportError as exc:
        return False, f"engine {name!r} cannot be imported: {exc}"
    check = getattr(module, "voice_available", None)
    return check(engine_voice, **options) if check else (True, "")
