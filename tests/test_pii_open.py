"""PII beyond the shipped lists: names from context, whole phone numbers (also said as digit words),
national ids, bank accounts and dates of birth; the benchmark set's recall and precision; and a
real corpus (manifest, rejects, card, review page, audio) that keeps no original value."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import pii_recall
from synth.normalize import to_spoken
from synth.pii import find_pii, scrub_prompts
from synth.pii.scrub import LIBRARIES, scrub_prompt
from synth.pii.spoken_digits import digits_of
from synth.prompts import Prompt
from synth.run import ConfigError

REPO = Path(__file__).resolve().parent.parent


def scrub(text: str, seed: int = 1, pid: str = "p1", fields: dict | None = None) -> Prompt:
    out = scrub_prompt(Prompt(pid, text, fields or {}, 1), seed)
    assert isinstance(out, Prompt), out
    return out


def mentions(value: str, output: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", output, re.I) is not None


# The issue's examples: names the shipped lists did not know, in the formats it quoted.
ISSUE_NAMES = [
    ("Remind Mateus Carvalho about the dentist", ["Mateus", "Carvalho"]),
    ("Tell Björn Lindqvist the meeting moved", ["Björn", "Lindqvist"]),
    ("Video call with Aarav Mehta at four", ["Aarav", "Mehta"]),
    ("Message Keanu Kahale that I'm on my way", ["Keanu", "Kahale"]),
    ("call grzegorz brzeczyszczykiewicz", ["grzegorz", "brzeczyszczykiewicz"]),
    ("Remind me to pay Jamal Washington back", ["Jamal", "Washington"]),
    ("my name is Lena Fischer", ["Lena", "Fischer"]),
    ("Invite Chidi Anagonye and Eleanor Shellstrop", ["Chidi", "Anagonye", "Eleanor", "Shellstrop"]),
]


@pytest.mark.parametrize("text,words", ISSUE_NAMES)
def test_names_outside_the_lists_are_replaced_whole(text, words):
    out = scrub(text)
    assert [w for w in words if mentions(w, out.text)] == []
    assert out.fields["pii"]["replaced"] == ["name"]
    # the words around the names are kept
    kept = [w for w in re.findall(r"\w+", text) if w not in words]
    assert all(mentions(w, out.text) for w in kept), (text, out.text)


def test_lower_case_and_all_caps_logs():
    assert scrub("text nomvula ndlovu that the keys are under the mat").text.endswith(
        " that the keys are under the mat"
    )
    out = scrub("VIDEO CALL WITH JAROSŁAW KOWALCZYK")
    assert out.text.startswith("VIDEO CALL WITH ") and out.text.isupper() and "JAROSŁAW" not in out.text


def test_common_words_after_a_cue_are_not_names():
    for text in ("Call Mom", "call the plumber tomorrow", "call uber to the airport", "text dad that I'm home",
                 "translate good morning to tagalog", "Meeting with finance at 3pm", "play Clair de Lune by Satie",
                 "What's the weather in Reykjavik on Friday?", "Turn left onto Oak Lane", "Call Pizza Hut",
                 "Call Verizon", "call voicemail", "Message Costco about my order", "call mcdonalds"):  # fmt: skip
        assert find_pii(text) == [], text
    assert [v for _, v in ((k, "Tell Sam I'm late"[s:e]) for k, s, e in find_pii("Tell Sam I'm late"))] == ["Sam"]


def test_phone_numbers_are_replaced_in_every_group_keeping_the_country_code():
    out = scrub("Call +44 20 7946 0958").text
    assert re.fullmatch(r"Call \+44 \d\d \d{4} \d{4}", out), out
    new_groups, old_groups = out.split()[2:], ["20", "7946", "0958"]
    assert all(a != b for a, b in zip(new_groups, old_groups)), out
    out = scrub("Ring +49 30 12345678 after lunch").text
    assert out.startswith("Ring +49 ") and "12345678" not in out and out.endswith(" after lunch")


def test_phone_numbers_said_as_digit_words():
    text = "call five five five zero one nine nine"
    assert find_pii(text) == [("phone", 5, len(text))]
    out = scrub(text).text
    said = out.removeprefix("call ")
    assert len(digits_of(said)) == 7 and digits_of(said) != "5550199"
    assert find_pii("the code is one two three four") == []  # four digits: not a phone


@pytest.mark.parametrize(
    "text,kind,value",
    [
        ("My social security number is 123-45-6789", "ssn", "123-45-6789"),
        ("The SSN on file is 231492802", "ssn", "231492802"),
        ("social security number five one six five seven four six five two", "ssn", None),
        ("My IBAN is GB17 KEMU 0181 5908 3016 61", "iban", "GB17 KEMU 0181 5908 3016 61"),
        ("iban nl76 fdkt 0109 2815 90", "iban", "nl76 fdkt 0109 2815 90"),
        ("routing number 030701285 account 4401928374", "bank_account", "4401928374"),
        ("My account number is 31926819 and the sort code is 20-00-00", "bank_account", "20-00-00"),
        ("My national insurance number is QQ 12 34 56 C", "national_id", "QQ 12 34 56 C"),
        ("my SIN is 638 126 045", "national_id", "638 126 045"),
        ("Chidi Anagonye, born 14 March 1987, needs a new card", "dob", "14 March 1987"),
        ("born on the twenty third of may nineteen eighty eight", "dob", "twenty third of may"),
    ],
)
def test_ids_accounts_and_birth_dates_have_their_own_types(text, kind, value):
    out = scrub(text)
    assert kind in out.fields["pii"]["replaced"]
    if value:
        assert not mentions(value, out.text), out.text
    # the stand-in is found again as the same kind: same shape, valid where the kind has a check
    assert kind in {k for k, _, _ in find_pii(out.text)}, out.text
    to_spoken(out.text)


def test_iban_stand_in_keeps_country_grouping_and_passes_its_check():
    from stdnum import iban

    out = scrub("pay into ES54 9351 6438 8317 0107 3750").text
    new = out.removeprefix("pay into ")
    assert re.fullmatch(r"ES\d\d( \d{4}){5}", new) and iban.is_valid(new, check_country=False), new


def test_ssn_stand_in_is_from_the_advertising_range():
    assert scrub("ssn 382-76-2582").text == "ssn " + scrub("ssn 382-76-2582").text.split()[1]
    assert re.fullmatch(r"ssn 987-65-432\d", scrub("ssn 382-76-2582").text)


def test_ordinary_numbers_and_dates_are_left_alone():
    for text in ("My flight to Lisbon leaves on March 5, 2027", "Order number 4410 2983 7712 is late",
                 "The package tracking number is 9400 1000 0000 0000 0000 00", "my birthday party is on saturday",
                 "Transfer 250 dollars to savings", "the room code is 4471"):  # fmt: skip
        assert find_pii(text) == [], text


def test_replacements_are_deterministic_per_seed_and_prompt_id():
    text = "Invite Chidi Anagonye and Tahani Shellstrop, ssn 382-76-2582, call +44 20 7946 0958"
    assert scrub(text, 3, "a").text == scrub(text, 3, "a").text
    assert scrub(text, 3, "a").text != scrub(text, 3, "b").text
    assert scrub(text, 3, "a").text != scrub(text, 4, "a").text


def test_slot_spans_and_labels_follow_open_name_and_phone_replacements():
    text = "text Chidi Anagonye at 917-555-0143 that I'm outside"
    words = to_spoken(text).transcript.split()
    slots = []
    for name, value in (("contact", "Chidi Anagonye"), ("number", "917-555-0143"), ("message", "I'm outside")):
        start = text.index(value)
        spoken = to_spoken(value).transcript.split()
        ws = next(i for i in range(len(words)) if words[i : i + len(spoken)] == spoken)
        slots.append(dict(name=name, value=value, start=start, end=start + len(value), spoken=" ".join(spoken),
                          word_start=ws, word_end=ws + len(spoken)))  # fmt: skip
    out = scrub(text, fields={"intent": "send_message", "slots": slots})
    assert out.fields["intent"] == "send_message"
    new_words = to_spoken(out.text).transcript.split()
    for slot in out.fields["slots"]:
        assert out.text[slot["start"] : slot["end"]] == slot["value"]
        assert new_words[slot["word_start"] : slot["word_end"]] == slot["spoken"].split()
    by_name = {s["name"]: s["value"] for s in out.fields["slots"]}
    assert "Chidi" not in by_name["contact"] and "0143" not in by_name["number"]
    assert by_name["message"] == "I'm outside"


def test_missing_libraries_are_named_before_any_prompt_is_read(monkeypatch):
    monkeypatch.setitem(LIBRARIES, "no_such_pii_module", "no-such-pii-package")
    with pytest.raises(
        ConfigError, match=r"prompts.scrub_pii=true needs no-such-pii-package.*speechforge-corpus\[pii\]"
    ):
        next(scrub_prompts(iter([Prompt("a", "Call Chidi", {}, 1)]), seed=1))


def test_benchmark_set_recall_and_precision_per_type():
    """The done-when of issue 19 on the set written for it (dev and held-out together)."""
    rows = pii_recall.load("all")
    assert len(rows) >= 200
    pii_recall.check_names_unlisted(rows)
    found_ok, scrubbed_ok, total, hits, claims, clean, clean_changed, _ = pii_recall.evaluate(rows, False)
    assert clean >= 60 and clean_changed == []
    for kind in total:
        assert found_ok[kind] / total[kind] >= 0.97, (kind, found_ok[kind], total[kind])
        assert scrubbed_ok[kind] / total[kind] >= 0.97, (kind, scrubbed_ok[kind], total[kind])
        assert hits[kind] / claims[kind] >= 0.97, (kind, hits[kind], claims[kind])
    assert {"name", "phone", "ssn", "iban", "bank_account", "national_id", "dob", "card", "email"} <= set(total)


# ---------------------------------------------------------------------------- a whole corpus

CORPUS_PROMPTS = [
    ("Remind Mateus Carvalho to call me on 415 555 0187", ["Mateus Carvalho", "Mateus", "Carvalho", "0187"]),
    ("My social security number is 382-76-2582", ["382-76-2582", "2582"]),
    ("Invite Chidi Anagonye and Tahani Shellstrop", ["Chidi Anagonye", "Chidi", "Tahani", "Shellstrop"]),
    ("My IBAN is GB17 KEMU 0181 5908 3016 61", ["GB17 KEMU 0181 5908 3016 61", "KEMU", "0181 5908"]),
    ("call four one five eight six seven five three zero nine", ["four one five eight six seven five three zero nine"]),
    ("my name is Lena Brandstetter, born 14 March 1987", ["Lena Brandstetter", "Brandstetter", "14 March 1987"]),
]


@pytest.mark.slow
def test_corpus_card_review_page_and_audio_hold_no_original(compose_cfg, tmp_path):
    from synth.asr_check import AsrChecker, wer, write_language_model
    from synth.run import generate

    # each row also carries its first value in a field of its own, as a request log would
    lines = [json.dumps({"text": text, "contact": values[0]}) for text, values in CORPUS_PROMPTS]
    lines.append(json.dumps({"text": CORPUS_PROMPTS[0][0]}))  # a duplicate: its rejection row quotes the text
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "c"
    generate(
        compose_cfg(f"prompts.path={path}", "++prompts.scrub_pii=true", f"output.dir={out}", "voices.per_prompt=1")
    )
    subprocess.run([sys.executable, "-m", "synth.review", "sample", str(out)], check=True, cwd=REPO)
    assert (out / "report" / "README.md").is_file() and list((out / "review").glob("*.html"))
    assert "duplicate" in (out / "rejects.jsonl").read_text()
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == len(CORPUS_PROMPTS)
    for f in (f for f in out.rglob("*") if f.is_file()):
        content = f.read_bytes().decode("latin-1")
        for _, values in CORPUS_PROMPTS:
            for value in values:
                assert not mentions(value, content), (value, f)
    # The audio says the stand-ins: a recognizer that may only choose between the original and the
    # scrubbed transcript of the phone-number prompt (digits, all in its dictionary) picks the scrubbed one.
    import soundfile as sf

    row = next(r for r in rows if r["prompt"]["pii"]["replaced"] == ["phone"])
    original = to_spoken(CORPUS_PROMPTS[4][0]).transcript
    assert row["transcript"] != original
    lm = write_language_model([row["transcript"], original], tmp_path / "two.arpa")
    audio, rate = sf.read(out / row["audio_filepath"], dtype="float32")
    heard = AsrChecker(max_wer=None, lm_path=lm).transcribe(audio, rate)
    assert wer(row["transcript"], heard) < wer(original, heard), (heard, row["transcript"], original)
