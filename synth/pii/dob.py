"""Dates of birth: a date after the words that make it one ("born on", "date of birth", "DOB",
"birthday is"), or a full date right after a person's name ("Obinna Eze, 21/09/1983").

Dates in other places ("my flight leaves on March 5, 2027") are not personal data and are left alone.
Written forms: 03/11/1979, 12.08.1985, 1992-07-04, 14 March 1987, June 5th, 1990, 3rd of May 1990,
and spoken ones: "the twenty third of may nineteen eighty eight".
"""

from __future__ import annotations

import re

from synth.normalize_numbers import MONTHS as CAPITALISED_MONTHS
from synth.pii.found import Found

MONTHS = [m.lower() for m in CAPITALISED_MONTHS]
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_ORDINAL_WORD = (
    r"(?:(?:twenty|thirty)[ -](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|first|second|third|"
    r"fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|"
    r"seventeenth|eighteenth|nineteenth|twentieth|thirtieth)"
)
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_TEENS = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_YEAR_WORDS = (
    rf"(?:nineteen[ -](?:{_TENS}(?:[ -]{_UNITS})?|{_TEENS}|oh[ -]{_UNITS}|hundred)"
    rf"|two[ -]thousand(?:[ -]and)?(?:[ -](?:{_UNITS}|{_TEENS}|{_TENS}(?:[ -]{_UNITS})?))?"
    rf"|twenty[ -](?:{_TEENS}|{_TENS}(?:[ -]{_UNITS})?|oh[ -]{_UNITS}))"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"\d{1,2}([./-])\d{1,2}\1(?:\d{4}|\d{2})"  # 03/11/1979, 12.08.1985, 3-4-79
    r"|\d{4}-\d{2}-\d{2}"  # 1992-07-04
    rf"|(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}\.?,?\s+\d{{4}}"  # 14 March 1987, 3rd of May 1990
    rf"|{_MONTH}\.?\s+{_DAY},?\s+\d{{4}}"  # June 5th, 1990
    rf"|(?:the\s+)?{_ORDINAL_WORD}\s+of\s+{_MONTH}(?:\s+{_YEAR_WORDS})?"  # the twenty third of may nineteen ...
    rf"|{_MONTH}\s+(?:the\s+)?{_ORDINAL_WORD}(?:\s+{_YEAR_WORDS})?"  # may the third nineteen ninety
    r")(?![\w/-])",
    re.I,
)
_CUE = re.compile(
    r"\b(?:born|date\s+of\s+birth|d\.?o\.?b\.?|birth\s*date|birthday)\b(?:\W+(?:is|was|on|in|of|the|:))*\W*$", re.I
)
_NAME_GAP = re.compile(r"^\s*(?:,|\(|-)\s*$")


def dates_of_birth(text: str, name_ends: list[int]) -> list[Found]:
    """Dates of birth in ``text``; ``name_ends`` are the end offsets of names found in it."""
    out = []
    for m in DATE.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        after_name = any(_NAME_GAP.match(text[e : m.start()]) for e in name_ends if e <= m.start())
        if _CUE.search(before) or (after_name and re.search(r"\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2}", m.group(0))):
            out.append(Found.whole("dob", *m.span()))
    return out
