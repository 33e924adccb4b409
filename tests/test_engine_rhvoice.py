"""RHVoice through its C API (libRHVoice.so.5, Debian librhvoice5) or RHVoice-test: real voices, real audio.

Needs Debian non-free rhvoice rhvoice-english (and librhvoice5 for the in-process backend and word times;
RHVOICE_LIBRARY may name the library file). Without them locally these tests are skipped, naming what is missing.
"""

import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from synth.engines.base import EngineError, Prosody, create_engine, voice_available
from synth.engines.rhvoice import choose_backend, installed_voices
from tests.conftest import engine_fixture, unless_installed  # noqa: E402
from voices.catalog import load_catalog

CATALOG = load_catalog("rhvoice_en")
pytestmark = unless_installed("rhvoice", "rhvoice_en", "RHVoice")
try:
    HAS_LIBRARY = choose_backend("library")[0] == "library"
except EngineError:
    HAS_LIBRARY = False
needs_library = pytest.mark.skipif(not HAS_LIBRARY, reason="RHVoice's C API (Debian librhvoice5) is not installed")
TEXT = "set a timer for fifteen minutes. what's the weather like in edinburgh tomorrow?"


engine = engine_fixture("rhvoice", timeout_s=30)


def level(audio):
    """RMS level in dB full scale."""
    return 10 * np.log10(np.mean(audio.astype(np.float64) ** 2) + 1e-12)


def median_f0(audio, sr):
    import parselmouth

    f0 = parselmouth.Sound(audio.astype(np.float64), sr).to_pitch().selected_array["frequency"]
    return float(np.median(f0[f0 > 0]))


def digest(s):
    return hashlib.sha256(s.audio.tobytes()).hexdigest()


@pytest.mark.parametrize("voice", CATALOG, ids=lambda v: v.id)
def test_every_catalog_voice_renders_speech_with_aligned_word_times(engine, voice):
    out = engine.synthesize(TEXT, voice.engine_voice, Prosody(), seed=1)
    n, sr = len(out.audio), out.sample_rate
    assert sr == 24000 and out.audio.dtype == np.float32
    assert 20 * np.log10(np.sqrt(np.mean(out.audio**2))) > -30
    assert 1.5 < len(TEXT.split()) / (n / sr) < 5
    assert np.mean(np.abs(out.audio) >= 0.999) == 0
    assert out.prosody == Prosody(1.0, 1.0, 1.0)
    if not engine.word_times:
        assert out.word_events is None
        return
    tokens = TEXT.split()
    events = out.word_events
    assert [TEXT[e.char_start : e.char_start + e.char_len].strip(".?") for e in events] == [
        t.strip(".?") for t in tokens
    ]
    samples = [e.sample for e in events]
    assert samples == sorted(samples) and 0 <= samples[0] and samples[-1] < n
    first, last = samples[0], out.boundaries[-1] if out.boundaries else n
    lead, body, tail = (level(out.audio[a:b]) for a, b in ((0, first), (first, last), (last, n)))
    # Before the first word and after the last word ends: silence (or the voice's recorded room noise) ...
    assert first > 0 and last < n and lead < body - 15 and tail < body - 12
    # ... and the words start and end where the speech does: the first and last 50 ms of the span are loud.
    edge = int(0.05 * sr)
    assert level(out.audio[first : first + edge]) > lead + 6 and level(out.audio[last - edge : last]) > tail + 6
    # The sentence pause after "minutes." is a boundary, quiet, before "what's" starts.
    pause = next(b for b in out.boundaries if samples[5] < b < samples[6])
    assert level(out.audio[pause : samples[6]]) < body - 15
    # Every word's first 100 ms holds speech (alan's "what's" after the pause rises only 50 ms in).
    assert all(level(out.audio[s : s + 2 * edge]) > lead + 6 for s in samples)


def test_catalog_is_every_installed_english_voice_with_accent_and_licence():
    installed = {k for k, info in installed_voices().items() if info.get("language") == "English"}
    assert {v.engine_voice for v in CATALOG} == installed
    by_voice = {v.engine_voice: v for v in CATALOG}
    assert by_voice["alan"].accent == "en-gb-scotland" and by_voice["bdl"].accent == "en-us"
    assert by_voice["evgeniy-eng"].accent == by_voice["lyubov"].accent == "en-x-ru"
    for v in CATALOG:
        assert v.gender == installed_voices()[v.engine_voice]["gender"]
        assert v.commercial_use is (v.engine_voice not in ("evgeniy-eng", "lyubov"))
        assert os.path.isfile(v.license_file)
    assert "CC-BY-NC-ND-4.0" in by_voice["lyubov"].license


