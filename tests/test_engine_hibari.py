"""hibari-tts, its packaged voice "heart": speech, determinism, measured rate, word times, no markup.

Needs the pip package hibari-tts (CI installs it); without it locally these tests are skipped.
"""

import hashlib
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from synth.engines.base import EngineError, Prosody, create_engine, voice_available
from tests.conftest import fresh_process_digest, word_start_errors  # noqa: E402
from voices.catalog import load_catalog

CATALOG = load_catalog("hibari_en")
AVAILABLE, WHY = voice_available("hibari", "heart")
pytestmark = pytest.mark.skipif(not AVAILABLE, reason=f"hibari-tts not installed ({WHY})")
TEXT = "Add eggs, butter and two lemons to my shopping list. Then call Mom on speaker."


@pytest.fixture(scope="module")
def engine():
    return create_engine("hibari", timeout_s=30)


@pytest.fixture(scope="module")
def base(engine):
    return engine.synthesize(TEXT, "heart", Prosody(), seed=1)


def digest(audio: np.ndarray) -> str:
    return hashlib.sha256(audio.tobytes()).hexdigest()


def test_catalog_voice_renders_speech(base):
    (voice,) = CATALOG
    assert voice.engine_voice == "heart" and voice.gender == "female" and voice.accent == "en-us"
    assert voice.commercial_use is True and "Apache-2.0" in voice.license
    licence = Path(metadata.distribution("hibari-tts").locate_file(voice.license_file))
    assert licence.is_file() and "Apache License" in licence.read_text(encoding="utf-8")[:400]
    duration = len(base.audio) / base.sample_rate
    assert base.sample_rate == 24000 and base.audio.dtype == np.float32
    assert 20 * np.log10(np.sqrt(np.mean(base.audio**2))) > -35
    assert 1.5 < len(TEXT.split()) / duration < 5
    assert base.prosody == Prosody(1.0, 1.0, 1.0)
    assert base.boundaries[-1] == len(base.audio) and len(base.boundaries) == 2  # one per sentence


def test_word_times_cover_every_word_in_order(base):
    events = base.word_events
    words = TEXT.split()
    assert events is not None and len(events) == len(words)
    assert [TEXT[e.char_start : e.char_start + e.char_len] for e in events] == words
    samples = [e.sample for e in events]
    assert samples == sorted(samples) and len(set(samples)) == len(samples) and samples[-1] < len(base.audio)
    # Each word starts where there is sound soon after, and the sentence break ("list." -> "Then") is a pause.
    frame = base.sample_rate // 50
    for s in samples:
        assert np.sqrt(np.mean(base.audio[s : s + 8 * frame] ** 2)) > 0.005
    gaps = np.diff(samples)
    assert gaps[words.index("Then") - 1] == max(gaps)


def test_same_bytes_whatever_came_before_and_in_a_fresh_process(engine, base):
    engine.synthesize("something else entirely.", "heart", Prosody(rate=1.3), seed=9)
    again = engine.synthesize(TEXT, "heart", Prosody(), seed=1)
    assert digest(again.audio) == digest(base.audio)
    other_seed = engine.synthesize(TEXT, "heart", Prosody(), seed=2)
    assert digest(other_seed.audio) != digest(base.audio) and len(other_seed.audio) == len(base.audio)
    assert fresh_process_digest("hibari", TEXT, "heart", 1) == digest(base.audio)


def test_recorded_prosody_is_what_is_measured(engine, base):
    from synth.audit.prosody import speech_span

    for asked in (0.8, 0.9, 1.1, 1.25):
        out = engine.synthesize(TEXT, "heart", Prosody(rate=asked, pitch=1.2, volume=0.5), seed=1)
        # recorded = heard: the speech span (first to last speech frame, the audit's measure) shrinks by it
        heard = speech_span(base.audio, base.sample_rate) / speech_span(out.audio, out.sample_rate)
        assert heard == pytest.approx(out.prosody.rate, rel=0.02)
        assert out.prosody.rate == pytest.approx(asked, rel=0.02)
        assert out.prosody.pitch == 1.0  # hibari has no pitch control: not applied, not claimed
        assert out.prosody.volume == 0.5
    parselmouth = pytest.importorskip("parselmouth")

    def median_f0(audio):
        f0 = parselmouth.Sound(audio.astype(np.float64), 24000).to_pitch().selected_array["frequency"]
        return np.median(f0[f0 > 0])

    asked_higher = engine.synthesize(TEXT, "heart", Prosody(pitch=1.3), seed=1)
    assert median_f0(asked_higher.audio) / median_f0(base.audio) == pytest.approx(1.0, abs=0.02)
    loud = engine.synthesize(TEXT, "heart", Prosody(volume=4.0), seed=1)
    assert np.max(np.abs(loud.audio)) < 1.0 and loud.prosody.volume < 4.0
    assert np.max(np.abs(loud.audio)) / np.max(np.abs(base.audio)) == pytest.approx(loud.prosody.volume, rel=0.01)


def test_word_starts_agree_with_the_forced_aligner(engine):
    errors = word_start_errors(engine, ("heart",))
    # the goal: <= 30 ms median, <= 80 ms p90 (word starts were a median 80 ms late before)
    assert np.median(errors) <= 0.030 and np.percentile(errors, 90) <= 0.080


def test_markup_in_text_is_not_interpreted(engine):
    # hibari's own G2P reads "[word](/phonemes/)" as the word's pronunciation; "(//)" would silence it.
    from hibari import Hibari

    marked = "Say [banana](//) now."
    silenced = len(Hibari()(marked, seed=1))
    without = len(engine.synthesize("Say now.", "heart", Prosody(), seed=1).audio)
    out = engine.synthesize(marked, "heart", Prosody(), seed=1)
    assert abs(silenced - without) < 0.15 * 24000  # what interpreting it would sound like
    assert len(out.audio) - without > 0.3 * 24000  # here "banana" is spoken
    assert [marked[e.char_start : e.char_start + e.char_len] for e in out.word_events] == marked.split()


def test_unknown_and_downloadable_voices_are_refused(engine):
    ok, why = voice_available("hibari", "emma")
    assert not ok and "not in the package" in why and "heart" in why
    with pytest.raises(EngineError, match="'emma' is not in the package"):
        engine.synthesize("hello.", "emma", Prosody(), seed=1)
    ok, why = voice_available("hibari", "nobody")
    assert not ok and why == "unknown hibari voice 'nobody'; packaged: heart"
    with pytest.raises(EngineError, match="unknown hibari voice 'nobody'"):
        engine.synthesize("hello.", "nobody", Prosody(), seed=1)
