"""Dates and clock times as spoken English, for :mod:`synth.normalize_numbers`.

A date is read in the order it was written: "March 5" is "March fifth", "5 March" is "the fifth of March"
(reordering would make the voice say something the writer did not write). Numeric dates need an order:
year-first ("2016/07/03") is always year, month, day; otherwise the part over 12 is the day; where both
parts are 12 or under, another numeric date in the same prompt that settles the order decides, and
failing that the separator's convention does (``date_order="auto"``: a slash is month first, as US
English writes it; dots and dashes are day first, as most of Europe writes them) or the prompt is
rejected with the ambiguity named (``date_order="reject"``).
"""

from __future__ import annotations

import datetime
import re

from synth.normalize_spell import NormalizationError, cardinal, letters, ordinal, sentence_end_after, year

DATE_ORDERS = ("auto", "mdy", "dmy", "reject")

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_ABBR = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Sept": 9}
_MONTH_ABBR.update({"Oct": 10, "Nov": 11, "Dec": 12})
_MONTH_NUM = {**{m: i + 1 for i, m in enumerate(MONTHS)}, **_MONTH_ABBR}
# A month is written in title case, lowercase or capitals ("July", "july", "JULY"), never in mixed case.
MONTH_FORMS = {form: n for name, n in _MONTH_NUM.items() for form in (name, name.lower(), name.upper())}
# "may" and "mar" are also verbs: in lowercase they count only before a day number with a year or suffix.
_LOWER_WORDS = r"(?!(?:may|mar)\s+[0-9]{1,2}(?![0-9]|st|nd|rd|th|,?\s+[0-9]{4}))"
_MONTH = r"(" + "|".join(sorted(MONTH_FORMS, key=len, reverse=True)) + r")\b\.?"


def month_number(name: str) -> int:
    return MONTH_FORMS[name]


_AMPM = r"([AaPp])\.?\s?[Mm](?![A-Za-z])\.?"
_DATE_YEAR = r"(?:(?:,\s*|\s+)([0-9]{4})(?![0-9]))?"
_SUFFIX = r"(?:st|nd|rd|th|ST|ND|RD|TH)?"


def _said_year(year_text: str) -> str:
    y = int(year_text)
    if len(year_text) == 4:
        return year(y)
    return "oh " + cardinal(y) if y < 10 else cardinal(y)


def _date(
    month: int, day: int, year_text: str | None, *, day_first: bool = False, text="", start=0, calendar=True
) -> str | None:
    """The spoken date, or None when it is not a calendar date (February 30) and ``calendar`` asks for one."""
    try:  # 2000 is a leap year, so "February 29" without a year stays valid
        datetime.date(int(year_text) if year_text and len(year_text) == 4 else 2000, month, day)
    except ValueError:
        if calendar:
            return None
    if day_first:
        # "the" is part of the reading ("on 5 March" -> "on the fifth of March"), unless it was written.
        the = "" if re.search(r"\bthe\s+$", text[:start], re.I) else "the "
        said = f"{the}{ordinal(day)} of {MONTHS[month - 1]}"
    else:
        said = f"{MONTHS[month - 1]} {ordinal(day)}"
    if year_text:
        said += " " + _said_year(year_text)
    return f" {said} "


def _month_day(m: re.Match) -> str:
    month, day, y = m.groups()
    return _date(month_number(month), int(day), y) or m.group(0)


def _day_month(m: re.Match) -> str:
    day, month, y = m.groups()
    return _date(month_number(month), int(day), y, day_first=True, text=m.string, start=m.start()) or m.group(0)


def _quarter(m: re.Match) -> str:
    q, y = m.groups()
    return f" the {ordinal(int(q))} quarter of {_said_year(y)} "


_NUMERIC_DATE = re.compile(r"(?<![\w/.:-])([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})(?![\w/]|[.-][0-9])")


def _numeric_order(text: str, sep: str, date_order: str) -> str | None:
    """ "mdy" or "dmy" for the ambiguous numeric dates of ``text`` written with ``sep``, or None (reject)."""
    for m in _NUMERIC_DATE.finditer(text):
        a, b = int(m.group(1)), int(m.group(3))
        if m.group(2) == sep and a != b and (a > 12) != (b > 12):
            return "dmy" if a > 12 else "mdy"  # another date of the prompt shows the writer's order
    if date_order in ("mdy", "dmy"):
        return date_order
    if date_order == "reject":
        return None
    return "mdy" if sep == "/" else "dmy"


def expand_numeric_dates(text: str, date_order: str = "auto") -> str:
    """Rewrite day/month/year dates ("15.01.2020", "3/5/24"); see the module docstring for the order."""

    def one(m: re.Match) -> str:
        a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        if sep != "/" and len(y) != 4:
            return m.group(0)  # "1.2.34" or "12-34-56" is a version or a code
        if a > 12 >= b:
            order = "dmy"
        elif b > 12 >= a or a == b:
            order = "mdy"
        else:
            order = _numeric_order(text, sep, date_order)
            if order is None:
                raise NormalizationError(
                    f"ambiguous date {m.group(0)!r}: month {a} day {b}, or day {a} month {b}; "
                    "write the month as a word (or set normalize.date_order=mdy or dmy)"
                )
        month, day = (a, b) if order == "mdy" else (b, a)
        said = _date(month, day, y, day_first=order == "dmy" and sep != "/", text=m.string, start=m.start())
        if said is None and sep == "/":
            return m.group(0)  # not a date: the fraction and number rules read it
        return said or m.group(0)

    def cued(m: re.Match) -> str:
        # "by 12/25", "on 3/4": a month and day after a word that introduces a date (else a fraction).
        a, b = int(m.group(2)), int(m.group(3))
        if (a, b) == (9, 11):
            return m.group(0)  # "on 9/11": the day is named by its numbers ("nine eleven")
        if m.group(1).lower() not in _DATE_ONLY_CUES and a < b and b in _COMMON_DENOMINATORS:
            return m.group(0)  # "reduce by 1/2", "from 1/3 to 1/2": a common fraction
        order = "dmy" if a > 12 >= b else "mdy" if b > 12 >= a or a == b else _numeric_order(text, "/", date_order)
        if order is None:
            raise NormalizationError(
                f"ambiguous date {m.group(0)!r}: month {a} day {b}, or day {a} month {b}; "
                "write the month as a word (or set normalize.date_order=mdy or dmy)"
            )
        month, day = (a, b) if order == "mdy" else (b, a)
        said = _date(month, day, None)
        return f"{m.group(1)} {said}" if said else m.group(0)

    return _CUED_MONTH_DAY.sub(cued, _NUMERIC_DATE.sub(one, text))


