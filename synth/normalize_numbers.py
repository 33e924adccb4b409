"""Digit-bearing text (money, dates, times, phone numbers, units, years, plain
numbers) rewritten as spoken English for :mod:`synth.normalize`.

eSpeak NG expands digits on its own, and its reading need not match the label we
write, so after :func:`expand_numbers` the text must hold no ASCII digit at all.
All number spelling goes through num2words; this module only decides *which*
reading a digit string gets. Every rewrite is padded with spaces so that a digit
glued to a word ("MP3", "iPhone15") turns into separate words.
"""

from __future__ import annotations

import datetime
import re

from num2words import num2words

# Letter names produced here ("P M" of "7 pm") must not be re-read by later
# passes: a lone capital "A" would otherwise be taken for the article. The
# marker is a private-use character; input text is stripped of those (Unicode
# category Co) before any pass runs, so it cannot come from the prompt.
LETTER_MARK = "\ue000"


def letters(text: str) -> str:
    """Spell ``text`` as marked capital letter names: "pm" -> "P M"."""
    return " ".join(LETTER_MARK + c.upper() for c in text if c.isalpha())


def sentence_end_after(text: str, pos: int) -> bool:
    """Whether a period just consumed at ``pos`` plausibly also ended a sentence.

    "at 7 p.m." swallows the period that ends the sentence; we give it back when
    nothing or a capitalised word follows, so the voice keeps its sentence pause.
    """
    rest = text[pos:]
    return not rest.strip() or re.match(r"\s+[\"'(\[]*[A-Z]", rest) is not None


# --- spelling helpers -------------------------------------------------------


def _tidy(words: str) -> str:
    # num2words writes British-style "one thousand, two hundred and fifty" and
    # hyphenates "twenty-two"; our labels are US-style with one token per word.
    words = words.replace(",", " ").replace("-", " ")
    return " ".join(w for w in words.split() if w != "and")


def digits(text: str) -> str:
    """Read digits one by one, zero as "oh", the way phone numbers are said."""
    return " ".join("oh" if c == "0" else _tidy(num2words(int(c))) for c in text if c.isdigit())


def cardinal(n: int) -> str:
    try:
        return _tidy(num2words(n))
    except (OverflowError, ValueError):
        # Beyond num2words' scale names; reading the digits still says every one.
        return ("minus " if n < 0 else "") + digits(str(abs(n)))


def ordinal(n: int) -> str:
    try:
        return _tidy(num2words(n, to="ordinal"))
    except (OverflowError, ValueError):
        return cardinal(n)


def year(n: int) -> str:
    return _tidy(num2words(n, to="year"))


def number(text: str) -> str:
    """Spell a written number: "-1,250" / "3.14" / ".5" / "007"."""
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").replace(",", "").partition(".")
    if len(whole) > 1 and whole.startswith("0") and not frac:
        # Written zero padding ("007", "02139") signals a code, not a quantity.
        return ("minus " if neg else "") + digits(whole)
    words = ["minus"] if neg else []
    if whole:
        words.append(cardinal(int(whole)))
    if frac:
        words += ["point", " ".join(_tidy(num2words(int(d))) for d in frac)]
    return " ".join(words)


def _is_one(amount: str) -> bool:
    return amount.lstrip("-") == "1"


def _plural(words: str) -> str:
    """Pluralise the last word of a spelled number: "nineteen ninety" -> "...nineties"."""
    head, _, last = words.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + ("es" if last.endswith("x") else "s")
    return f"{head} {last}".strip()


# --- patterns ---------------------------------------------------------------

# A written number: thousands groups must be exactly three digits, otherwise
# "1,2" is a list of two numbers. Decimals may start with the point (".5").
NUM = r"(?:(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"
# A number that cannot be the tail of a larger token ("v1.2", "1,000").
_FREE = r"(?<![\w.,])"

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
_MONTH_ABBR = {
    "Jan": 1,
    "Feb": 2,
    "Mar": 3,
    "Apr": 4,
    "Jun": 6,
    "Jul": 7,
    "Aug": 8,
    "Sep": 9,
    "Sept": 9,
    "Oct": 10,
    "Nov": 11,
    "Dec": 12,
}
_MONTH_NUM = {**{m: i + 1 for i, m in enumerate(MONTHS)}, **_MONTH_ABBR}
_MONTH = r"(" + "|".join(sorted(_MONTH_NUM, key=len, reverse=True)) + r")\b\.?"

