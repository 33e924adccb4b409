"""MBROLA voices through Debian's eSpeak NG: every voice of the shipped catalog renders here.

Needs the Debian packages that scripts/install_mbrola.sh installs (CI runs that script); without
them locally these tests are skipped, naming what is missing.
"""

import hashlib

import numpy as np
import pytest

from synth.engines.base import EngineError, Prosody, create_engine, voice_available
from voices.catalog import load_catalog

CATALOG = load_catalog("mbrola_en")
MISSING = sorted({why for v in CATALOG for ok, why in [voice_available("mbrola", v.engine_voice)] if not ok})
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"MBROLA voice pack not installed ({'; '.join(MISSING)[:300]})")
TEXT = "set a timer for fifteen minutes. what's the weather like in edinburgh tomorrow?"


@pytest.fixture(scope="module")
def engine():
    return create_engine("mbrola", timeout_s=30)


@pytest.mark.parametrize("voice", CATALOG, ids=lambda v: v.id)
def test_every_catalog_voice_renders_speech(engine, voice):
    out = engine.synthesize(TEXT, voice.engine_voice, Prosody(), seed=1)
    duration = len(out.audio) / out.sample_rate
    assert out.sample_rate in (16000, 22050) and out.audio.dtype == np.float32
    assert 20 * np.log10(np.sqrt(np.mean(out.audio**2))) > -35
    assert 1.5 < len(TEXT.split()) / duration < 6
    assert np.mean(np.abs(out.audio) >= 0.999) < 0.001  # the default amplitude leaves headroom
    assert out.word_events is None and out.prosody == Prosody(1.0, 1.0, 1.0)


def test_catalog_labels_carry_accent_gender_and_licence():
    by_id = {v.id: v for v in CATALOG}
    assert {v.accent for v in CATALOG} >= {"en-us", "en-gb", "en-x-de", "en-x-fr", "en-x-pl", "en-x-sv"}
    assert by_id["mb-us1"].gender == "female" and by_id["mb-de4-en"].gender == "male"
    assert all("non-commercial" in v.license for v in CATALOG if v.id != "mb-en1")
    assert all(v.to_speaker()["engine"] == "mbrola" for v in CATALOG)


def test_same_request_same_bytes_and_prosody_applied(engine):
    a = engine.synthesize(TEXT, "mb-de4-en", Prosody(), seed=1)
    engine.synthesize("something else.", "mb-us2", Prosody(rate=1.3), seed=2)
    b = engine.synthesize(TEXT, "mb-de4-en", Prosody(), seed=1)
    assert hashlib.sha256(a.audio.tobytes()).digest() == hashlib.sha256(b.audio.tobytes()).digest()
    slow = engine.synthesize(TEXT, "mb-de4-en", Prosody(rate=0.8, pitch=1.2, volume=0.5), seed=1)
    assert slow.prosody == Prosody(rate=0.8, pitch=1.2, volume=0.5)
    assert 1.1 < len(slow.audio) / len(a.audio) < 1.4
    assert np.sqrt(np.mean(slow.audio**2)) < 0.7 * np.sqrt(np.mean(a.audio**2))


def test_unknown_voice_and_missing_database_are_named(engine):
    with pytest.raises(EngineError, match="no MBROLA voice 'mb-xx9'"):
        engine.synthesize("hello.", "mb-xx9", Prosody(), seed=1)
    ok, why = voice_available("mbrola", "mb-ic1")  # Icelandic: a voice file exists, its database is not installed
    if not ok:
        assert "mbrola-ic1" in why
        with pytest.raises(EngineError, match="mbrola-ic1"):
            engine.synthesize("hello.", "mb-ic1", Prosody(), seed=1)