_DATE_ONLY_CUES = {"on", "due", "dated"}  # after these even "3/4" is a date; after "by", "from"... a fraction
_COMMON_DENOMINATORS = {2, 3, 4, 8, 16}
_CUED_MONTH_DAY = re.compile(
    r"\b(on|by|until|till|since|before|after|due|dated|from|through|thru)\s+([0-9]{1,2})/([0-9]{1,2})(?![\w/]|[.,][0-9])",
    re.I,
)


def _ampm(letter: str, text: str, end: int) -> str:
    said = letters(letter + "m")
    if text[end - 1] == "." and sentence_end_after(text, end):
        said += "."
    return said


def _clock(h: int, mi: int, ampm: str = "") -> str:
    words = [cardinal(h)]
    if mi == 0:
        if not ampm:
            words.append("o'clock" if 1 <= h <= 12 else "hundred")
    elif mi < 10:
        words += ["oh", cardinal(mi)]
    else:
        words.append(cardinal(mi))
    return " ".join(words + ([ampm] if ampm else []))


def _time(m: re.Match) -> str:
    h, sep, mi, s, letter = m.group(1), m.group(2), int(m.group(3)), m.group(4), m.group(5)
    h = int(h)
    if sep == "." and not letter:
        return m.group(0)  # "1.59" without a.m./p.m. is a decimal
    if mi > 59 or (s and int(s) > 59) or (letter and not 1 <= h <= 12) or (not s and h > 24):
        return m.group(0)
    ampm = _ampm(letter, m.string, m.end()) if letter else ""
    if s and ampm:  # "10:00:00 p.m." is a time of day, to the second
        return f" {_clock(h, mi, ampm)} " if s == "00" else f" {_clock(h, mi)} and {cardinal(int(s))} seconds {ampm} "
    if s:  # "1:05:30" is nearly always a duration
        parts = [(h, "hour", "hours"), (mi, "minute", "minutes"), (int(s), "second", "seconds")]
        said = [f"{cardinal(v)} {one if v == 1 else many}" for v, one, many in parts if v]
        if len(said) > 1:
            said[-1] = "and " + said[-1]
        return f" {' '.join(said) or 'zero seconds'} {ampm} "
    return f" {_clock(h, mi, ampm)} "


def _hour_ampm(m: re.Match) -> str:
    h = int(m.group(1))
    if not 1 <= h <= 12:
        return m.group(0)
    return f" {_clock(h, 0, _ampm(m.group(2), m.string, m.end()))} "


_CLOCK = r"[0-9]{1,2}(?:[:.][0-9]{2})?"


def _ymd(m: re.Match) -> str:
    # A four-digit year first settles the form, so it reads as written even where the calendar lacks the day
    # ("1998/2/30"): read as digits instead, it would say no date at all.
    y, _sep, mo, d = m.groups()
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return m.group(0)
    return _date(int(mo), int(d), y, calendar=False)


DATE_RULES: list[tuple[re.Pattern, object]] = [
    (re.compile(r"(?<![\w.-])([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})(?![\w-]|\.[0-9])"), _ymd),
    (re.compile(r"(?<![\w.])([1-4])Q([0-9]{4}|[0-9]{2})(?![\w])"), _quarter),
    (re.compile(rf"\b{_LOWER_WORDS}{_MONTH}\s+([0-9]{{1,2}}){_SUFFIX}(?![\w:.,]?[0-9]){_DATE_YEAR}"), _month_day),
    (
        re.compile(rf"(?<![\w.,])([0-9]{{1,2}}){_SUFFIX}\s+(?:of\s+)?{_MONTH}{_DATE_YEAR}"),
        _day_month,
    ),
]


# "9am-5pm", "4:00 am - 8:12 pm": a dash between two times is "to".
TIME_RANGE = (
    re.compile(rf"(?<![\w:.])({_CLOCK}(?:\s?[AaPp]\.?[Mm]\.?)?)\s?[-–]\s?(?={_CLOCK}\s?[AaPp]\.?[Mm](?![A-Za-z]))"),
    r"\1 to ",
)
TIME_RULES: list[tuple[re.Pattern, object]] = [
    (
        re.compile(rf"(?<![\w:.])([0-9]{{1,2}})([:.])([0-9]{{2}})(?::([0-9]{{2}}))?(?![0-9:])(?:\s?{_AMPM})?"),
        _time,
    ),
    (re.compile(rf"(?<![\w:.])([0-9]{{1,2}})\s?{_AMPM}"), _hour_ampm),
]
