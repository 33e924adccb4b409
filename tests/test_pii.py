import json
import re
from collections import Counter

from synth.normalize import to_spoken
from synth.pii import find_pii, scrub_prompts
from synth.pii.detect import luhn_valid
from synth.pii.scrub import scrub_prompt
from synth.prompts import PREVIEW_CHARS, Prompt, PromptRejection
from synth.templates import expand_templates
from synth.templates.data import data_lines, gendered_names

# ---------------------------------------------------------------------------- the planted test set
# 100 values of five kinds, in the formats people really write: phones with and without country
# codes, parentheses, dots, spaces; cards grouped by spaces or dashes or not at all (Luhn-valid test
# numbers); addresses with unit numbers, directions, towns and postcodes; names with titles,
# initials, hyphens, apostrophes, in lower and upper case. None comes from the replacement lists.
PLANTED = [
    # ---- e-mail (20)
    ("Please email me at jane.doe@gmail.com about the invoice.", [("email", "jane.doe@gmail.com")]),
    ("Send the report to r.kowalski@acme-corp.co.uk by Friday.", [("email", "r.kowalski@acme-corp.co.uk")]),
    ("My work address is priya_sharma42@outlook.com.", [("email", "priya_sharma42@outlook.com")]),
    ("cc tom+newsletter@fastmail.fm on that thread", [("email", "tom+newsletter@fastmail.fm")]),
    ("Contact the help desk at help.desk@mail.company.org", [("email", "help.desk@mail.company.org")]),
    ("You can reach Ahmed at ahmed.hassan@yahoo.co.in", [("name", "Ahmed"), ("email", "ahmed.hassan@yahoo.co.in")]),
    ("THE LOGIN IS CHEN.WEI@EXAMPLE-UNI.EDU", [("email", "CHEN.WEI@EXAMPLE-UNI.EDU")]),
    ("forward it to d.okafor@protonmail.ch please", [("email", "d.okafor@protonmail.ch")]),
    ("My email's mike1987@hotmail.com, write anytime", [("email", "mike1987@hotmail.com")]),
    ("write to olga.petrov@yandex.ru or call me", [("email", "olga.petrov@yandex.ru")]),
    ("Her address is lucia.romano@libero.it.", [("email", "lucia.romano@libero.it")]),
    ("Invoices go to billing@smithandsons.com", [("email", "billing@smithandsons.com")]),
    ("email kwame dot mensah at gmail dot com", [("email", "kwame dot mensah at gmail dot com")]),
    ("it's sarah underscore jones at yahoo dot com", [("email", "sarah underscore jones at yahoo dot com")]),
    ("reply to j.nguyen@icloud.com", [("email", "j.nguyen@icloud.com")]),
    ("My username is bob.t@aol.com", [("email", "bob.t@aol.com")]),
    ("send the tickets to m.garcia-lopez@uni-madrid.es", [("email", "m.garcia-lopez@uni-madrid.es")]),
    ("Ping s.oconnor@company.ie when you're done", [("email", "s.oconnor@company.ie")]),
    ("add freya.larsen@outlook.dk to the invite", [("email", "freya.larsen@outlook.dk")]),
    ("new email: thabo.nkosi2001@webmail.co.za", [("email", "thabo.nkosi2001@webmail.co.za")]),
    # ---- phone (21)
    ("Call me at (415) 555-2671.", [("phone", "(415) 555-2671")]),
    ("My number is 212-867-5309.", [("phone", "212-867-5309")]),
    ("text 646.555.0198 when you land", [("phone", "646.555.0198")]),
    ("Reach the office on +1 312 555 0143", [("phone", "+1 312 555 0143")]),
    ("The London office is +44 20 7946 0321.", [("phone", "+44 20 7946 0321")]),
    ("Her mobile is 07700 900461.", [("phone", "07700 900461")]),
    ("ring 0161 496 0732 for the Manchester branch", [("phone", "0161 496 0732")]),
    ("Dial 1-800-275-2273 for support.", [("phone", "1-800-275-2273")]),
    ("my cell is 555-3487", [("phone", "555-3487")]),
    ("call +33 1 42 68 53 00 for the Paris team", [("phone", "+33 1 42 68 53 00")]),
    ("the clinic's number is 020 7946 0958", [("phone", "020 7946 0958")]),
    ("WhatsApp me on +91 98765 43210", [("phone", "+91 98765 43210")]),
    ("Her phone number is 3125550199", [("phone", "3125550199")]),
    ("try +49 30 901820 after nine", [("phone", "+49 30 901820")]),
    ("call 1 (888) 555-0110 to book", [("phone", "1 (888) 555-0110")]),
    ("My Australian number is +61 2 9374 4000", [("phone", "+61 2 9374 4000")]),
    ("the front desk is (020) 7946 0018", [("phone", "(020) 7946 0018")]),
    ("Phone: +353 1 555 0102", [("phone", "+353 1 555 0102")]),
    ("You can call 416-555-0175 ext. 22", [("phone", "416-555-0175")]),
    ("my number's 555 867 5309", [("phone", "555 867 5309")]),
    ("the landline is +1-604-555-0137", [("phone", "+1-604-555-0137")]),
    # ---- payment card (15)
    ("My card number is 4111 1111 1111 1111.", [("card", "4111 1111 1111 1111")]),
    ("Charge it to 5500-0000-0000-0004", [("card", "5500-0000-0000-0004")]),
    ("Use card 4012888888881881 for the deposit.", [("card", "4012888888881881")]),
    ("The Amex 3782 822463 10005 expires next month", [("card", "3782 822463 10005")]),
    ("The card is 6011 0009 9013 9424", [("card", "6011 0009 9013 9424")]),
    ("pay with 5555 5555 5555 4444 please", [("card", "5555 5555 5555 4444")]),
    ("card 3714-496353-98431, security code on the back", [("card", "3714-496353-98431")]),
    ("my old Visa is 4222222222222", [("card", "4222222222222")]),
    ("try 5105 1051 0510 5100 instead", [("card", "5105 1051 0510 5100")]),
    ("the number on the card is 4000 0566 5566 5556", [("card", "4000 0566 5566 5556")]),
    ("the full number is 2223003122003222", [("card", "2223003122003222")]),
    ("JCB card 3530 1113 3330 0000", [("card", "3530 1113 3330 0000")]),
    ("book it on 4917-6100-0000-0000", [("card", "4917-6100-0000-0000")]),
    ("the Diners card 3056 930902 5904", [("card", "3056 930902 5904")]),
    ("card: 6011-1111-1111-1117", [("card", "6011-1111-1111-1117")]),
    # ---- street address (20)
    ("Sherlock lived at 221B Baker Street.", [("address", "221B Baker Street")]),
    (
        "The White House is at 1600 Pennsylvania Ave NW, Washington, DC 20500.",
        [("address", "1600 Pennsylvania Ave NW, Washington, DC 20500")],
    ),
    ("Ship it to 742 Evergreen Terrace, please", [("address", "742 Evergreen Terrace")]),
    ("My office is at 350 Fifth Avenue, Suite 7600.", [("address", "350 Fifth Avenue, Suite 7600")]),
    ("Send it to 10 Downing Street, London SW1A 2AA.", [("address", "10 Downing Street, London SW1A 2AA")]),
    ("We moved to 4 Privet Drive last year.", [("address", "4 Privet Drive")]),
    ("Their HQ is 1 Infinite Loop, Cupertino, CA 95014", [("address", "1 Infinite Loop, Cupertino, CA 95014")]),
    ("deliver to 12 Grimmauld Place tomorrow", [("address", "12 Grimmauld Place")]),
    ("Her flat is at 27 Old Gloucester St.", [("address", "27 Old Gloucester St")]),
    ("The party is at 1313 Mockingbird Ln.", [("address", "1313 Mockingbird Ln")]),
    ("mail it to 42 West 44th Street, Apt 5B", [("address", "42 West 44th Street, Apt 5B")]),
    ("He lives at 31 Spooner Street, Quahog, RI 02903", [("address", "31 Spooner Street, Quahog, RI 02903")]),
    ("Meet me at 55 Water St, Brooklyn, NY 11201", [("address", "55 Water St, Brooklyn, NY 11201")]),
    ("the warehouse at 2300 Industrial Pkwy is closed", [("address", "2300 Industrial Pkwy")]),
    ("drop it at 16 Kings Road on your way", [("address", "16 Kings Road")]),
    ("Send letters to PO Box 4521", [("address", "PO Box 4521")]),
    ("I'm at 500 S Main St right now", [("address", "500 S Main St")]),
    ("The exchange is at 11 Wall Street, New York, NY 10005", [("address", "11 Wall Street, New York, NY 10005")]),
    ("the cottage at 3 Hollybush Lane has a blue door", [("address", "3 Hollybush Lane")]),
    ("the studio is at 77 Coldwater Canyon Boulevard", [("address", "77 Coldwater Canyon Boulevard")]),
    # ---- personal names (23 here, 24 with Ahmed above)
    ("Dr. Patel will see you now", [("name", "Patel")]),
    ("Tell Maria Garcia I'm running late", [("name", "Maria Garcia")]),
    ("Mrs. Okonkwo called twice", [("name", "Okonkwo")]),
    ("My manager is James T. Walsh", [("name", "James T. Walsh")]),
    ("ask Siobhan about the keys", [("name", "Siobhan")]),
    ("Professor Yilmaz moved the exam", [("name", "Yilmaz")]),
    ("call kofi mensah tomorrow", [("name", "kofi mensah")]),
    ("Hi, this is Daniel Becker from accounts", [("name", "Daniel Becker")]),
    ("Mr. Smith-Jones is here to see you", [("name", "Smith-Jones")]),
    ("Sir Hamish Fraser opened the bridge", [("name", "Hamish Fraser")]),
    ("Aunt Beatriz arrives on Sunday", [("name", "Beatriz")]),
    ("MEETING WITH PRIYA SHARMA AT NOON", [("name", "PRIYA SHARMA")]),
    ("Will Thompson is waiting outside", [("name", "Will Thompson")]),
    ("Send flowers to Olga Ivanova", [("name", "Olga Ivanova")]),
    ("Dr Mwangi's office is on the left", [("name", "Mwangi")]),
    ("Chiara and Matteo are coming for dinner", [("name", "Chiara"), ("name", "Matteo")]),
    ("I met Mohammed Rahman at the gym", [("name", "Mohammed Rahman")]),
    ("Capt. O'Brien welcomed us aboard", [("name", "O'Brien")]),
    ("Ask Dafydd Evans for the keys", [("name", "Dafydd Evans")]),
    ("my neighbour Ngozi fed the cat", [("name", "Ngozi")]),
    ("Thank Yuki Tanaka for the flowers", [("name", "Yuki Tanaka")]),
    ("Grandma Rose is visiting", [("name", "Rose")]),
]

