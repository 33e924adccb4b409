"""Flite through Debian's libflite (ctypes, in-process): every catalog voice, its word times and its prosody labels.

Needs Debian's libflite1 (CI installs it); without it locally these tests are skipped, naming what is missing.
"""

import hashlib
import itertools
import subprocess
import sys

import numpy as np
import pytest

from synth.engines.base import EngineError, Prosody, create_engine, voice_available
from tests.conftest import engine_fixture, unless_installed  # noqa: E402
from voices.catalog import load_catalog

CATALOG = load_catalog("voices/flite_en.yaml")
pytestmark = unless_installed("flite", "flite_en", "Flite")
VOICES = [v.engine_voice for v in CATALOG]
TEXT = (
    "set a timer for fifteen minutes, then turn off the kitchen lights. what's the weather like in edinburgh tomorrow?"
)
LONG = "please turn the volume down to forty percent and remind me to buy eggs, milk and bread before the shop closes"


engine = engine_fixture("flite", timeout_s=30)


def digest(out) -> str:
    return hashlib.sha256(out.audio.tobytes()).hexdigest()


def frame_db(audio: np.ndarray, rate: int, frame_s: float = 0.01) -> np.ndarray:
    hop = int(rate * frame_s)
    frames = audio[: len(audio) // hop * hop].reshape(-1, hop).astype(np.float64)
    energy = (frames**2).mean(axis=1) + 1e-20
    return 10 * np.log10(energy / energy.max())


def median_f0(out) -> float:
    parselmouth = pytest.importorskip("parselmouth")
    pitch = parselmouth.Sound(out.audio.astype(np.float64), out.sample_rate).to_pitch(
        time_step=0.01, pitch_floor=50, pitch_ceiling=500
    )
    f0 = pitch.selected_array["frequency"]
    return float(np.median(f0[f0 > 0]))


def test_catalog_labels_carry_accent_gender_and_a_permissive_licence():
    by_voice = {v.engine_voice: v for v in CATALOG}
    assert set(by_voice) == {"awb", "rms", "slt", "kal16"}
    assert by_voice["awb"].accent == "en-gb-scotland" and by_voice["awb"].gender == "male"
    assert by_voice["slt"].gender == "female" and by_voice["rms"].accent == "en-us"
    assert all(v.commercial_use is True and v.license_file == "/usr/share/doc/flite/copyright" for v in CATALOG)


@pytest.mark.parametrize("voice", VOICES)
def test_every_catalog_voice_renders_speech(engine, voice):
    out = engine.synthesize(TEXT, voice, Prosody(), seed=1)
    duration = len(out.audio) / out.sample_rate
    assert out.sample_rate == 16000 and out.audio.dtype == np.float32 and out.audio.ndim == 1
    assert 20 * np.log10(np.sqrt(np.mean(out.audio**2))) > -35
    assert 1.5 < len(TEXT.split()) / duration < 5
    assert np.max(np.abs(out.audio)) < 1.0 and out.prosody == Prosody(1.0, 1.0, 1.0)


@pytest.mark.parametrize("voice", VOICES)
def test_word_times_are_ordered_inside_the_audio_and_where_the_energy_is(engine, voice):
    out = engine.synthesize(TEXT, voice, Prosody(), seed=1)
    tokens = TEXT.split()
    events = out.word_events
    assert [TEXT[e.char_start : e.char_start + e.char_len] for e in events] == tokens  # one per token, in order
    samples = [e.sample for e in events]
    assert all(a < b for a, b in itertools.pairwise(samples)) and 0 <= samples[0] and samples[-1] < len(out.audio)
    db = frame_db(out.audio, out.sample_rate)
    loud = np.flatnonzero(db > -35)
    hop = int(out.sample_rate * 0.01)
    # Speech starts where the first word does (within 60 ms), and ends after the last word starts.
    assert abs(loud[0] * hop - samples[0]) < 0.06 * out.sample_rate
    assert loud[-1] * hop > samples[-1]
    # Every word's span holds speech; the pauses flite reports (at the comma and the full stop) are quiet.
    for start, end in zip(samples, samples[1:] + [len(out.audio)]):
        assert db[start // hop : end // hop].max() > -25
    assert len(out.boundaries) == 2
    for cut in out.boundaries:
        nxt = min(s for s in samples if s > cut)
        assert nxt - cut > 0.03 * out.sample_rate and np.median(db[cut // hop + 1 : nxt // hop - 1]) < -35


def test_same_request_gives_the_same_bytes_whatever_was_rendered_before(engine):
    first = {v: digest(engine.synthesize(TEXT, v, Prosody(1.1, 0.9, 1.0), seed=7)) for v in VOICES}
    for v in reversed(VOICES):  # other texts, prosody and seeds in between
        engine.synthesize(LONG, v, Prosody(0.8, 1.2, 0.5), seed=3)
    assert {v: digest(engine.synthesize(TEXT, v, Prosody(1.1, 0.9, 1.0), seed=7)) for v in reversed(VOICES)} == first
    code = (
        "import hashlib, sys; from synth.engines.base import Prosody, create_engine; e = create_engine('flite');"
        f"[print(v, hashlib.sha256(e.synthesize({TEXT!r}, v, Prosody(1.1, 0.9, 1.0), seed=7).audio.tobytes())"
        f".hexdigest()) for v in {list(reversed(VOICES))!r}]"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert dict(line.split() for line in done.stdout.splitlines()) == first


def test_the_seed_picks_the_excitation_noise_of_the_statistical_voices(engine):
    assert digest(engine.synthesize(TEXT, "slt", Prosody(), seed=1)) != digest(
        engine.synthesize(TEXT, "slt", Prosody(), seed=2)
    )


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("rate", [0.8, 1.25])
def test_recorded_rate_is_the_measured_speed_up(engine, voice, rate):
    base = engine.synthesize(LONG, voice, Prosody(), seed=4)
    out = engine.synthesize(LONG, voice, Prosody(rate=rate), seed=4)
    measured = len(base.audio) / len(out.audio)
    assert out.prosody.rate == pytest.approx(rate, rel=0.001)
    assert measured == pytest.approx(out.prosody.rate, rel=0.02)
    assert out.word_events[-1].sample == pytest.approx(base.word_events[-1].sample / measured, rel=0.03)


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("pitch", [0.85, 1.2])
def test_recorded_pitch_is_the_f0_factor_parselmouth_measures(engine, voice, pitch):
    base = engine.synthesize(LONG, voice, Prosody(), seed=4)
    out = engine.synthesize(LONG, voice, Prosody(pitch=pitch), seed=4)
    if voice == "rms":  # its F0 model ignores flite's controls: nothing applied, nothing claimed
        assert out.prosody.pitch == 1.0 and digest(out) == digest(base)
        return
    assert out.prosody.pitch == pytest.approx(pitch)
    assert median_f0(out) / median_f0(base) == pytest.approx(out.prosody.pitch, rel=0.03)


def test_pitch_labels_have_a_log_log_slope_of_one(engine):
    # the audit's measure (Praat autocorrelation F0, at the corpus rate), on texts the calibration did not see;
    # uncalibrated, kal16 realized control ** 1.045 (1.046 here). (awb's 1.02 is within the spread of two texts.)
    voice = "kal16"
    from synth.audio_io import resample
    from synth.audit.prosody import median_f0 as audit_f0
    from synth.audit.prosody import slope

    def f0(out):
        return audit_f0(resample(out.audio, out.sample_rate, 16000), 16000)

    labels, realized = [], []
    for seed, text in enumerate((TEXT, LONG)):
        base = f0(engine.synthesize(text, voice, Prosody(), seed=seed))
        for asked in (0.8, 0.9, 1.1, 1.25):
            out = engine.synthesize(text, voice, Prosody(pitch=asked), seed=seed)
            labels.append(out.prosody.pitch)
            realized.append(f0(out) / base)
    assert slope(labels, realized) == pytest.approx(1.0, abs=0.012)


def test_volume_is_a_linear_factor_and_never_clips(engine):
    base = engine.synthesize(TEXT, "slt", Prosody(), seed=2)
    half = engine.synthesize(TEXT, "slt", Prosody(volume=0.5), seed=2)
    assert half.prosody.volume == 0.5
    assert np.max(np.abs(half.audio)) == pytest.approx(0.5 * np.max(np.abs(base.audio)), rel=1e-4)
    loud = engine.synthesize(TEXT, "slt", Prosody(volume=4.0), seed=2)
    assert np.max(np.abs(loud.audio)) <= 1.0
    assert loud.prosody.volume == pytest.approx(np.max(np.abs(loud.audio)) / np.max(np.abs(base.audio)), rel=1e-3)


def test_accented_letters_are_folded_and_word_offsets_stay_on_the_given_text(engine):
    text = "order a café crème at noël"
    out = engine.synthesize(text, "kal16", Prosody(), seed=0)
    assert [text[e.char_start : e.char_start + e.char_len] for e in out.word_events] == text.split()


def test_unknown_voice_is_a_clear_error_and_unavailable_with_the_reason(engine):
    ok, why = voice_available("flite", "nosuch")
    assert not ok and "unknown Flite voice 'nosuch'" in why and "slt" in why
    with pytest.raises(EngineError, match=r"unknown Flite voice 'nosuch'; known: awb, kal, kal16, rms, slt"):
        engine.synthesize(TEXT, "nosuch", Prosody())
    with pytest.raises(EngineError, match="nothing to say"):
        engine.synthesize("日本", "slt", Prosody())
    with pytest.raises(EngineError, match="no words to speak"):
        engine.synthesize("... - ?", "slt", Prosody())
    with pytest.raises(EngineError, match="unknown engines.flite option"):
        create_engine("flite", timeout_s=5, voices_dir="/tmp")
