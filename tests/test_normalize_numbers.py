"""Numeric readings of synth.normalize (money, dates, times, phone numbers, units, codes): the misreadings
issue 18 names, and the reading style adopted from the peer test set (NeMo's English TN cases)."""

from __future__ import annotations

import pytest

from synth.normalize import NormalizationError, to_spoken
from synth.normalize_spell import cardinal

# Issue 18's numeric misreadings, beyond the list in tests/test_normalize.py (ISSUE_18_READINGS, which holds
# the issue's own examples): the contexts that make "911" the emergency number, and bare codes and phone numbers.
ISSUE_CASES = [
    ("Call 911.", "call nine one one"),
    ("the 911 call was logged", "the nine one one call was logged"),
    ("911 dispatchers answered", "nine one one dispatchers answered"),
    ("He counted 911 votes.", "he counted nine hundred and eleven votes"),  # no emergency context: a count
    ("0063", "zero zero six three"),
    ("(123)-123-5678", "one two three one two three five six seven eight"),
    ("Call (123) 123-5678 today.", "call one two three one two three five six seven eight today"),
    ("c. 1850", "circa eighteen fifty"),  # at the start of the text, where "c." could open a sentence
]


# "and" in the last group of a whole quantity only (the peer set's reading).
AND_CASES = [
    (123, "one hundred and twenty three"),
    (18081, "eighteen thousand and eighty one"),
    (123000, "one hundred twenty three thousand"),
    (123000012, "one hundred twenty three million twelve"),
    (1000012, "one million twelve"),
    (1100, "one thousand one hundred"),
    (-205, "minus two hundred and five"),
    (100, "one hundred"),
]


@pytest.mark.parametrize("n,expected", AND_CASES, ids=[str(c[0]) for c in AND_CASES])
def test_cardinal_and_in_last_group(n, expected):
    assert cardinal(n) == expected


STYLE_CASES = [
    ("$18081", "eighteen thousand and eighty one dollars"),
    ("₩460 billion", "four hundred sixty billion won"),  # a scaled amount: the "and" would be inside it
    ("460 million people", "four hundred sixty million people"),
    ("2 142/1", "two and one hundred forty two over one"),  # the fraction's "and" is the only one
    ("1-413-te-b-1-5", "one four hundred thirteen te b one five"),  # a code's numbers are names
    ("133-ABC", "one hundred thirty three a b c"),
    ("121st", "one hundred twenty first"),  # ordinals take no "and"
    ("in 2005", "in two thousand five"),  # nor years
    ("july 1506", "july fifteen oh six"),  # a year said in pairs keeps "oh"
    ("1:05 pm", "one oh five p m"),
    ("123.123.0.40", "one two three dot one two three dot zero dot four zero"),  # an IP address, digit by digit
    ("version 1.2.3", "version one point two point three"),
    ("my ssn is 111-11-1111", "my s s n is one one one one one one one one one"),
    ("1-800-GO-U-HAUL", "one eight hundred go u haul"),  # a vanity number's letters are words
    ("PART XL", "part forty"),
    ("Chapter IV", "chapter four"),
    ("the XL size", "the x l size"),  # no cue word: letters
    ("1980 s", "nineteen eighties"),
    ("45º&C", "forty five degrees and c"),  # the ordinal indicator written for a degree sign
    ("My PIN is 1234.", "my pin is one two three four"),  # the word between the cue and the code is said
    ("account no. 5678", "account number five six seven eight"),
    ("code: 5521", "code five five two one"),
    ("9AM\u20135PM", "nine a m to five p m"),  # an en dash after a time is a range too
    ("10:00:00 p.m.", "ten p m"),  # with a.m./p.m. it is a time of day, not a duration
    ("10:30:15 pm", "ten thirty and fifteen seconds p m"),
    ("5 ft 10 in tall", "five feet ten inches tall"),
    ("2x", "two x"),
    ("play it at 2.5x", "play it at two point five x"),
    ("3x faster", "three times faster"),  # a multiplier before a comparison
    ("a $5 bill", "a five dollar bill"),  # an amount before its noun: singular unit
    ("a $100 million deal", "a one hundred million dollar deal"),
    ("the $5 you owe", "the five dollars you owe"),
    ("by 12/25", "by december twenty fifth"),  # month and day after a date word
    ("on 3/4", "on march fourth"),  # both under 13: the slash convention (normalize.date_order=auto)
    ("3/4 of the cake", "three quarters of the cake"),
    ("reduce by 1/2", "reduce by one half"),  # a common fraction after "by" stays one
    ("from 1/3 to 1/2 cup", "from one third to one half cup"),
    ("the 2019/20 season", "the twenty nineteen twenty season"),
    ("10 / 2 = 5", "ten divided by two equals five"),
    ("ext. 204", "extension two zero four"),
    ("USD 100", "one hundred u s dollars"),  # ISO codes read as their sign would be
    ("GBP 1.50", "one pound fifty pence"),
    ("1 EUR", "one euro"),
    ("1 000 000", "one million"),  # SI thousands, two groups or more
    ("1080p", "ten eighty p"),
    ("10 cm x 20 cm", "ten centimeters by twenty centimeters"),
    ("Box x 3", "box x three"),
    ("Super Bowl LVII", "super bowl fifty seven"),
    ("It happened on 9/11.", "it happened on nine eleven"),
    ("He ate 3/4. Then", "he ate three quarters then"),  # a fraction before a sentence end
    ("from '99 to '05", "from ninety nine to oh five"),  # years written short
    ("Order #12345", "order number one two three four five"),  # a reference number
    ("order 500 units", "order five hundred units"),
    ("a 50-50 chance", "a fifty fifty chance"),
    ("Mix 2 tbsp sugar with 1 tsp salt.", "mix two tablespoons sugar with one teaspoon salt"),
]