# Prompts with numbers, times, money and capitalised words but nothing personal.
NO_PII = [
    "Set a timer for 15 minutes.",
    "My flight leaves at 7:30 p.m. on March 5, 2024.",
    "Transfer $3.50 to the savings account.",
    "Between 2010-2020 we had 1,000,000 users.",
    "Turn the volume down to 40%.",
    "The meeting has moved to room 4B.",
    "The score was 3-2 after extra time.",
    "Update to version 2.14.3 tonight.",
    "It's 72°F in Seattle today.",
    "Call Mom on speaker.",
    "Play some jazz in the living room.",
    "The train leaves from platform 9 at 10:45.",
    "Add 12 eggs and 2 lemons to the shopping list.",
    "What's the weather in St. Louis on Friday?",
    "Remind me on 3/14/2026 at 9 am.",
    "It costs €1,299.99 or £1,100.",
    "May I have the check, please?",
    "Will it rain in Paris tomorrow?",
    "We drove 250 km in 3 hours.",
    "The year 1984 was a good one.",
]

VALUES = [(kind, value) for _, planted in PLANTED for kind, value in planted]


def planted_prompts():
    """Each planted sentence as a prompt, with an extra field that repeats one of its values."""
    return [
        Prompt(f"p{i:03d}", text, {"contact": planted[0][1], "source": "call log"}, i + 1)
        for i, (text, planted) in enumerate(PLANTED)
    ]


