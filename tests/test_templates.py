import logging
import re
from collections import Counter

import pytest

from synth.normalize import to_spoken
from synth.prompts import ID_PATTERN, Prompt, PromptRejection
from synth.templates import TemplateError, builtin_domain_path, expand_templates
from synth.templates.spans import word_spans

# One intent per slot type, every style of the type, and carrier text that touches the slot on both
# sides (punctuation, "%", a trailing sentence end) so that normalization context is exercised.
EVERY_TYPE = """
slots:
  thing: {type: list, values: [kitchen lights, TV, R&B, 80s pop, kids' room, St. Louis blues, Dr. Who]}
  n: {type: number, min: 0, max: 2500}
  t: {type: time, minute_step: 1}
  d: {type: date}
  dur: {type: duration, units: [seconds, minutes, hours, days]}
  who: {type: name}
  where: {type: place}
  cost: {type: money, currencies: ["$", "£", "€"], min: 0, max: 5000, cents: 0.5}
intents:
  list_type:
    templates: ["turn on the {thing}", "{thing}, please.", "is the {thing} on?"]
  number_type:
    templates: ["set it to {n}", "{n}% please", "about {n} people", "in {n}.", "{n}"]
  time_type:
    templates: ["wake me at {t}", "at {t}.", "{t} tomorrow", "is {t} ok?"]
  date_type:
    templates: ["remind me {d}", "book it for {d}.", "{d} at noon"]
  duration_type:
    templates: ["set a timer for {dur}", "wait {dur}.", "{dur} left?"]
  name_type:
    templates: ["call {who}", "text {who} now.", "{who} called"]
  place_type:
    templates: ["weather in {where}", "fly to {where} tomorrow.", "{where}?"]
  money_type:
    templates: ["send {cost} to the landlord", "it costs {cost}.", "{cost}, is that right?"]
"""


