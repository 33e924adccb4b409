"""normalize.letters: initialisms as one word per letter name ("seven p m") or as one upper-case word
("seven PM"), the same audio either way, and the library call that leaves markup alone (issue 18)."""

import csv

import pytest

from benchmarks.normalization import read_cases
from synth.letter_runs import join_aligned, joined_index, spell_out
from synth.normalize import NormalizationError, builtin_spoken_forms, to_spoken
from synth.normalize_text import normalize_text
from synth.templates.spans import word_spans
from tests.conftest import check_corpus, read_manifest
from tests.test_audit import _generate

JOINED = [
    ("Meet me at 7 pm.", "meet me at seven PM"),
    ("The USA and the UK", "the USA and the UK"),
    ("1:59 p.m. e.s.t", "one fifty nine PM EST"),  # two initialisms side by side stay two words
    ("I sold my CDs", "i sold my CD's"),
    ("a.bc@gmail.com", "a dot BC at gmail dot com"),  # one letter alone is a word as before
    ("plan A and B", "plan a and b"),
    ("https://www.nvidia.com", "HTTPS colon slash slash WWW dot nvidia dot com"),
    ("iOS is fine", "IOS is fine"),
    ("NASA and OK", "nasa and okay"),  # said as words: no letters to join
]


@pytest.mark.parametrize("text,joined", JOINED, ids=[t for t, _ in JOINED])
def test_joined_letters(text, joined):
    form = to_spoken(text)
    assert form.with_letters("joined").transcript == joined
    assert form.with_letters("joined").spoken == form.spoken  # the engine is given the same words
    assert spell_out(joined) == form.transcript


def test_spell_out_undoes_joining_on_every_built_in_prompt():
    forms = builtin_spoken_forms()
    changed = 0
    for form in forms:
        joined = form.with_letters("joined")
        assert spell_out(joined.transcript) == form.transcript == form.aligned, form.spoken
        index = joined_index(len(form.spoken.split()), form.joins)
        assert index[-1] == len(joined.transcript.split())
        changed += joined.transcript != form.transcript
    assert changed >= 5, "the built-in prompts hold initialisms; joining changed too few"


def test_an_unknown_letter_style_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="spaced, joined"):
        to_spoken("at 7 pm").with_letters("merged")


def test_template_slot_spans_follow_the_joined_words():
    from synth.plan import _slots_joined
    from synth.prompts import Prompt

    text = "call the FBI at 9 pm please"
    start = text.index("FBI")
    words, spans = word_spans(text, [(start, start + 3), (text.index("9"), len(text) - len(" please"))])
    slots = [
        {
            "name": "agency",
            "start": start,
            "end": start + 3,
            "spoken": " ".join(words[a:b]),
            "word_start": a,
            "word_end": b,
        }
        for a, b in spans[:1]
    ] + [{"name": "time", "word_start": spans[1][0], "word_end": spans[1][1]}]
    form = to_spoken(text).with_letters("joined")
    moved = _slots_joined(Prompt("p1", text, {"slots": slots}, 1), form).fields["slots"]
    joined = form.transcript.split()
    assert [s["spoken"] for s in moved] == ["FBI", "nine PM"]
    assert [joined[s["word_start"] : s["word_end"]] for s in moved] == [["FBI"], ["nine", "PM"]]


def test_join_aligned_refuses_letters_that_do_not_spell_the_word():
    from synth.audit.alignment import AlignedWord

    letters = [AlignedWord("p", 0.1, 0.2, ()), AlignedWord("m", 0.2, 0.4, ())]
    assert [(w.word, w.start, w.end) for w in join_aligned(letters, ["PM"])] == [("PM", 0.1, 0.4)]
    assert join_aligned(letters, ["AM"]) is None
    assert join_aligned(letters, ["P"]) is None


PROMPTS = ["meet me at seven pm near the USA pavilion", "the FBI and the CIA sent a DVD"]


@pytest.fixture(scope="module")
def both_styles(tmp_path_factory):
    """The same prompts, voices and seed rendered by real eSpeak NG in both letter styles."""
    base = ["voices.per_prompt=2", "augment=none"]
    spaced = _generate(tmp_path_factory.mktemp("spaced"), PROMPTS, *base)
    joined = _generate(tmp_path_factory.mktemp("joined"), PROMPTS, *base, "normalize.letters=joined")
    return spaced, joined


def test_the_audio_is_the_same_and_word_times_span_the_initialism(both_styles):
    spaced_root, joined_root = both_styles
    spaced, joined = read_manifest(spaced_root), read_manifest(joined_root)
    check_corpus(joined_root)  # one word entry per transcript word, in order, inside the file
    assert [(r["id"], r["sha256"]) for r in spaced] == [(r["id"], r["sha256"]) for r in joined]
    for s, j in zip(spaced, joined):
        assert spell_out(j["transcript"]) == s["transcript"]
        assert "PM" in j["transcript"] or "FBI" in j["transcript"]
        k = 0
        for word in j["words"]:
            n = len(spell_out(word["word"]).split())
            letters = s["words"][k : k + n]
            assert (word["start"], word["end"]) == (letters[0]["start"], letters[-1]["end"]), word
            k += n
        assert k == len(s["words"])


def test_audit_listens_to_a_joined_corpus_as_to_the_spaced_one(both_styles):
    from synth.audit.command import audit_corpus

    spaced, joined = (audit_corpus(root, None, recognize=False, prosody=False) for root in both_styles)
    for key in ("label_beats_impostors", "impostor_margin_median"):
        assert joined["groups"]["engine=espeak"][key] == spaced["groups"]["engine=espeak"][key]
    assert joined["groups"]["engine=espeak"]["word_start_error_median_ms"] is not None  # words were compared
    assert [r["id"] for r in joined["failing_rows"]] == [r["id"] for r in spaced["failing_rows"]]


# --- the library call -----------------------------------------------------------------------------------

PASSED_THROUGH = [
    ("go<noise/>home", "go <noise/> home"),
    ("<pitch=-.3>123 123</pitch>", "<pitch=-.3> one hundred and twenty three one hundred and twenty three </pitch>"),
    ("[HH AH0 L OW1]", "[HH AH0 L OW1]"),
    ("say [poʊstˌmɑɹk] at 7 pm", "say [poʊstˌmɑɹk] at seven PM"),
    ("", ""),
    ("—", ""),
    ("?,", ""),
]


@pytest.mark.parametrize("text,spoken", PASSED_THROUGH, ids=[t or "empty" for t, _ in PASSED_THROUGH])
def test_normalize_text_leaves_markup_and_notation_alone(text, spoken):
    assert normalize_text(text) == spoken


@pytest.mark.parametrize("text", ["go<noise/>home", "[HH AH0 L OW1]", "", "—"])
def test_the_corpus_still_rejects_what_is_not_words(text):
    with pytest.raises(NormalizationError):
        to_spoken(text)


def test_normalize_text_keeps_refusing_what_cannot_be_said():
    with pytest.raises(NormalizationError, match="code point"):
        normalize_text("check ƛ now")


def test_the_benchmark_reads_quoted_fields_as_the_peer_scorer_does(tmp_path):
    path = tmp_path / "cases.tsv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["class", "written", "spoken"])
        writer.writerow(["punctuation", '12"', "twelve inches"])
        writer.writerow(["punctuation", '"He said 5"', '"he said five"'])
    assert read_cases(path) == [
        ("punctuation", '12"', ["twelve inches"]),
        ("punctuation", '"He said 5"', ['"he said five"']),
    ]
    assert normalize_text('12"') == "twelve inches"
    assert normalize_text('"He said 5"') == "he said five"