def mentions(value: str, output: str) -> bool:
    """Whether ``value`` appears in ``output`` as a whole (case-insensitive; "Rose" is not in "Ambrose")."""
    return re.search(rf"(?<![\w]){re.escape(value)}(?![\w])", output, re.I) is not None


def test_planted_set_is_what_it_claims():
    assert len(VALUES) == 100
    assert Counter(k for k, _ in VALUES) == {"email": 20, "phone": 21, "card": 15, "address": 20, "name": 24}
    for text, planted in PLANTED:
        for kind, value in planted:
            assert value in text
            if kind == "card":
                assert luhn_valid(re.sub(r"\D", "", value)), value
    # a replacement can never recreate a planted name: the pools are disjoint from the detector's lists
    pool = {n for n, _ in gendered_names("pii", "replacement_first_names.txt")} | set(
        data_lines("pii", "replacement_last_names.txt")
    )
    real = (
        {n for n, _ in gendered_names("pii", "first_names.txt")}
        | {n for n, _ in gendered_names("pii", "name_words.txt")}
        | set(data_lines("pii", "last_names.txt"))
    )
    assert not pool & real


def test_finds_at_least_95_percent_of_planted_pii():
    found = 0
    missed = []
    for text, planted in PLANTED:
        spans = find_pii(text)
        for kind, value in planted:
            start = text.index(value)
            if any(k == kind and s <= start and start + len(value) <= e for k, s, e in spans):
                found += 1
            else:
                missed.append((kind, value))
    recall = found / len(VALUES)
    print(f"PII recall on the planted set: {found}/{len(VALUES)} = {recall:.0%}; missed: {missed}")
    assert recall >= 0.95, missed