_CURRENCIES = {  # symbol: (one, many, one hundredth, many hundredths)
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", None, None),
}
_SHORT_SCALES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}

_UNITS = {  # written unit: (singular, plural)
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "m/s": ("meter per second", "meters per second"),
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "mi": ("mile", "miles"),
    "ft": ("foot", "feet"),
    "yd": ("yard", "yards"),
    "yds": ("yard", "yards"),
    "kg": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "KB": ("kilobyte", "kilobytes"),
    "kB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "kW": ("kilowatt", "kilowatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "mAh": ("milliamp hour", "milliamp hours"),
    "ms": ("millisecond", "milliseconds"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "sec": ("second", "seconds"),
    "secs": ("second", "seconds"),
}
# One-letter units are ordinary words or letters when spaced ("5 m" could be a
# list item), so they only count when glued to the number ("100m", "5g").
_ATTACHED_UNITS = {
    "m": ("meter", "meters"),
    "g": ("gram", "grams"),
    "l": ("liter", "liters"),
    "L": ("liter", "liters"),
    "h": ("hour", "hours"),
    "W": ("watt", "watts"),
    "V": ("volt", "volts"),
    "in": ("inch", "inches"),
}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": None,
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}

# Words before a 4-digit number that make it a year ("in 1850", "by 2030").
_YEAR_CUES = {
    "in",
    "since",
    "year",
    "by",
    "from",
    "until",
    "till",
    "through",
    "thru",
    "to",
    "before",
    "after",
    "during",
    "circa",
    "early",
    "late",
    "mid",
    "spring",
    "summer",
    "fall",
    "autumn",
    "winter",
    "class",
    *(m.lower() for m in MONTHS),
}
# Words before a 4-digit number that make it a quantity ("about 1950 people").
_COUNT_CUES = {
    "about",
    "approximately",
    "nearly",
    "almost",
    "over",
    "under",
    "than",
    "exactly",
    "some",
    "roughly",
    "least",
    "total",
}

_SPECIAL_SLASH = {("24", "7"), ("9", "11"), ("50", "50")}  # said as two numbers


# --- rewrites -----------------------------------------------------------------


def _money_words(neg: str | None, sym: str, amount: str, scale: str | None) -> str:
    one, many, sub_one, sub_many = _CURRENCIES[sym]
    minus = "minus " if neg else ""
    if scale:  # "$1.2 million" is said "one point two million dollars"
        return f" {minus}{number(amount)} {scale} {many} "
    whole, _, frac = amount.replace(",", "").partition(".")
    if frac and (len(frac) > 2 or sub_one is None):
        return f" {minus}{number(amount)} {many} "
    units, cents = int(whole or 0), int(frac.ljust(2, "0")) if frac else 0
    parts = []
    if units or not cents:
        parts.append(f"{cardinal(units)} {one if units == 1 else many}")
    if cents:
        parts.append(f"{cardinal(cents)} {sub_one if cents == 1 else sub_many}")
    return f" {minus}{' '.join(parts)} "


def _money(m: re.Match) -> str:
    neg, sym, amount, scale_word, short_scale = m.groups()
    scale = scale_word or (short_scale and _SHORT_SCALES[short_scale.lower()])
    return _money_words(neg, sym, amount, scale)


def _date(month: int, day: int, year_text: str | None, *, day_first_of: bool = False) -> str | None:
    try:  # 2000 is a leap year, so "February 29" without a year stays valid
        datetime.date(int(year_text) if year_text and len(year_text) == 4 else 2000, month, day)
    except ValueError:
        return None
    said = f"{ordinal(day)} of {MONTHS[month - 1]}" if day_first_of else f"{MONTHS[month - 1]} {ordinal(day)}"
    if year_text:
        y = int(year_text)
        said += " " + (year(y) if len(year_text) == 4 else ("oh " + cardinal(y) if y < 10 else cardinal(y)))
    return f" {said} "


def _iso_date(m: re.Match) -> str:
    y, mo, d = m.groups()
    return _date(int(mo), int(d), y) or m.group(0)


