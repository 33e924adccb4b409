"""Word times from real eSpeak NG events mapped onto transcript words."""

import numpy as np
import pytest

from synth.engines import Prosody
from synth.engines.base import WordEvent
from synth.word_times import word_times

SENTENCES = [
    "Hello there, doctor Smith.",
    "Turn off the lights in the kitchen and the hallway.",
    "It is one of the best days of the year!",
    "Wake me up at seven thirty a m tomorrow.",
    "F B I agents met at twenty one Baker Street; they left at noon.",
]


def words_of(text):
    return [t.strip(",.?!;:").lower() for t in text.split()]


@pytest.mark.parametrize("text", SENTENCES)
@pytest.mark.parametrize("voice", ["en-us+f3", "en-gb-scotland+m2"])
def test_every_word_timed_ordered_inside_audio(engine, text, voice):
    out = engine.synthesize(text, voice, Prosody())
    duration = len(out.audio) / out.sample_rate
    words = words_of(text)
    timed = word_times(text, words, out.word_events, out.boundaries, out.audio, out.sample_rate)
    assert [w["word"] for w in timed] == words
    for w in timed:
        assert 0 <= w["start"] < w["end"] <= duration + 1e-9, w
    starts = [w["start"] for w in timed]
    ends = [w["end"] for w in timed]
    assert starts == sorted(starts) and ends == sorted(ends)
    assert all(a["end"] <= b["start"] + 1e-9 for a, b in zip(timed, timed[1:]))


def test_merged_words_are_marked_estimated(engine):
    text = "It is one of the best days of the year."
    out = engine.synthesize(text, "en-us", Prosody())
    timed = word_times(text, words_of(text), out.word_events, out.boundaries, out.audio, out.sample_rate)
    event_starts = {e.char_start for e in out.word_events}
    # eSpeak NG speaks "of the" as one unit: "the" has no event of its own
    the = text.index("the")
    assert the not in event_starts
    assert timed[4] == {**timed[4], "word": "the", "estimated": True}
    assert timed[3].get("estimated") is True  # "of" shares that span
    assert "estimated" not in timed[0]


def test_word_spans_hold_speech_and_skip_pauses(engine):
    text = "Stop. Go."
    out = engine.synthesize(text, "en-us", Prosody())
    timed = word_times(text, ["stop", "go"], out.word_events, out.boundaries, out.audio, out.sample_rate)
    sr = out.sample_rate
    gap = out.audio[int(timed[0]["end"] * sr) + 10 : int(timed[1]["start"] * sr) - 10]
    assert len(gap) > 0.1 * sr  # the sentence pause is not inside either word
    assert np.max(np.abs(gap)) < 0.01
    for w in timed:
        seg = out.audio[int(w["start"] * sr) : int(w["end"] * sr)]
        assert np.sqrt(np.mean(seg**2)) > 0.01


def test_no_events_means_all_words_estimated():
    audio = np.ones(16000, dtype=np.float32) * 0.1
    timed = word_times("a b", ["a", "b"], [], [], audio, 16000)
    assert [w["estimated"] for w in timed] == [True, True]
    assert timed[-1]["end"] == 1.0


def test_token_count_mismatch_is_an_error():
    with pytest.raises(ValueError, match="2 transcript words but 1 spoken tokens"):
        word_times("hello", ["hel", "lo"], [WordEvent(0, 5, 0)], [], np.zeros(100, np.float32), 16000)