def test_same_bytes_whatever_came_before_and_in_a_fresh_process(engine):
    request = ("turn the lights off in the kitchen.", "clb", Prosody(rate=1.1, pitch=0.95))
    first = engine.synthesize(*request, seed=3)
    engine.synthesize("something else, entirely different.", "bdl", Prosody(rate=1.4, pitch=1.3), seed=9)
    engine.synthesize(TEXT, "evgeniy-eng", Prosody(), seed=1)
    again = engine.synthesize(*request, seed=3)
    assert digest(first) == digest(again) and first.word_events == again.word_events
    code = (
        "import hashlib, json; from synth.engines.base import create_engine, Prosody\n"
        "e = create_engine('rhvoice', timeout_s=30)\n"
        "s = e.synthesize('turn the lights off in the kitchen.', 'clb', Prosody(rate=1.1, pitch=0.95), seed=3)\n"
        "print(json.dumps([hashlib.sha256(s.audio.tobytes()).hexdigest(), [w.sample for w in s.word_events or []]]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(done.stdout) == [digest(first), [w.sample for w in first.word_events or []]]


def test_recorded_prosody_is_what_the_audio_measures(engine):
    base = engine.synthesize(TEXT, "slt", Prosody(), seed=1)
    fast = engine.synthesize(TEXT, "slt", Prosody(rate=1.25), seed=1)
    low = engine.synthesize(TEXT, "slt", Prosody(pitch=0.8), seed=1)
    quiet = engine.synthesize(TEXT, "slt", Prosody(volume=0.5), seed=1)
    assert fast.prosody.rate == 1.25 and low.prosody.pitch == 0.8 and quiet.prosody.volume == 0.5
    assert len(base.audio) / len(fast.audio) == pytest.approx(fast.prosody.rate, rel=0.02)
    f0_ratio = median_f0(low.audio, low.sample_rate) / median_f0(base.audio, base.sample_rate)
    assert f0_ratio == pytest.approx(low.prosody.pitch, rel=0.03)
    assert np.sqrt(np.mean(quiet.audio**2)) / np.sqrt(np.mean(base.audio**2)) == pytest.approx(0.5, rel=1e-3)
    # Outside RHVoice's range the request is clamped, and the label says so.
    clamped = engine.synthesize(TEXT, "slt", Prosody(rate=3.0, pitch=0.2), seed=1)
    assert clamped.prosody.rate == 2.0 and clamped.prosody.pitch == 0.5
    assert len(base.audio) / len(clamped.audio) == pytest.approx(2.0, rel=0.02)
    # A volume that would clip is lowered to what fits, and recorded as applied.
    loud = engine.synthesize(TEXT, "clb", Prosody(volume=2.0), seed=1)
    assert loud.prosody.volume < 2.0 and np.max(np.abs(loud.audio)) <= 1.0


def test_unknown_voice_is_refused_with_the_known_ones(engine):
    ok, why = voice_available("rhvoice", "nosuchvoice")
    assert not ok and "unknown RHVoice voice 'nosuchvoice'" in why and "slt" in why
    with pytest.raises(EngineError, match="unknown RHVoice voice 'nosuchvoice'; known: .*slt"):
        engine.synthesize("hello.", "nosuchvoice", Prosody(), seed=1)


@pytest.mark.parametrize("text", ["say <b>bold</b> now", "salt & pepper", "fifty % off", "press the # key", "   "])
def test_markup_and_symbols_it_would_read_aloud_are_refused(engine, text):
    with pytest.raises(EngineError, match="RHVoice"):
        engine.synthesize(text, "slt", Prosody(), seed=1)


@needs_library
def test_word_offsets_are_characters_not_bytes(engine):
    text = "café naïve résumé okay"
    out = engine.synthesize(text, "slt", Prosody(), seed=1)
    assert [text[e.char_start : e.char_start + e.char_len] for e in out.word_events] == text.split()


@needs_library
def test_command_backend_renders_the_same_samples_without_word_times(engine):
    command = create_engine("rhvoice", timeout_s=30, backend="command")
    a = engine.synthesize(TEXT, "alan", Prosody(rate=0.9, pitch=1.1, volume=0.8), seed=1)
    b = command.synthesize(TEXT, "alan", Prosody(rate=0.9, pitch=1.1, volume=0.8), seed=1)
    assert digest(a) == digest(b) and a.prosody == b.prosody
    assert a.word_events and b.word_events is None