def _slash_date(m: re.Match) -> str:
    a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
    if a > 12 >= b:  # only a day can exceed 12: "25/12/2024" is day/month
        a, b = b, a
    return _date(a, b, y) or " ".join(number(g) for g in m.groups())


def _month_day(m: re.Match) -> str:
    month, day, y = m.groups()
    return _date(_MONTH_NUM[month], int(day), y) or m.group(0)


def _day_month(m: re.Match) -> str:
    day, of, month, y = m.groups()
    return _date(_MONTH_NUM[month], int(day), y, day_first_of=bool(of)) or m.group(0)


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
    h, mi, s, letter = m.group(1), int(m.group(2)), m.group(3), m.group(4)
    h = int(h)
    if mi > 59 or (s and int(s) > 59) or (letter and not 1 <= h <= 12) or (not s and h > 24):
        return m.group(0)
    ampm = _ampm(letter, m.string, m.end()) if letter else ""
    if s:  # "1:05:30" is nearly always a duration
        parts = [(h, "hour", "hours"), (mi, "minute", "minutes"), (int(s), "second", "seconds")]
        said = " ".join(f"{cardinal(v)} {one if v == 1 else many}" for v, one, many in parts if v)
        return f" {said or 'zero seconds'} {ampm} "
    return f" {_clock(h, mi, ampm)} "


def _hour_ampm(m: re.Match) -> str:
    h = int(m.group(1))
    if not 1 <= h <= 12:
        return m.group(0)
    return f" {_clock(h, 0, _ampm(m.group(2), m.string, m.end()))} "


def _dashed(m: re.Match) -> str:
    groups = m.group(0).split("-")
    if len(groups) == 2 and not any(len(g) > 1 and g[0] == "0" for g in groups):
        a, b = groups
        year_range = len(a) == 4 and 1000 <= int(a) <= 2099 and len(b) in (2, 4)
        if year_range or len(a) + len(b) <= 6:
            # Left in digits so percent/unit/year rules still see "15%" or "2010".
            return f"{a} to {b}"
    # Phone-number-like: every digit is said, groups separated by a pause.
    return " " + ", ".join(digits(g) for g in groups) + " "


def _phone(m: re.Match) -> str:
    country, area_paren, area, exchange, line = m.groups()
    said = ", ".join(digits(g) for g in (area_paren or area, exchange, line))
    lead = f"plus {cardinal(int(country[1:]))}, " if country else ""
    return f" {lead}{said} "


def _zip(m: re.Match) -> str:
    state, sep, code, plus4 = m.groups()
    name = _STATES[state] or letters(state)
    return f"{name}{sep}{digits(code)}{' ' + digits(plus4) if plus4 else ''} "


def _unit(m: re.Match) -> str:
    amount, spaced, attached = m.group(1), m.group(2), m.group(3)
    one, many = _UNITS[spaced] if spaced else _ATTACHED_UNITS[attached]
    return f" {number(amount)} {one if _is_one(amount) else many} "


def _degrees(m: re.Match) -> str:
    amount, scale = m.groups()
    unit = "degree" if _is_one(amount) else "degrees"
    scale = {"C": " Celsius", "F": " Fahrenheit"}.get(scale or "", "")
    return f" {number(amount)} {unit}{scale} "


def _decade(m: re.Match) -> str:
    n = int(m.group(1))
    return f" {_plural(year(n) if n >= 1000 else cardinal(n))} "


def _era(m: re.Match) -> str:
    n, era = m.groups()
    said = year(int(n)) + " " + letters(era)
    if m.group(0).endswith(".") and sentence_end_after(m.string, m.end()):
        said += "."
    return f" {said} "


def _year_or_count(m: re.Match) -> str:
    """Decide whether a bare 4-digit number is a year.

    Rule: 1000-2099 after a year cue word ("in", "since", "by", a month name...)
    is a year; 1900-2099 is a year unless a quantity cue ("about", "over",
    "than"...) precedes it, since in prose those are overwhelmingly years (and
    2000-2009 read the same either way); 1100-1899 is a year only after a cue
    or when no word follows it ("built in 1850", "founded 1850."), otherwise a
    count ("1500 people"). Everything else is a cardinal.
    """
    text, n = m.string, int(m.group(1))
    before = re.search(r"([A-Za-z]+)\W*$", text[: m.start()])
    prev = before.group(1).lower() if before else ""
    word_follows = re.match(r"\s*[A-Za-z]", text[m.end() :]) is not None
    if prev in _YEAR_CUES and 1000 <= n <= 2099:
        is_year = True
    elif 1900 <= n <= 2099:
        is_year = prev not in _COUNT_CUES
    else:
        is_year = 1100 <= n <= 1899 and not word_follows and prev not in _COUNT_CUES
    return f" {year(n) if is_year else cardinal(n)} "


