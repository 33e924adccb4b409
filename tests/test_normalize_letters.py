"""Letters and mixed-case words: what the engine says must be what the transcript holds (issue 13).

Checked against the eSpeak NG library the default engine embeds (espeakng-loader), never against our own
tables: its phonemes for the text we feed it are compared with its phonemes for the word as written.
"""

import re

import pytest

from synth.normalize import NormalizationError, to_spoken
from synth.normalize_letters import DATA, candidate_letters, espeak_phonemes, measure_spelled_letters, spelled_letters


def _sounds(phonemes: str) -> str:
    return re.sub(r"[',\s#]", "", phonemes)  # stress marks and word breaks are not sounds


def test_code_point_letter_list_is_what_espeak_does():
    alone, in_word = measure_spelled_letters(candidate_letters())
    assert DATA.read_text(encoding="utf-8").split("\n")[:2] == [alone, in_word]
    assert (
        "\u019b" in alone and "\u1e0d" in in_word and "\u00e9" not in alone + in_word
    )  # ƛ, ḍ: code points; é: a sound


@pytest.mark.parametrize("word", ["iOS", "eBay", "macOS", "tvOS", "iPhone", "pH"])
def test_mixed_case_word_is_said_as_written_and_labelled_as_said(word):
    form = to_spoken(word)
    written, fed = espeak_phonemes([word, form.spoken])
    assert _sounds(written) == _sounds(fed), (word, form.spoken, written, fed)
    # Where the voice says letter names the transcript holds letters, one token each.
    letters_said = [t for t in form.spoken.split() if len(t) == 1 and t.isupper()]
    assert letters_said, form.spoken
    assert all(t.lower() in form.transcript.split() for t in letters_said)


def test_names_keep_their_reading():
    for word in ("McDonald", "LeBron", "YouTube"):
        assert to_spoken(word).transcript == word.lower()


def test_every_code_point_letter_is_refused_before_rendering():
    alone, in_word = spelled_letters()
    for c in sorted(in_word):
        with pytest.raises(NormalizationError, match=f"U\\+{ord(c):04X}"):
            to_spoken(f"the ba{c}na here")
    for c in sorted(alone - in_word)[:50]:
        with pytest.raises(NormalizationError, match=f"U\\+{ord(c):04X}"):
            to_spoken(f"letter {c} here")


def test_accepted_accented_words_are_sounds_not_code_points():
    words = ["café", "naïve", "straße", "Øresund", "œuvre", "Đorđe"]
    for word, phonemes in zip(words, espeak_phonemes([to_spoken(w).spoken for w in words])):
        assert not re.search(r"l,Et#?3_\|", phonemes), (word, phonemes)
