"""The real eSpeak NG engine: determinism per item, prosody, errors, word events."""

import os
import signal
import threading
import time

import numpy as np
import pytest

from synth.engines import EngineError, Prosody, create_engine
from synth.engines.espeak import espeak_parameters
from voices.perturb import median_f0

TEXT = "Set a timer for fifteen minutes, then play some music."
PITCH_TEXTS = [TEXT, "What is the weather like in Edinburgh tomorrow?", "Turn off the kitchen lights."]


def test_renders_speech_at_native_rate(engine):
    out = engine.synthesize(TEXT, "en-us+f3", Prosody())
    assert out.sample_rate == 22050
    assert out.audio.dtype == np.float32
    duration = len(out.audio) / out.sample_rate
    assert 2.0 < duration < 6.0, duration  # ten words at ~175 wpm
    assert np.sqrt(np.mean(out.audio**2)) > 0.01
    assert len(out.word_events) >= 8


def test_same_item_same_bytes_whatever_came_before(engine):
    first = engine.synthesize(TEXT, "en+m3", Prosody()).audio.tobytes()
    for other in ("Hello there.", "What time is it in Glasgow?", "Nineteen ninety nine."):
        engine.synthesize(other, "en-gb-scotland+f2", Prosody(rate=1.2, pitch=0.8))
    again = engine.synthesize(TEXT, "en+m3", Prosody()).audio.tobytes()
    assert first == again


def test_same_bytes_across_engine_instances(engine):
    other = create_engine("espeak")
    try:
        other.synthesize("Warm up with something else entirely.", "en-us+m1", Prosody())
        assert (
            other.synthesize(TEXT, "en-029+f1", Prosody()).audio.tobytes()
            == engine.synthesize(TEXT, "en-029+f1", Prosody()).audio.tobytes()
        )
    finally:
        other.close()


def test_rate_changes_duration(engine):
    slow = engine.synthesize(TEXT, "en-us+m3", Prosody(rate=0.8))
    fast = engine.synthesize(TEXT, "en-us+m3", Prosody(rate=1.25))
    assert len(slow.audio) > 1.3 * len(fast.audio)
    assert slow.prosody.rate == pytest.approx(140 / 175)


def test_prosody_is_clamped_and_reported_as_applied():
    params, applied = espeak_parameters(Prosody(rate=10.0, pitch=5.0, volume=0.5))
    assert params == {"rate": 450, "pitch": 99, "volume": 50}
    # pitch: the highest setting, recorded as the F0 factor it gives (espeak_pitch.PITCH_CURVE), not 99/50
    assert applied.rate == round(450 / 175, 4) and applied.pitch == 1.6823 and applied.volume == 0.5
    assert espeak_parameters(Prosody())[0]["pitch"] == 50  # the default item keeps its bytes


@pytest.mark.parametrize("voice", ["en-us", "en-gb-x-rp+f3"])
def test_recorded_pitch_is_the_f0_ratio_praat_measures(engine, voice):
    """The label against an independent measurement: Praat's median F0 of the audio."""
    base = [median_f0(engine.synthesize(t, voice, Prosody()).audio, 22050) for t in PITCH_TEXTS]
    for factor in (0.85, 1.15):
        outs = [engine.synthesize(t, voice, Prosody(pitch=factor)) for t in PITCH_TEXTS]
        measured = np.median([median_f0(o.audio, o.sample_rate) / b for o, b in zip(outs, base)])
        recorded = outs[0].prosody.pitch
        assert abs(recorded - factor) < 0.02  # a whole setting is ~1 % of F0 near the default
        assert measured == pytest.approx(recorded, rel=0.03), (factor, recorded, measured)


def test_unknown_voice_is_an_engine_error(engine):
    with pytest.raises(EngineError, match="en-zz"):
        engine.synthesize(TEXT, "en-zz", Prosody())
    # the helper survives a failed item
    assert len(engine.synthesize("Still alive.", "en-us", Prosody()).audio) > 0


def test_hung_render_is_killed_and_reported():
    eng = create_engine("espeak", timeout_s=0.0001)
    try:
        with pytest.raises(EngineError, match="timed out"):
            eng.synthesize(TEXT * 20, "en-us", Prosody())
    finally:
        eng.close()


def test_word_events_point_at_words(engine):
    out = engine.synthesize(TEXT, "en-us", Prosody())
    starts = [e.sample for e in out.word_events]
    assert starts == sorted(starts)
    assert all(TEXT[e.char_start].isalpha() for e in out.word_events)
    assert out.boundaries and max(out.boundaries) <= len(out.audio)


def test_unknown_engine_lists_known():
    with pytest.raises(EngineError, match="known: espeak"):
        create_engine("festivox")


def test_breathy_voice_same_bytes_in_a_later_process(engine):
    """eSpeak NG seeds its breath noise from the clock; the item seed must win."""
    import time

    first = engine.synthesize(TEXT, "en+f2", Prosody(), seed=42).audio.tobytes()
    time.sleep(1.1)
    later = create_engine("espeak")
    try:
        assert later.synthesize(TEXT, "en+f2", Prosody(), seed=42).audio.tobytes() == first
        assert later.synthesize(TEXT, "en+f2", Prosody(), seed=43).audio.tobytes() != first
    finally:
        later.close()


def test_evicted_voice_servers_give_the_same_bytes(engine):
    """With room for one voice server, every voice change restarts one: bytes must not change."""
    tight = create_engine("espeak", max_voice_servers=1)
    try:
        voices = ["en-us+f3", "en+m3", "en-gb-scotland+f2", "en-us+f3", "en+m3"]
        got = [tight.synthesize(TEXT, v, Prosody(), seed=7).audio.tobytes() for v in voices]
        want = [engine.synthesize(TEXT, v, Prosody(), seed=7).audio.tobytes() for v in voices]
        assert got == want
        assert got[0] == got[3] and got[0] != got[1]
    finally:
        tight.close()


def _descendants(pid):
    kids = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            for child in handle.read().split():
                kids += [int(child), *_descendants(int(child))]
    return kids


def _state(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


@pytest.mark.parametrize("isolation", ["restore", "fork"])
def test_crashing_renderer_is_reported_and_the_engine_goes_on(isolation):
    """A segfault in eSpeak NG kills the process rendering, never the helper or the worker."""
    eng = create_engine("espeak", isolation=isolation)
    try:
        eng.synthesize("warm up", "en-us", Prosody())
        errors = []

        def render_long():
            try:
                eng.synthesize(TEXT * 400, "en-us", Prosody())
            except EngineError as exc:
                errors.append(str(exc))

        worker = threading.Thread(target=render_long)
        worker.start()
        deadline = time.monotonic() + 10
        killed = False
        while not killed and time.monotonic() < deadline:
            # helper -> voice server, which renders (with isolation=fork, its child does)
            for pid in _descendants(eng.helper_pid):
                if _state(pid) == "R":  # the process rendering, not one waiting on a pipe
                    os.kill(pid, signal.SIGSEGV)
                    killed = True
            time.sleep(0.001)
        worker.join(30)
        assert killed and errors and "signal 11" in errors[0]
        assert len(eng.synthesize(TEXT, "en-us", Prosody()).audio) > 0
    finally:
        eng.close()


def test_dead_helper_is_restarted():
    eng = create_engine("espeak")
    try:
        before = eng.synthesize(TEXT, "en+f2", Prosody(), seed=3).audio.tobytes()
        os.kill(eng.helper_pid, signal.SIGKILL)
        time.sleep(0.1)
        assert eng.synthesize(TEXT, "en+f2", Prosody(), seed=3).audio.tobytes() == before
    finally:
        eng.close()