def _fraction(m: re.Match) -> str:
    whole, num, den = m.groups()
    if (num, den) in _SPECIAL_SLASH:
        return f" {cardinal(int(num))} {cardinal(int(den))} "
    n, d = int(num), int(den)
    if d in (0, 1) or d > 100:
        said = f"{cardinal(n)} over {cardinal(d)}"
    else:
        name = {2: ("half", "halves"), 4: ("quarter", "quarters")}.get(d)
        one, many = name or (ordinal(d), ordinal(d) + "s")
        said = f"{cardinal(n)} {one if n == 1 else many}"
    return f" {number(whole) + ' and ' if whole else ''}{said} "


def _plain(m: re.Match) -> str:
    text, sign, amount = m.string, m.group(1), m.group(2)
    # A hyphen is a minus only where it starts a word; "x-5" was a separator.
    if sign and m.start() > 0 and text[m.start() - 1] not in " ([{~":
        sign = ""
    bare = amount.replace(",", "")
    if "," not in amount and "." not in amount and len(bare) >= 8:
        # Long unseparated runs are IDs or phone numbers, read digit by digit.
        return f" {'minus ' if sign else ''}{digits(bare)} "
    return f" {number(sign + amount)} "


_AMPM = r"([AaPp])\.?\s?[Mm](?![A-Za-z])\.?"
_DATE_YEAR = r"(?:,?\s+([0-9]{4})(?![0-9]))?"
_ERA = r"(A\.D\.|B\.C\.E\.|B\.C\.|C\.E\.|AD|BCE|BC|CE)(?![A-Za-z])"

