"""Numbers said digit by digit, as ASR-style logs write them: "call five five five zero one nine nine",
"oh seven seven zero zero nine double zero one two three".

A run of seven or more digit words ("oh" and "o" for zero; "double"/"triple" repeat the next digit) is
a phone number, unless the words before it say it is a Social Security or insurance number, an
account or a card; then it gets that type. Shorter runs ("the code is one two three four") are left.
"""

from __future__ import annotations

import re

from synth.pii.found import Found
from synth.pii.ids import ACCOUNT_CONTEXT, SIN_CONTEXT, SSN_CONTEXT

DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_REPEAT = {"double": 2, "triple": 3}
_DIGIT = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)"
_RUN = re.compile(
    rf"(?<![\w-])(?:(?:double|triple)[ -])?{_DIGIT}(?:[ ,-]+(?:(?:double|triple)[ -])?{_DIGIT})+(?![\w-])", re.I
)
_CARD_CONTEXT = re.compile(r"\b(?:card|visa|mastercard|amex)\b(?:\W+[A-Za-z.']+){0,3}?\W*$", re.I)
MIN_DIGITS = 7


def digits_of(words: str) -> str:
    """The digits a run of digit words says ("double zero one" -> "001")."""
    out, repeat = [], 1
    for word in re.split(r"[ ,-]+", words.lower()):
        if word in _REPEAT:
            repeat = _REPEAT[word]
        elif word in DIGIT_WORDS:
            out.append(DIGIT_WORDS[word] * repeat)
            repeat = 1
    return "".join(out)


def spoken_numbers(text: str) -> list[Found]:
    """Runs of seven or more digit words in ``text``, typed by the words before them."""
    out = []
    for m in _RUN.finditer(text):
        digits = digits_of(m.group(0))
        if len(digits) < MIN_DIGITS:
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        if SSN_CONTEXT.search(before) and len(digits) == 9:
            kind = "ssn"
        elif SIN_CONTEXT.search(before) and len(digits) == 9:
            kind = "national_id"
        elif ACCOUNT_CONTEXT.search(before):
            kind = "bank_account"
        elif _CARD_CONTEXT.search(before) and 13 <= len(digits) <= 19:
            kind = "card"
        else:
            kind = "phone"
        out.append(Found.whole(kind, *m.span(), role="spoken_" + kind))
    return out
