"""The audit aligns eSpeak NG and MBROLA rows with the voice's own pronunciations (eSpeak NG's IPA in
ARPAbet), not CMU's American ones: British and Scottish true labels that lost to impostors win."""

import pytest

from synth.audio_io import resample, to_pcm16
from synth.audit.alignment import ScoringAligner, against_impostors, impostors
from synth.audit.pronunciations import IPA_TO_ARPABET, VoicePronunciations, arpabet_of_ipa, espeak_voice
from synth.audit.tolerances import Tolerances
from synth.engines.base import Prosody, create_engine
from synth.normalize import to_spoken
from synth.prompts import builtin_prompts_path

ACCENTS = ("en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc")


def _prompt_words(lines: int | None = None) -> list[str]:
    texts = [t for t in builtin_prompts_path().read_text().splitlines() if t.strip() and not t.startswith("#")]
    return sorted({w for t in texts[:lines] for w in to_spoken(t).transcript.split()})


def test_each_accent_says_a_word_its_own_way():
    voices = VoicePronunciations()
    assert voices.arpabet("en-us", "car") == "K AA R"
    assert voices.arpabet("en-gb-x-rp", "car") == "K AA"  # non-rhotic: no R
    assert voices.arpabet("en-029", "the") == "D AH"
    assert voices.arpabet("en-gb-scotland", "four") == "F OW R"


def test_an_unknown_sound_falls_back():
    assert arpabet_of_ipa(["k", "ɑːɹ"]) == "K AA R"
    assert arpabet_of_ipa(["ɑːɹ"]) == "AA R"
    assert arpabet_of_ipa(["q"]) is None  # not a sound of English: the aligner's usual route instead
    assert set(" ".join(IPA_TO_ARPABET.values()).split()) <= {
        *"AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split()
    }


def test_which_voice_a_row_carries():
    assert espeak_voice("espeak", "en-gb-x-rp+m2") == "en-gb-x-rp"
    assert espeak_voice("espeak", "xx-nowhere+f1") is None
    assert espeak_voice("piper", "en_US-joe-medium") is None


@pytest.mark.parametrize("lines", [40, pytest.param(None, marks=pytest.mark.slow)])
def test_every_sound_of_the_english_voices_is_mapped(lines):
    voices = VoicePronunciations()
    unmapped = {(a, w) for a in ACCENTS for w in _prompt_words(lines) if voices.arpabet(a, w) is None}
    assert not unmapped


# Rows the CMU pronunciations called false (margin per frame, CMU -> the voice's): measured on the
# built-in prompts' corpora of the issue-13 run (benchmarks/RESULTS.md, "Issue 13 remainder 3").
CASES = [
    ("Open the garage door.", "en+f1", Prosody(0.9486, 1.0835, 1.0)),  # 0.2 -> 23.1
    ("What's 17 times 24?", "en+m4", Prosody(1.0229, 0.9609, 1.0)),  # -7.4 -> 36.5
]


@pytest.mark.parametrize("text, voice, prosody", CASES)
def test_a_british_true_label_beats_its_impostors(text, voice, prosody):
    engine = create_engine("espeak")
    try:
        out = engine.synthesize(to_spoken(text).spoken, voice, prosody, seed=1)
    finally:
        engine.close()
    aligner = ScoringAligner()
    pcm = aligner.pcm(to_pcm16(resample(out.audio, out.sample_rate, 16000)).astype("float32") / 32768, 16000)
    transcript = to_spoken(text).transcript
    pool = [to_spoken(t).transcript for t in builtin_prompts_path().read_text().splitlines()[2:40] if t.strip()]
    others = impostors(transcript, pool, voice)
    american = against_impostors(aligner, pcm, transcript, others)
    own = against_impostors(aligner, pcm, transcript, others, espeak_voice("espeak", voice))
    assert own.margin >= Tolerances().impostor_margin
    assert own.margin > american.margin
