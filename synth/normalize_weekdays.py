"""Abbreviated weekdays ("Fri., Oct. 3", "Mon-Fri", "for Tu (2/22)") as the day's name.

Several abbreviations are also words or names ("Sat", "Sun", "Wed", the Mon people, "Th", "Fr"), so each is
read as a day only where something says so:

- a date or a time after it ("Tu (2/22)", "Sun 5pm", "Fri the 13th", "Sat, Oct 3"),
- another weekday beside it in a range or list ("Mon-Fri", "Sat & Sun", "Mon, Wed, Fri"),
- a preposition of time before it ("on Sat.", "until Wed"),
- or, for the forms that are no English word ("Tue", "Thurs", "Fri"), being capitalised, with or without
  its period.

Two-letter forms ("Tu", "Th") need a date, time or range. Anywhere else the text stays a word ("the Sun.").
"""

from __future__ import annotations

import re

from synth.normalize_spell import sentence_end_after

_DAYS = {
    "mo": "Monday",
    "mon": "Monday",
    "tu": "Tuesday",
    "tue": "Tuesday",
    "tues": "Tuesday",
    "we": "Wednesday",
    "wed": "Wednesday",
    "th": "Thursday",
    "thu": "Thursday",
    "thur": "Thursday",
    "thurs": "Thursday",
    "fr": "Friday",
    "fri": "Friday",
    "sa": "Saturday",
    "sat": "Saturday",
    "su": "Sunday",
    "sun": "Sunday",
}
_NOT_WORDS = {"tue", "tues", "thu", "thur", "thurs", "fri"}  # a capitalised one is always the day
_TWO_LETTERS = {k for k in _DAYS if len(k) == 2} - {"we"}  # "We 3 kings": never a day
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_FORM = "|".join(sorted((k.capitalize() for k in _DAYS if k != "we"), key=len, reverse=True))
_FORM = rf"(?:{_FORM}|{_FORM.upper()})"
_DAY = re.compile(rf"(?<![\w.'])({_FORM})(\.?)(?![\w'])")
# "Mon-Fri" is said "Monday to Friday": the dash of a range is "to", not a pause.
_DASH_RANGE = re.compile(rf"(?<![\w.'])({_FORM}\.?)\s*[-–]\s*(?={_FORM}\b)")
# A day of the month, a date or a time: "3", "13th", "2/22", "(2/22)", "9:30", "Oct 3".
_DATE_AFTER = re.compile(
    rf"\.?,?\s*(?:\(\s*)?(?:[0-9]{{1,2}}(?:[/.-][0-9]{{1,2}}(?:[/.-][0-9]{{2,4}})?|st|nd|rd|th|:[0-9]{{2}})?(?![0-9])"
    rf"|the\s+[0-9]{{1,2}}(?:st|nd|rd|th)\b|{_MONTHS}\s*[0-9])"
)
_JOIN = r"\s*(?:-|–|/|&|,|\bto\b|\bthrough\b|\bthru\b|\band\b|\bor\b)\s*"
_RANGE_AFTER = re.compile(rf"\.?{_JOIN}{_FORM}\b")
_RANGE_BEFORE = re.compile(rf"\b{_FORM}\.?{_JOIN}$")
_TIME_WORDS = re.compile(r"\b(?:on|every|each|next|last|this|until|till|til|by|from|before|after|since)\s+$", re.I)


def _day(m: re.Match) -> str:
    form, period = m.groups()
    key = form.lower()
    text, start, end = m.string, m.start(), m.end()
    after, before = text[end - len(period) :], text[:start]
    dated = bool(_DATE_AFTER.match(after))
    cued = dated or bool(_RANGE_AFTER.match(after) or _RANGE_BEFORE.search(before))
    if key in _TWO_LETTERS:
        said = cued
    else:
        said = (
            cued or bool(_TIME_WORDS.search(before)) or (key in _NOT_WORDS and form[0].isupper() and form[1:].islower())
        )
    if not said:
        return m.group(0)
    keep = period and not dated and sentence_end_after(text, end)  # "Sun. Jan 5": the period is the abbreviation's
    return f" {_DAYS[key]}{'.' if keep else ''} "


def expand_weekdays(text: str) -> str:
    """``text`` with its abbreviated weekdays said as day names, where the context makes them days."""
    return _DAY.sub(_day, _DASH_RANGE.sub(r"\1 to ", text))