def write(tmp_path, text, name="grammar.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Prompt)], [i for i in items if isinstance(i, PromptRejection)]


def check_spans(prompt):
    """Every slot's character span holds its value and its word span holds its spoken words, in the
    transcript that the pipeline computes from the whole text."""
    words = to_spoken(prompt.text).transcript.split()
    for slot in prompt.fields["slots"]:
        assert set(slot) == {"name", "type", "value", "start", "end", "spoken", "word_start", "word_end"}
        assert prompt.text[slot["start"] : slot["end"]] == slot["value"], (prompt.text, slot)
        assert 0 <= slot["word_start"] < slot["word_end"] <= len(words), (prompt.text, slot)
        assert words[slot["word_start"] : slot["word_end"]] == slot["spoken"].split(), (prompt.text, words, slot)


# --------------------------------------------------------------------------- spans


def test_every_slot_type_keeps_exact_spans_after_normalization(tmp_path):
    prompts, rejected = split(expand_templates(write(tmp_path, EVERY_TYPE), seed=3, per_intent=150))
    by_type = Counter()
    rewritten = Counter()
    for p in prompts:
        check_spans(p)
        for slot in p.fields["slots"]:
            by_type[slot["type"]] += 1
            if slot["spoken"] != " ".join(re.findall(r"[a-z']+", slot["value"].lower())):
                rewritten[slot["type"]] += 1  # normalization changed the words ("7:30" -> "seven thirty")
    assert set(by_type) == {"list", "number", "time", "date", "duration", "name", "place", "money"}
    assert by_type["list"] == 21 and all(n >= 100 for k, n in by_type.items() if k != "list"), by_type
    for kind in ("number", "time", "date", "duration", "money", "list"):
        assert rewritten[kind] > 0, f"no {kind} value was rewritten by normalization: the test proves little"
    # Context-dependent readings may be refused, never mislabelled; here they are rare.
    assert len(rejected) < 0.1 * len(prompts), [r.reason for r in rejected[:5]]


def test_builtin_domain_spans_ids_and_fields():
    prompts, rejected = split(expand_templates(None, seed=1234, per_intent=40))
    assert not rejected, rejected[:3]
    assert [p.line for p in prompts] == list(range(1, len(prompts) + 1))
    assert len({p.id for p in prompts}) == len(prompts)
    intents = Counter(p.fields["intent"] for p in prompts)
    assert len(intents) >= 12 and set(intents.values()) == {40}
    for p in prompts:
        assert ID_PATTERN.fullmatch(p.id) and re.fullmatch(rf"{p.fields['intent']}-\d{{5}}", p.id)
        assert set(p.fields) == {"intent", "slots", "template"}
        assert p.fields["template"].startswith(p.fields["intent"] + "-t")
        check_spans(p)
    # intents take turns, so any prefix of the stream covers them all
    assert len({p.fields["intent"] for p in prompts[: len(intents)]}) == len(intents)


@pytest.mark.parametrize(
    "text, value, spoken",
    [
        ("wake me at 7:30 tomorrow", "7:30", "seven thirty"),
        ("send $5 to Maria", "$5", "five dollars"),
        ("remind me on March 3rd, please", "March 3rd", "march third"),
        ("set a timer for 1 hour and 20 minutes.", "1 hour and 20 minutes", "one hour and twenty minutes"),
        ("call Dr. Patel now", "Dr. Patel", "doctor patel"),
        ("weather in St. Louis?", "St. Louis", "saint louis"),
        ("dim it to 40%", "40", "forty"),
        ("it is 72°F outside", "72°F", "seventy two degrees fahrenheit"),
    ],
)
def test_word_spans_of_rewritten_values(text, value, spoken):
    start = text.index(value)
    words, [(ws, we)] = word_spans(text, [(start, start + len(value))])
    assert words == to_spoken(text).transcript.split()
    assert " ".join(words[ws:we]) == spoken


@pytest.mark.parametrize(
    "text, value",
    [
        ("remind me on March 3", "3"),  # "March 3" is "march third": the 3 alone is "three"
        ("set it to 1079", "1079"),  # a year after "to", a count alone
        ("call Dr. Patel", "Patel"),  # "Dr." alone reads "drive"
    ],
)
def test_context_dependent_spans_are_refused(text, value):
    start = text.index(value)
    reason = word_spans(text, [(start, start + len(value))])
    assert isinstance(reason, str) and "on its own" in reason


def test_a_reading_that_needs_its_left_context_is_located_cut_by_cut():
    text = "about 1778 people"  # a count after "about"; "1778" alone would be the year "seventeen seventy eight"
    words, [(ws, we)] = word_spans(text, [(6, 10)])
    assert " ".join(words[ws:we]) == "one thousand seven hundred and seventy eight"


def test_unlocatable_expansions_are_rejected_not_mislabelled(tmp_path):
    grammar = write(
        tmp_path,
        "slots: {day: {type: number, min: 1, max: 28}}\n"
        "intents:\n  remind:\n    templates: ['remind me on March {day}', 'on day {day}']\n",
    )
    prompts, rejected = split(expand_templates(grammar, seed=1, per_intent=30))
    assert rejected and all("remind-x" in r.id and "March" in r.text for r in rejected)
    assert all("March" not in p.text for p in prompts)
    assert all("on its own" in r.reason and r.reason.startswith("template remind-t1") for r in rejected)
    for p in prompts:
        check_spans(p)


# --------------------------------------------------------------------------- determinism and counts


def test_same_file_and_seed_give_the_same_prompts_and_another_seed_differs(tmp_path):
    path = write(tmp_path, EVERY_TYPE)
    first = list(expand_templates(path, seed=11, per_intent=20))
    again = list(expand_templates(path, seed=11, per_intent=20))
    assert first == again
    assert [p.fields for p in first if isinstance(p, Prompt)] == [p.fields for p in again if isinstance(p, Prompt)]
    other = list(expand_templates(path, seed=12, per_intent=20))
    assert [p.text for p in other] != [p.text for p in first]
    # asking for more only appends: the first 20 of each intent are the same prompts
    more, _ = split(expand_templates(path, seed=11, per_intent=30))
    by_id = {p.id: p.text for p in more}
    assert all(by_id[p.id] == p.text for p in first if isinstance(p, Prompt))


def test_builtin_domain_yields_thousands_of_distinct_utterances():
    prompts, rejected = split(expand_templates(None, seed=5, per_intent=250))
    texts = {" ".join(p.text.split()).casefold() for p in prompts}
    assert len(texts) == len(prompts) >= 3500
    assert not rejected


def test_per_intent_dict_and_weights(tmp_path):
    grammar = write(
        tmp_path,
        "intents:\n"
        "  a: {templates: ['(one|two|three|four|five|six) (red|green|blue|gold) things']}\n"
        "  b: {weight: 0.5, templates: ['(alpha|beta|gamma|delta) (x|y|z|w) [now]']}\n"
        "  c: {templates: ['(up|down|left|right) (fast|slow|now|later)']}\n",
    )
    counts = Counter(p.fields["intent"] for p in expand_templates(grammar, 1, 10))
    assert counts == {"a": 10, "b": 5, "c": 10}
    counts = Counter(p.fields["intent"] for p in expand_templates(grammar, 1, {"a": 3, "c": 0}))
    assert counts == {"a": 3, "b": 32}  # b: the default 200 x 0.5, capped at its 32 distinct texts


def test_exhausted_intent_gives_what_it_has_and_warns(tmp_path, caplog):
    grammar = write(tmp_path, "intents:\n  stop: {templates: ['stop', 'stop the music', '[please ]pause']}\n")
    with caplog.at_level(logging.WARNING, logger="synth"):
        prompts, rejected = split(expand_templates(grammar, 1, 10))
    assert sorted(p.text for p in prompts) == ["pause", "please pause", "stop", "stop the music"]
    assert "gave 4 distinct prompts of the 10" in caplog.text


def test_text_shared_by_two_intents_is_rejected_once(tmp_path):
    grammar = write(
        tmp_path,
        "intents:\n  pause_music: {templates: ['stop', 'pause the music']}\n"
        "  cancel_timer: {templates: ['stop', 'cancel the timer']}\n",
    )
    prompts, rejected = split(expand_templates(grammar, 1, 5))
    assert [p.text for p in prompts].count("stop") == 1
    assert len(rejected) == 1 and "ambiguous" in rejected[0].reason


def test_max_chars_rejects_long_expansions(tmp_path):
    grammar = write(tmp_path, "intents:\n  say: {templates: ['(a short one|" + "a very long one " * 5 + ")']}\n")
    prompts, rejected = split(expand_templates(grammar, 1, 5, max_chars=20))
    assert [p.text for p in prompts] == ["a short one"]
    assert rejected and "over-long" in rejected[0].reason


def test_grammar_syntax_alternatives_options_escapes_and_spacing(tmp_path):
    grammar = write(
        tmp_path,
        "slots: {x: {type: list, values: [red]}}\n"
        "intents:\n  s: {templates: ['[please ] paint it  {x} \\(now\\) ?']}\n",
    )
    texts = {p.text for p in expand_templates(grammar, 1, 5)}
    assert texts == {"please paint it red (now)?", "paint it red (now)?"}


# --------------------------------------------------------------------------- bad grammar files


BAD = [
    ("intents: [", ["invalid YAML", "line"]),
    ("- a list", ["top level must be a mapping"]),
    ("intents: {}\nsoundz: 1", ["unknown key 'soundz'", "valid keys: domain, description, slots, intents"]),
    ("slots: {}", ["'intents' must be a non-empty mapping"]),
    ("intents: {'bad name': {templates: [hi]}}", ["bad intent name 'bad name'", "[A-Za-z0-9_]"]),
    ("intents: {greet: {templates: []}}", ["intent 'greet'", "non-empty list of carrier phrases"]),
    (
        "intents: {greet: {templates: [hi], colour: red}}",
        ["intent 'greet'", "unknown key 'colour'", "templates, slots"],
    ),
    (
        "slots: {city: {type: place}}\nintents: {weather: {templates: ['rain in {cty}']}}",
        ["intent 'weather'", "template 1", "unknown slot 'cty'", "defined slots: city"],
    ),
    ("intents: {greet: {templates: ['(hi|hello']}}", ["intent 'greet'", "missing ')'", "(a|b) for one of"]),
    ("intents: {greet: {templates: ['hi]']}}", ["unexpected ']'"]),
    ("intents: {greet: {templates: ['hi {bad name}']}}", ["a slot must be written {name}"]),
    (
        "slots: {x: {type: colour}}\nintents: {a: {templates: ['{x}']}}",
        ["slot 'x'", "unknown slot type 'colour'", "list, number, time, date, duration, name, place, money"],
    ),
    (
        "slots: {x: {type: number, min: 9, max: 1}}\nintents: {a: {templates: ['{x}']}}",
        ["slot 'x'", "min (9) must be <= max (1)"],
    ),
    (
        "slots: {x: {type: time, styles: [12h, military]}}\nintents: {a: {templates: ['{x}']}}",
        ["slot 'x'", "unknown style 'military'", "12h, 12h_ampm, hour_ampm, 24h, phrase"],
    ),
    (
        "slots: {x: {type: list, values: []}}\nintents: {a: {templates: ['{x}']}}",
        ["slot 'x'", "non-empty list of strings"],
    ),
    ("slots: {x: {type: list}}\nintents: {a: {templates: ['{x}']}}", ["slot 'x'", "missing 'values'"]),
    (
        "slots: {x: {type: list, values: [tea, '☃']}}\nintents: {a: {templates: ['{x}']}}",
        ["slot 'x'", "cannot be spoken"],
    ),
    (
        "slots: {x: {type: money, colour: red}}\nintents: {a: {templates: ['{x}']}}",
        ["unknown key 'colour'", "currencies, min, max, cents"],
    ),
    (
        "slots: {x: {type: list, values: [a, b]}}\nintents: {a: {templates: ['{x} and {x}']}}",
        ["slot 'x' can appear twice", "x_2: x"],
    ),
    ("intents: {a: {slots: {y: nothing}, templates: ['{y}']}}", ["intent 'a', slot 'y'", "undefined slot 'nothing'"]),
    ("intents: {a: {weight: -1, templates: [hi]}}", ["'weight' must be a positive number"]),
]


@pytest.mark.parametrize("content, expected", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_grammar_files_raise_clear_template_errors(tmp_path, content, expected):
    path = write(tmp_path, content)
    with pytest.raises(TemplateError) as info:
        expand_templates(path, seed=1)  # raised at the call, before any prompt is drawn
    message = str(info.value)
    assert str(path) in message
    for part in expected:
        assert part in message, (part, message)


def test_bad_arguments(tmp_path):
    with pytest.raises(TemplateError, match="not found"):
        expand_templates(tmp_path / "missing.yaml", seed=1)
    with pytest.raises(TemplateError, match="unknown intent 'nope'.*intents: turn_on"):
        expand_templates(None, seed=1, per_intent={"nope": 3})
    with pytest.raises(TemplateError, match="per_intent must be a non-negative integer"):
        expand_templates(None, seed=1, per_intent=-2)


def test_builtin_domain_file_documents_the_format():
    head = builtin_domain_path().read_text(encoding="utf-8").split("\ndomain:", 1)[0]
    for word in (
        "intents:",
        "slots:",
        "templates",
        "weight",
        "(a|b|c)",
        "[a]",
        "list",
        "number",
        "time",
        "date",
        "duration",
        "name",
        "place",
        "money",
    ):
        assert word in head


@pytest.mark.parametrize("letters", ["spaced", "joined"])
def test_templates_source_end_to_end_labels_match_the_manifest(compose_cfg, tmp_path, letters):
    from synth.run import generate

    out = tmp_path / "c"
    generate(
        compose_cfg(
            "prompts=templates",
            "prompts.per_intent=1",
            "++prompts.scrub_pii=true",
            "voices.per_prompt=1",
            f"normalize.letters={letters}",
            f"output.dir={out}",
        )
    )
    rows = [__import__("json").loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) >= 12
    for row in rows:
        prompt = row["prompt"]
        assert prompt["intent"] and prompt["template"] and "pii" in prompt
        words = row["transcript"].split()
        for slot in prompt["slots"]:
            assert row["text"][slot["start"] : slot["end"]] == slot["value"]
            assert words[slot["word_start"] : slot["word_end"]] == slot["spoken"].split()
            if row["words"] is not None:  # slot word spans index the word timings too
                timed = [w["word"] for w in row["words"][slot["word_start"] : slot["word_end"]]]
                assert timed == slot["spoken"].split()
    joined_words = [w for row in rows for w in row["transcript"].split() if w.isupper()]
    assert bool(joined_words) == (letters == "joined"), joined_words  # "PM", "AM" of the time slots
