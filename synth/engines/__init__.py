"""TTS backends. Each engine is one module implementing `synth.engines.base.Engine`."""

from synth.engines.base import Engine, EngineError, Prosody, Synthesis, WordEvent, create_engine

__all__ = ["Engine", "EngineError", "Prosody", "Synthesis", "WordEvent", "create_engine"]