# Order matters: each rule may only see digits that earlier, more specific
# rules have left, and rules that keep digits (ranges) come before the rules
# that must then read them (percent, units, years).
_RULES: list[tuple[re.Pattern, object]] = [
    (re.compile(r"(?<=[A-Za-z])-(?=[0-9])|(?<=[0-9])-(?=[A-Za-z])"), " "),  # COVID-19, 20-year
    (re.compile(r"~\s?(?=[0-9.])"), " about "),
    (re.compile(r"(?:\bNo\.|#)\s?(?=[0-9])"), " number "),
    (re.compile(r"(?<=[0-9])\s?\*\s?(?=[0-9.])"), " times "),
    # "$5-10" means "$5 to $10"; the range rule below would make "-10" a minus.
    (re.compile(rf"([$£€¥])({NUM})\s?[-–]\s?[$£€¥]?(?=[0-9])"), r"\1\2 to \1"),
    (
        re.compile(
            r"(?<![\w+-])(?:(\+[0-9]{1,3})[\s.-]?)?(?:\(([0-9]{3})\)\s?|([0-9]{3})[\s.-]?)"
            r"([0-9]{3})[.-]([0-9]{4})(?![\w-])"
        ),
        _phone,
    ),
    (re.compile(rf"\b({_alternation(_STATES)})(,?\s+)([0-9]{{5}})(?:-([0-9]{{4}}))?(?![\w-])"), _zip),
    (
        re.compile(
            rf"(?<![\w$£€¥])(-)?([$£€¥])\s?({NUM})(?:\s?(thousand|million|billion|trillion)\b"
            rf"|([kKmMbB]n?)(?![A-Za-z]))?"
        ),
        _money,
    ),
    (
        re.compile(rf"{_FREE}({NUM})\s?([$£€¥])(?![\w$£€¥])"),  # "5€", as written in much of Europe
        lambda m: _money_words(None, m.group(2), m.group(1), None),
    ),
    (
        re.compile(rf"{_FREE}({NUM})\s?¢"),
        lambda m: f" {number(m.group(1))} {'cent' if _is_one(m.group(1)) else 'cents'} ",
    ),
    (re.compile(r"(?<![\w.-])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![\w-])"), _iso_date),
    (re.compile(r"(?<![\w/.])([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}|[0-9]{2})(?![\w/])"), _slash_date),
    (re.compile(rf"\b{_MONTH}\s+([0-9]{{1,2}})(?:st|nd|rd|th)?(?![\w:.,]?[0-9]){_DATE_YEAR}"), _month_day),
    (re.compile(rf"{_FREE}([0-9]{{1,2}})(?:st|nd|rd|th)?\s+(of\s+)?{_MONTH}{_DATE_YEAR}"), _day_month),
    (re.compile(rf"(?<![\w:.])([0-9]{{1,2}}):([0-9]{{2}})(?::([0-9]{{2}}))?(?![0-9:])(?:\s?{_AMPM})?"), _time),
    (re.compile(rf"(?<![\w:.])([0-9]{{1,2}})\s?{_AMPM}"), _hour_ampm),
    (
        re.compile(r"(?<![\w:.])([0-9]+):([0-9]+)(?![0-9:])"),  # a ratio or score
        lambda m: f" {number(m.group(1))} to {number(m.group(2))} ",
    ),
    (re.compile(r"(?<![\w.,/-])[0-9]+(?:-[0-9]+)+(?![\w/-])"), _dashed),
    (re.compile(r"(?<![\w/.])(?:([0-9]{1,2})\s+)?([0-9]+)/([0-9]+)(?![\w/.])"), _fraction),
    (
        re.compile(r"(?<![\w.])([0-9]+)'\s?([0-9]{1,2})(?:\"|'')"),
        lambda m: (
            f" {cardinal(int(m.group(1)))} {'foot' if m.group(1) == '1' else 'feet'} "
            f"{cardinal(int(m.group(2)))} {'inch' if m.group(2) == '1' else 'inches'} "
        ),
    ),
    (re.compile(rf"{_FREE}(-?{NUM})\s?°\s?(?:([CF])(?![A-Za-z]))?"), _degrees),
    (re.compile(rf"(?<![0-9.,])({NUM})\s?[x×]\s?(?=[0-9.])"), lambda m: f" {number(m.group(1))} by "),
    (re.compile(rf"{_FREE}({NUM})x(?![\w])"), lambda m: f" {number(m.group(1))} times "),
    (re.compile(r"(?<![\w.,'])'?((?:1[0-9]|20)[0-9]0|[1-9]0)'?s\b"), _decade),
    # A bare "s" is only a unit after a decimal ("9.58s"); "the 1s and 0s" are not seconds.
    (re.compile(rf"{_FREE}([0-9]*\.[0-9]+)s(?![\w])"), lambda m: f" {number(m.group(1))} seconds "),
    (
        re.compile(
            rf"{_FREE}(-?{NUM})(?:\s?({_alternation(_UNITS)})|({_alternation(_ATTACHED_UNITS)}))"
            r"(?![\w/°])"
        ),
        _unit,
    ),
    (re.compile(r"(?<![0-9.,])([0-9]+)'?s\b"), lambda m: f" {_plural(number(m.group(1)))} "),  # "1s and 0s"
    (re.compile(rf"{_FREE}(-?{NUM})\s?%"), lambda m: f" {number(m.group(1))} percent "),
    (
        re.compile(r"(?<![\w.])([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:st|nd|rd|th)\b", re.I),
        lambda m: f" {ordinal(int(m.group(1).replace(',', '')))} ",
    ),
    (re.compile(rf"(?<![\w.,])([0-9]{{1,4}})\s?{_ERA}\.?"), _era),
    (re.compile(r"(?<![\w.,$£€¥])([0-9]{4})(?![0-9]|[.,][0-9])"), _year_or_count),
    # Versions and IP addresses: "1.2.3" is not a decimal followed by a sentence end.
    (
        re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}(?![0-9]|\.[0-9])"),
        lambda m: (
            " "
            + (" dot " if m.group(0).count(".") == 3 else " point ").join(number(g) for g in m.group(0).split("."))
            + " "
        ),
    ),
    (re.compile(rf"(?<![0-9])(-?)({NUM})"), _plain),
]


def expand_numbers(text: str) -> str:
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text