def test_no_false_positives_in_ordinary_prompts():
    for text in NO_PII:
        assert find_pii(text) == [], text
    out = list(scrub_prompts([Prompt(f"n{i}", t, {}, i) for i, t in enumerate(NO_PII)], seed=1))
    assert [p.text for p in out] == NO_PII
    assert all(p.fields["pii"] == {"replaced": [], "counts": {}} for p in out)


def test_no_original_value_survives_in_texts_or_fields():
    out = list(scrub_prompts(planted_prompts(), seed=42))
    assert all(isinstance(p, Prompt) for p in out), [p for p in out if not isinstance(p, Prompt)]
    dumped = json.dumps([[p.id, p.text, p.fields] for p in out], ensure_ascii=False)
    survivors = [v for _, v in VALUES if mentions(v, dumped)]
    assert survivors == []
    for before, after in zip(planted_prompts(), out):
        assert after.fields["source"] == "call log"
        # the field that repeated a value got the very replacement the text got
        assert after.fields["contact"] in after.text or after.fields["contact"] != before.fields["contact"]


def test_replacements_are_of_the_same_kind_and_still_speakable():
    for before, after in zip(planted_prompts(), scrub_prompts(planted_prompts(), seed=5)):
        kinds_before = Counter(k for k, _, _ in find_pii(before.text))
        assert Counter(k for k, _, _ in find_pii(after.text)) == kinds_before, (before.text, after.text)
        assert after.fields["pii"]["replaced"] == sorted(kinds_before)
        to_spoken(after.text)  # raises if the replacement cannot be said
        for kind, s, e in find_pii(after.text):
            if kind == "card":
                assert luhn_valid(re.sub(r"\D", "", after.text[s:e]))
            if kind == "email" and "@" in after.text[s:e]:
                assert re.search(r"@example\.(com|org|net)$", after.text[s:e])


def test_scrubbing_is_deterministic_per_seed_and_prompt_id():
    once = list(scrub_prompts(planted_prompts(), seed=9))
    assert once == list(scrub_prompts(planted_prompts(), seed=9))
    reversed_order = {p.id: p for p in scrub_prompts(reversed(planted_prompts()), seed=9)}
    assert all(reversed_order[p.id] == p for p in once)
    other = list(scrub_prompts(planted_prompts(), seed=10))
    assert sum(a.text != b.text for a, b in zip(once, other)) > 90


def test_fields_record_types_and_counts_never_values():
    prompt = Prompt(
        "x1",
        "Call John Smith at 555-0123, John knows.",
        {"caller": "John Smith", "pii": {"original": "John Smith"}, "n": 3, "tags": ["vip", "John"]},
        1,
    )
    out = scrub_prompt(prompt, seed=1)
    first, last = out.text.split()[1:3]
    assert out.text.endswith(f", {first} knows.")  # the same original gets the same stand-in
    assert out.fields["caller"] == f"{first} {last}" and out.fields["tags"] == ["vip", first]
    assert out.fields["n"] == 3
    assert out.fields["pii"] == {"replaced": ["name", "phone"], "counts": {"name": 4, "phone": 1}}
    assert "John" not in json.dumps(out.fields) and "0123" not in out.text


