"""Festival through one `festival --pipe` process: every catalog voice renders, words are timed by
Festival, bytes do not depend on history or process, prosody labels are measured, text is never code.

Needs Debian's festival and festvox-* voice packages (CI installs them); without them locally these
tests are skipped, naming what is missing.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from synth.engines.base import EngineError, Prosody, create_engine, voice_available
from tests.conftest import engine_fixture, unless_installed  # noqa: E402
from voices.catalog import load_catalog

REPO = Path(__file__).resolve().parent.parent
CATALOG = load_catalog("festival_en")
VOICES = [v.engine_voice for v in CATALOG]
pytestmark = unless_installed("festival", "festival_en", "Festival or its voices")
TEXT = "set a timer for fifteen minutes. what's the weather like in edinburgh tomorrow?"


engine = engine_fixture("festival", timeout_s=60)


def digest(out) -> str:
    return hashlib.sha256(out.audio.tobytes()).hexdigest()


def median_f0(audio: np.ndarray, sample_rate: int) -> float:
    parselmouth = pytest.importorskip("parselmouth")
    f0 = parselmouth.Sound(audio.astype(np.float64), sample_rate).to_pitch().selected_array["frequency"]
    return float(np.median(f0[f0 > 0]))


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))


@pytest.mark.parametrize("voice", CATALOG, ids=lambda v: v.id)
def test_every_voice_speaks_with_ordered_word_times_inside_the_audio(engine, voice):
    out = engine.synthesize(TEXT, voice.engine_voice, Prosody(), seed=1)
    duration = len(out.audio) / out.sample_rate
    assert out.sample_rate == voice.extra["sample_rate"] and out.audio.dtype == np.float32
    assert 20 * np.log10(rms(out.audio)) > -35 and np.max(np.abs(out.audio)) < 1.0
    assert 1.5 < len(TEXT.split()) / duration < 6
    assert out.prosody == Prosody(1.0, 1.0, 1.0)
    words = [TEXT[e.char_start : e.char_start + e.char_len] for e in out.word_events]
    assert words == TEXT.replace(".", "").replace("?", "").split()  # one event per word, in order
    samples = [e.sample for e in out.word_events]
    assert samples == sorted(samples) and len(set(samples)) == len(samples)
    assert 0 < samples[0] < 0.5 * out.sample_rate and samples[-1] < len(out.audio) - 0.2 * out.sample_rate
    # Festival's word starts are not guesses: the audio is quiet just before the first word and loud
    # inside it; a boundary is the start of a pause that Festival put between two words.
    hop = out.sample_rate // 100
    assert rms(out.audio[samples[0] - 3 * hop : samples[0] - hop]) < 0.1 * rms(
        out.audio[samples[0] : samples[0] + 20 * hop]
    )
    for b in out.boundaries:
        assert samples[0] < b < samples[-1] and b not in samples
        assert rms(out.audio[b + hop : b + 6 * hop]) < 0.3 * rms(out.audio)


def test_same_bytes_whatever_ran_before_and_in_a_fresh_process(engine):
    first = {v: digest(engine.synthesize(TEXT, v, Prosody(), seed=1)) for v in VOICES}
    for v in reversed(VOICES):  # other voices, other texts, other prosody in between
        engine.synthesize("something else, entirely (with brackets).", v, Prosody(rate=1.3, pitch=1.2, volume=0.5), 2)
    again = {v: digest(engine.synthesize(TEXT, v, Prosody(), seed=1)) for v in reversed(VOICES)}
    assert again == first
    child = (
        "import hashlib, json, sys\n"
        "from synth.engines.base import Prosody, create_engine\n"
        "e = create_engine('festival', timeout_s=60)\n"
        f"voices, text = {list(reversed(VOICES))!r}, {TEXT!r}\n"
        "print(json.dumps({v: hashlib.sha256(e.synthesize(text, v, Prosody(), seed=1).audio.tobytes()).hexdigest()"
        " for v in voices}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", child], check=False, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == first
    # With one process at a time, every voice change restarts festival: still the same bytes.
    single = create_engine("festival", timeout_s=60, max_processes=1)
    try:
        assert {v: digest(single.synthesize(TEXT, v, Prosody(), seed=1)) for v in VOICES[::-1]} == first
    finally:
        single.close()


@pytest.mark.parametrize("voice", ["kal_diphone", "cmu_us_slt_arctic_hts"])
def test_recorded_prosody_is_what_the_audio_measures(engine, voice):
    base = engine.synthesize(TEXT, voice, Prosody(), seed=1)
    fast = engine.synthesize(TEXT, voice, Prosody(rate=1.25), seed=1)
    assert fast.prosody.rate == 1.25
    assert len(base.audio) / len(fast.audio) == pytest.approx(fast.prosody.rate, rel=0.03)
    assert fast.word_events[-1].sample < 0.85 * base.word_events[-1].sample  # word times follow the rate
    high = engine.synthesize(TEXT, voice, Prosody(pitch=1.2), seed=1)
    f0_ratio = median_f0(high.audio, high.sample_rate) / median_f0(base.audio, base.sample_rate)
    assert high.prosody.pitch == (1.0 if voice.endswith("_hts") else 1.2)  # the HTS wrapper has no pitch control
    assert f0_ratio == pytest.approx(high.prosody.pitch, rel=0.03)
    quiet = engine.synthesize(TEXT, voice, Prosody(volume=0.5), seed=1)
    assert quiet.prosody.volume == 0.5 and rms(quiet.audio) / rms(base.audio) == pytest.approx(0.5, rel=0.01)
    loud = engine.synthesize(TEXT, voice, Prosody(volume=4.0), seed=1)  # limited so nothing clips, and says so
    peak = float(np.max(np.abs(base.audio)))
    assert loud.prosody.volume == pytest.approx(min(4.0, 1 / peak), abs=2e-4) and np.max(np.abs(loud.audio)) <= 1.0
    assert np.max(np.abs(loud.audio)) == pytest.approx(loud.prosody.volume * peak, rel=1e-6)


def test_quotes_backslashes_and_parentheses_are_spoken_not_evaluated(engine):
    before = digest(engine.synthesize(TEXT, "kal_diphone", Prosody(), seed=1))
    hostile = 'he said "stop" \\" (quit)) (voice_rab_diphone) (Parameter.set \'Duration_Stretch 9) back\\slash done'
    out = engine.synthesize(hostile, "kal_diphone", Prosody(), seed=1)
    spoken = [hostile[e.char_start : e.char_start + e.char_len] for e in out.word_events]
    # Festival's tokens drop the punctuation around a word; the backslash is a word of its own.
    assert spoken == [
        "he",
        "said",
        "stop",
        "\\",
        "quit",
        "voice_rab_diphone",
        "Parameter.set",
        "Duration_Stretch",
        "9",
        "back\\slash",
        "done",
    ]
    assert 5 < len(out.audio) / out.sample_rate < 20
    # Nothing was run: the same process still renders the same bytes at the same speed in the same voice.
    assert digest(engine.synthesize(TEXT, "kal_diphone", Prosody(), seed=1)) == before
    unicode_text = "café naïve – “quoted” done"
    out = engine.synthesize(unicode_text, "kal_diphone", Prosody(), seed=1)
    spoken = [unicode_text[e.char_start : e.char_start + e.char_len] for e in out.word_events]
    assert spoken == ["café", "naïve", "quoted", "done"]  # offsets into the text as given


def test_unknown_voice_is_refused_with_a_reason(engine):
    for bad in ["nope", "kal_diphone) (quit", "../kal_diphone"]:
        ok, why = voice_available("festival", bad)
        assert not ok and f"unknown Festival voice {bad!r}" in why and "kal_diphone" in why
        with pytest.raises(EngineError, match="unknown Festival voice"):
            engine.synthesize("hello there.", bad, Prosody(), seed=1)
    assert engine.synthesize("hello there.", "ked_diphone", Prosody(), seed=1).word_events


def test_catalog_licences_follow_the_debian_copyright_files():
    by_voice = {v.engine_voice: v for v in CATALOG}
    assert by_voice["rab_diphone"].commercial_use is False and "non-commercial" in by_voice["rab_diphone"].license
    assert all(by_voice[v].commercial_use is True for v in ("kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts"))
    for voice in CATALOG:
        assert Path(voice.license_file).is_file() and voice.license_terms
    oald = Path(by_voice["rab_diphone"].extra["lexicon_license_file"]).read_text(encoding="utf-8", errors="replace")
    assert "non-commercial" in oald  # why rab is not for commercial use