@pytest.mark.parametrize(
    "text,spoken",
    [
        ("He is 6 ft. tall.", "He is six feet tall."),  # the unit's period inside a sentence is no pause
        ("It is 5 km. The end", "It is five kilometers. The end"),
    ],
)
def test_abbreviated_unit_period(text, spoken):
    assert to_spoken(text).spoken == spoken


PHONE_CASES = [
    ("(123) 123 5678", "one two three one two three five six seven eight"),
    ("+44 20 7946 0958", "plus forty four two zero seven nine four six zero nine five eight"),
    ("call +49 30 1234567 now", "call plus forty nine three zero one two three four five six seven now"),
    ("+1 123-123-5678", "plus one one two three one two three five six seven eight"),
]


@pytest.mark.parametrize("text", [c[0] for c in PHONE_CASES] + ["(123)-123-5678"])
def test_what_is_read_as_a_phone_number_is_one(text):
    """An independent check of the phone rules: the phonenumbers library (the pii extra) finds a number there."""
    phonenumbers = pytest.importorskip("phonenumbers")
    found = list(phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE))
    assert found, text


def test_unmarked_spaced_digit_groups_stay_numbers():
    # No parentheses, country code or dashes: nothing in the text says it is one phone number.
    assert to_spoken("123 123 5678").transcript.startswith("one hundred and twenty three one hundred")


READINGS = ISSUE_CASES + STYLE_CASES + PHONE_CASES


@pytest.mark.parametrize("text,expected", READINGS, ids=[c[0] for c in READINGS])
def test_reading(text, expected):
    assert to_spoken(text).transcript == expected


@pytest.mark.parametrize("text", ["01.10.2010", "on 3/4"])
def test_ambiguous_numeric_date_is_refused_with_the_ambiguity_named(text):
    with pytest.raises(NormalizationError, match=rf"ambiguous date '.*{text[-4:]}'.*month [0-9]+ day [0-9]+"):
        to_spoken(text, date_order="reject")