def test_template_slot_spans_follow_the_replacements():
    source = expand_templates(
        None,
        seed=3,
        per_intent={
            n: 0
            for n in (
                "turn_on",
                "turn_off",
                "set_brightness",
                "set_temperature",
                "set_timer",
                "set_alarm",
                "cancel_alarm",
                "set_reminder",
                "play_music",
                "set_volume",
                "get_weather",
                "add_to_list",
                "remove_from_list",
                "set_budget",
            )
        }
        | {"call_contact": 40, "send_message": 40},
    )
    originals = {p.id: p for p in source if isinstance(p, Prompt)}
    scrubbed = list(scrub_prompts(originals.values(), seed=3))
    assert len(scrubbed) == 80 and all(isinstance(p, Prompt) for p in scrubbed)
    for p in scrubbed:
        words = to_spoken(p.text).transcript.split()
        before = {s["name"]: s for s in originals[p.id].fields["slots"]}
        for slot in p.fields["slots"]:
            assert p.text[slot["start"] : slot["end"]] == slot["value"]
            assert words[slot["word_start"] : slot["word_end"]] == slot["spoken"].split()
            if slot["name"] == "contact":
                assert slot["value"] != before["contact"]["value"]
                assert not mentions(before["contact"]["value"].split()[-1], p.text)
        assert p.fields["pii"]["replaced"][:1] == ["name"]


def test_personal_data_across_a_slot_edge_rejects_the_prompt():
    prompt = Prompt(
        "s1",
        "call 555-0123 now",
        {
            "slots": [
                {
                    "name": "area",
                    "type": "list",
                    "value": "555",
                    "start": 5,
                    "end": 8,
                    "spoken": "five five five",
                    "word_start": 1,
                    "word_end": 4,
                }
            ]
        },
        1,
    )
    out = scrub_prompt(prompt, seed=1)
    assert isinstance(out, PromptRejection) and "crosses the edge of slot 'area'" in out.reason
    assert "0123" not in out.text


def test_rejection_previews_and_reasons_are_scrubbed():
    cut = ("x " * 90 + "write to jane.doe@gmail.com")[:PREVIEW_CHARS]  # the preview ends inside the address
    assert cut.endswith("jane.doe@gm")
    rejections = [
        PromptRejection(3, "duplicate of line 1 (same text)", "r1", "Call John Smith at 555-0123"),
        PromptRejection(4, "over-long: 900 characters > 500", None, cut),
        PromptRejection(5, "bad id 'Maria Garcia'", None, None),
    ]
    out = list(scrub_prompts(rejections, seed=1))
    assert all(isinstance(r, PromptRejection) for r in out)
    assert [r.line for r in out] == [3, 4, 5] and out[2].text is None
    dumped = json.dumps([[r.reason, r.text] for r in out])
    for value in ("John", "Smith", "555-0123", "jane", "Maria", "Garcia"):
        assert not mentions(value, dumped), value


def test_card_numbers_must_pass_the_luhn_check():
    assert find_pii("card 4111 1111 1111 1112") == []  # one digit off: not a card, and no phone either
    assert [k for k, _, _ in find_pii("card 4111 1111 1111 1111")] == ["card"]


def test_end_to_end_corpus_holds_no_original_value(compose_cfg, tmp_path):
    from synth.run import generate

    chosen = [PLANTED[i] for i in (0, 12, 20, 25, 42, 45, 57, 61, 77, 83, 91)]
    lines = [json.dumps({"text": text, "contact": planted[0][1]}) for text, planted in chosen]
    lines.append(json.dumps({"text": chosen[0][0]}))  # a duplicate: its rejection row quotes the text
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "c"
    generate(
        compose_cfg(f"prompts.path={path}", "++prompts.scrub_pii=true", f"output.dir={out}", "voices.per_prompt=1")
    )
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == len(chosen) and all(r["prompt"]["pii"]["replaced"] for r in rows)
    rejects = (out / "rejects.jsonl").read_text()
    assert "duplicate" in rejects
    files = [f for f in out.rglob("*") if f.is_file()]
    assert len(files) > len(chosen)
    for f in files:
        content = f.read_bytes().decode("latin-1")  # audio too: a value must not hide in any byte stream
        for _, planted in chosen:
            for _, value in planted:
                assert not mentions(value, content), (value, f)


def test_every_listed_first_name_is_recognised_on_its_own():
    # the template slot type `name` draws from these lists; a scrubbed corpus must not keep one
    for name, _ in gendered_names("pii", "first_names.txt"):
        assert find_pii(f"ask {name} about it") == [("name", 4, 4 + len(name))], name
    for last in data_lines("pii", "last_names.txt"):
        assert [k for k, _, _ in find_pii(f"ask Dr. {last} about it")] == ["name"], last
