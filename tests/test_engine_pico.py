"""SVOX Pico through Debian's pico2wave: both catalog voices render, deterministically, with honest prosody.

Needs Debian's libttspico-utils (non-free; CI installs it); without it locally these tests are skipped.
"""

import hashlib

import numpy as np
import pytest

from synth.engines.base import EngineError, Prosody, voice_available
from tests.conftest import engine_fixture, fresh_process_digest, unless_installed  # noqa: E402
from voices.catalog import load_catalog

CATALOG = load_catalog("pico_en")
pytestmark = unless_installed("pico", "pico_en", "SVOX Pico")
TEXT = "set a timer for fifteen minutes. what's the weather like in edinburgh tomorrow?"


engine = engine_fixture("pico", timeout_s=30)


def digest(audio: np.ndarray) -> str:
    return hashlib.sha256(audio.tobytes()).hexdigest()


def median_f0(audio: np.ndarray, rate: int) -> float:
    parselmouth = pytest.importorskip("parselmouth")
    f0 = parselmouth.Sound(audio.astype(np.float64), rate).to_pitch().selected_array["frequency"]
    return float(np.median(f0[f0 > 0]))


@pytest.mark.parametrize("voice", CATALOG, ids=lambda v: v.id)
def test_every_catalog_voice_renders_speech(engine, voice):
    out = engine.synthesize(TEXT, voice.engine_voice, Prosody(), seed=1)
    duration = len(out.audio) / out.sample_rate
    assert out.sample_rate == 16000 and out.audio.dtype == np.float32
    assert 20 * np.log10(np.sqrt(np.mean(out.audio**2))) > -30
    assert 2 < len(TEXT.split()) / duration < 5
    assert np.max(np.abs(out.audio)) < 1.0
    assert out.word_events is None and out.prosody == Prosody(1.0, 1.0, 1.0)
    assert voice.gender == "female" and voice.commercial_use is True  # Apache-2.0, as claimed


def test_same_bytes_whatever_came_before_and_in_a_fresh_process(engine):
    a = engine.synthesize(TEXT, "en-GB", Prosody(rate=1.1), seed=3)
    engine.synthesize("something else entirely.", "en-US", Prosody(rate=0.7, pitch=1.3), seed=9)
    b = engine.synthesize(TEXT, "en-GB", Prosody(rate=1.1), seed=3)
    assert digest(a.audio) == digest(b.audio)
    assert fresh_process_digest("pico", TEXT, "en-GB", 3, rate=1.1) == digest(a.audio)


@pytest.mark.parametrize("voice", ["en-US", "en-GB"])
def test_recorded_prosody_is_what_is_measured(engine, voice):
    base = engine.synthesize(TEXT, voice, Prosody(), seed=1)
    fast = engine.synthesize(TEXT, voice, Prosody(rate=1.3), seed=1)
    slow = engine.synthesize(TEXT, voice, Prosody(rate=0.75), seed=1)
    for out, asked in ((fast, 1.3), (slow, 0.75)):
        assert len(base.audio) / len(out.audio) == pytest.approx(out.prosody.rate, abs=1e-4)  # recorded = measured
        assert out.prosody.rate == pytest.approx(asked, rel=0.02)  # and close to what was asked
    for factor in (0.8, 1.25):
        shifted = engine.synthesize(TEXT, voice, Prosody(pitch=factor), seed=1)
        assert shifted.prosody.pitch == factor
        measured = median_f0(shifted.audio, shifted.sample_rate) / median_f0(base.audio, base.sample_rate)
        assert measured == pytest.approx(factor, rel=0.03)
    quiet = engine.synthesize(TEXT, voice, Prosody(volume=0.5), seed=1)
    assert quiet.prosody.volume == 0.5
    assert np.sqrt(np.mean(quiet.audio**2)) / np.sqrt(np.mean(base.audio**2)) == pytest.approx(0.5, rel=0.01)
    loud = engine.synthesize(TEXT, voice, Prosody(volume=3.0), seed=1)
    assert loud.prosody.volume < 3.0 and np.max(np.abs(loud.audio)) < 1.0  # capped below clipping, and says so
    assert np.max(np.abs(loud.audio)) / np.max(np.abs(base.audio)) == pytest.approx(loud.prosody.volume, rel=0.01)


def test_markup_in_text_is_refused_not_interpreted(engine):
    for text in ('<speed level="300">hello there</speed>', 'a <play file="/etc/passwd"> b', "x > y"):
        with pytest.raises(EngineError, match="markup"):
            engine.synthesize(text, "en-US", Prosody(), seed=1)
    # Text goes in on stdin: a leading dash is a word, not a pico2wave option.
    dashed = engine.synthesize("-w hello there", "en-US", Prosody(), seed=1)
    assert len(dashed.audio) / dashed.sample_rate > 0.5


def test_unknown_voice_is_named(engine):
    ok, why = voice_available("pico", "en-AU")
    assert not ok and "unknown Pico voice 'en-AU'" in why and "en-US" in why
    with pytest.raises(EngineError, match="unknown Pico voice 'en-AU'; known: en-US, en-GB"):
        engine.synthesize("hello.", "en-AU", Prosody(), seed=1)
