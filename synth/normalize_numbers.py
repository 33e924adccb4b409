"""Digit-bearing text (money, dates, times, phone numbers, units, years, plain
numbers) rewritten as spoken English for :mod:`synth.normalize`.

eSpeak NG expands digits on its own, and its reading need not match the label we
write, so after :func:`expand_numbers` the text must hold no ASCII digit at all.
All number spelling goes through num2words; this module only decides *which*
reading a digit string gets. Every rewrite is padded with spaces so that a digit
glued to a word ("MP3", "iPhone15") turns into separate words.
"""

from __future__ import annotations

import re

from synth.normalize_dates import DATE_RULES, MONTH_FORMS, MONTHS, TIME_RANGE, TIME_RULES, expand_numeric_dates
from synth.normalize_spell import (  # noqa: F401  (re-exported for synth.normalize)
    LETTER_MARK,
    cardinal,
    code_digits,
    digits,
    in_pairs,
    letters,
    number,
    ordinal,
    sentence_end_after,
    year,
)
from synth.normalize_spell import (
    is_one as _is_one,
)
from synth.normalize_spell import (
    plural as _plural,
)
from synth.normalize_units import MEASURE_RULES, PER_AMOUNT, degrees
from synth.regex_digits import has_digit, needs_digit

# --- patterns ---------------------------------------------------------------

# A written number: thousands groups must be exactly three digits, otherwise
# "1,2" is a list of two numbers. Decimals may start with the point (".5").
NUM = r"(?:(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?|(?<!\.)\.[0-9]+)"  # "114...48" is no decimal
# A number that cannot be the tail of a larger token ("v1.2", "1,000").
_FREE = r"(?<![\w.,])"

_CURRENCIES = {  # symbol: (one, many, one hundredth, many hundredths)
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", None, None),
    "₩": ("won", "won", None, None),
}
_CUR = "$£€¥₩"
# ISO codes written beside an amount ("USD 100", "100 EUR"): said as the currency's name.
_CODES = {  # code: (the sign it is read as, the word before the unit)
    "USD": ("$", "US"),
    "CAD": ("$", "Canadian"),
    "AUD": ("$", "Australian"),
    "EUR": ("€", ""),
    "GBP": ("£", ""),
    "JPY": ("¥", ""),
}
# Video resolutions said in pairs ("1080p" -> "ten eighty p").
_RESOLUTIONS = {"240", "360", "480", "576", "720", "1080", "1440", "2160", "4320"}
_SHORT_SCALES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


STATES = {
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

# Groups of letters and digits joined by dashes or slashes: "1-413-te-b-1-5", "MIG-25/235212-asdg".
CODE_CHAIN = re.compile(
    r"(?<![\w/.:-])(?:[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+){2,}|[A-Za-z]+[0-9]*-[0-9]+/[0-9]+)(?![\w/-])"
)
# Words after which a number is a code read digit by digit.
_CODE_CUES = (
    r"zip|zip code|postal code|postcode|code|pin|otp|passcode|account|acct\.?|extension|ext\.?|ending in|dial|call|text"
)
# Words after which a number written with "#" or "number" is a reference said digit by digit ("order #12345"); a
# bare number after them is a quantity ("order 500 units").
_REFERENCE_CUES = r"order|invoice|ticket|confirmation|reference|ref|tracking|case|claim|policy|booking|reservation"
_CUE_WORDS = {"ext": "extension", "acct": "account"}  # cue abbreviations, said in full
_EMERGENCY_AFTER = (
    r"calls?|callers?|operators?|dispatch(?:ers?)?|emergency|emergencies|lines?|centers?|centres?|services?"
)
MATH_MINUS = re.compile(r"(?:(?<=[0-9])|(?<=\b[A-Za-z]))\s*-\s*(?=[0-9]|[A-Za-z]\b)")
MATH_DIVIDE = re.compile(r"(?:(?<=[0-9])|(?<=\b[A-Za-z]))\s+/\s+(?=[0-9]|[A-Za-z]\b)")  # "10 / 2 = 5"

_SPECIAL_SLASH = {("24", "7"), ("9", "11"), ("50", "50")}  # said as two numbers


# --- rewrites -----------------------------------------------------------------


def _money_words(neg: str | None, sym: str, amount: str, scale: str | None) -> str:
    one, many, sub_one, sub_many = _CURRENCIES[sym]
    minus = "minus " if neg else ""
    if scale:  # "$1.2 million" is said "one point two million dollars"
        return f" {minus}{number(amount, with_and=False)} {scale} {many} "
    whole, _, frac = amount.replace(",", "").partition(".")
    if len(frac) == 3 and frac.endswith("0"):
        frac = frac[:2]  # "$20.500": the third decimal adds nothing
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
    neg, country, sym, amount, scale_word, short_scale = m.groups()
    scale = scale_word or (short_scale and _SHORT_SCALES[short_scale.lower()])
    said = _money_words(neg, sym, amount, scale)
    one, many, sub_one, sub_many = _CURRENCIES[sym]
    if _ATTRIBUTIVE_BEFORE.search(m.string, 0, m.start()) and _ATTRIBUTIVE_AFTER.match(m.string, m.end()):
        # "a $5 bill", "a $100 million deal": an amount before its noun takes the singular unit.
        said = re.sub(rf"\b{many}\b", one, said)
        said = re.sub(rf"\b{sub_many}\b", sub_one, said) if sub_many else said
    return _with_country(said, sym, letters(country)) if country else said  # "US$5" -> "five U S dollars"


def _with_country(said: str, sym: str, country: str) -> str:
    """``said`` with ``country`` before its first currency word ("five dollars" -> "five U S dollars")."""
    one, many = _CURRENCIES[sym][:2]
    return re.sub(rf"\b({many}|{one})\b", lambda w: f"{country} {w.group(1)}", said, count=1)


_ATTRIBUTIVE_BEFORE = re.compile(r"\b[Aa]n?\s+$")
# A lowercase word after the amount that is its noun, not a preposition, verb or conjunction.
_ATTRIBUTIVE_AFTER = re.compile(
    r"\s+(?!(?:of|or|and|but|to|per|each|a|an|the|in|for|on|at|with|from|by|more|less|than|is|was|will|would|"
    r"could|can|should|may|might|has|had|have|off|back|worth|plus|minus|so|if|as)\b)[a-z]{2,}\b"
)


def _coded_money(m: re.Match) -> str:
    code_before, amount_after_code, amount, code_after = m.groups()
    sym, country = _CODES[code_before or code_after]
    said = _money_words(None, sym, amount or amount_after_code, None)
    if country:  # "USD 5" -> "five U S dollars", as "US$5"
        said = _with_country(said, sym, letters(country) if country.isupper() else country)
    return said


def _dashed(m: re.Match) -> str:
    groups = m.group(0).split("-")
    if len(groups) == 2 and not any(len(g) > 1 and g[0] == "0" for g in groups):
        a, b = groups
        year_range = len(a) == 4 and 1000 <= int(a) <= 2099 and len(b) in (2, 4)
        if a == b:
            return f" {a} {b} "  # "50-50": the same number twice is no range
        if year_range or (len(a) + len(b) <= 6 and int(b) >= int(a)):
            # Left in digits so percent/unit/year rules still see "15%" or "2010".
            return f"{a} to {b}"
        if len(a) + len(b) <= 6:
            # Falling, so no range: a score or a code ("won 3-1", "978-0"), two numbers with a pause.
            return f" {a}, {b} "
    # Phone-number-like: every digit is said, groups separated by a pause.
    return " " + ", ".join(digits(g) for g in groups) + " "


def _phone(m: re.Match) -> str:
    country, area_paren, area, exchange, sep, line = m.groups()
    if sep == " " and not (country or area_paren):
        return m.group(0)  # "123 123 5678" unmarked: three numbers as far as the text shows
    said = ", ".join(digits(g) for g in (area_paren or area, exchange, line))
    lead = f"plus {cardinal(int(country[1:]))}, " if country else ""
    return f" {lead}{said} "


def _international(m: re.Match) -> str:
    """ "+44 20 7946 0958": the country code as a number, then each group digit by digit (E.164: 8-15 digits)."""
    country, rest = m.groups()
    groups = re.findall(r"[0-9]+", rest)
    if not 8 <= len(country) + sum(map(len, groups)) <= 15:
        return m.group(0)
    return f" plus {cardinal(int(country))}, " + ", ".join(digits(g) for g in groups) + " "


def _zip(m: re.Match) -> str:
    state, sep, code, plus4 = m.groups()
    name = STATES[state] or letters(state)
    return f"{name}{sep}{digits(code)}{' ' + digits(plus4) if plus4 else ''} "


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
    if m.group(1).startswith("0"):
        return f" {digits(m.group(1))} "  # "0063": zero padding marks a code
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


def fraction_words(whole: str | None, num: str, den: str) -> str:
    """ "2 1/2" -> "two and a half", "3/4" -> "three quarters", "1/1000" -> "one over one thousand"."""
    n, d = int(num), int(den)
    if d in (0, 1):
        said = f"{cardinal(n, False)} over {cardinal(d, False)}"
    else:
        name = {2: ("half", "halves"), 4: ("quarter", "quarters")}.get(d)
        one, many = name or (ordinal(d), ordinal(d) + "s")
        # After a whole number, one part is "a" part: "two and a half", not "two and one half".
        said = f"{'a' if whole and n == 1 else cardinal(n, False)} {one if n == 1 else many}"
    # The "and" joins the whole and the fraction, so the numbers themselves take none.
    return f"{number(whole, with_and=False) + ' and ' if whole else ''}{said}"


_INCH_NUMBER = r"([0-9]+(?:\.[0-9]+)?)"


def _inches(m: re.Match) -> str:
    if m.string.count('"', 0, m.start()) % 2:  # the quote closes one opened before: '"12"' is a quoted twelve
        return m.group(0)
    return f" {number(m.group(1))} {'inch' if m.group(1) == '1' else 'inches'} "


def _split_year(m: re.Match) -> str:
    first, second = m.groups()
    if int(second) != (int(first) + 1) % 100:
        return m.group(0)  # not consecutive years: a fraction ("1999/20")
    return f" {year(int(first))} {cardinal(int(second)) if int(second) >= 10 else 'oh ' + cardinal(int(second))} "


def _fraction(m: re.Match) -> str:
    whole, num, den = m.groups()
    if (num, den) in _SPECIAL_SLASH:
        return f" {cardinal(int(num))} {cardinal(int(den))} "
    return f" {fraction_words(whole, num, den)} "


def _ordinal(m: re.Match) -> str:
    n, suffix = int(m.group(1).replace(",", "")), m.group(2)
    right = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    if suffix.lower() != right:
        # "1th", "4rd": not an ordinal of any number; say what is written.
        return f" {cardinal(n)} {letters(suffix)} "
    return f" {ordinal(n)} "


_MONTH_WORD = re.compile(rf"\b(?:{_alternation(MONTH_FORMS)})\b")


def _lettered_code_chain(m: re.Match) -> str:
    """Letters and digits joined by dashes or slashes ("1-413-te-b-1-5", "MIG-25/235212", "Jan-15-2020"):
    the joins only separate, and a run of five or more digits is a code said digit by digit; shorter
    groups are left to the later rules (a date, a number)."""
    token = m.group(0)
    if not (re.search(r"[A-Za-z]", token) and re.search(r"[0-9]", token)):
        return token
    if re.match(r"1-8[0-9]{2}-", token):
        # A vanity number ("1-800-GO-U-HAUL"): its letter groups are words, whatever their case.
        token = re.sub(r"[A-Za-z]{2,}", lambda w: w.group(0).lower(), token)
    token = re.sub(r"[0-9]{5,}", lambda d: f" {digits(d.group(0))} ", token)
    if not _MONTH_WORD.search(token):
        # A code's numbers are names, not quantities: no "and" ("one four hundred thirteen te b").
        token = re.sub(r"[0-9]+", lambda d: f" {number(d.group(0), with_and=False)} ", token)
    return " " + re.sub(r"[-/]", " ", token) + " "


def _code_chain(m: re.Match) -> str:
    """Digit groups joined by slashes that are no date ("123/261788/2021", "31/31/100"): each group is a
    number (never a year), a long one a code said digit by digit; the slashes are not said."""
    token = m.group(0)
    if "/" not in token or re.search(r"[A-Za-z]", token):
        return token  # digit-dash chains are phone numbers and ranges, read by the rules below
    groups = re.split(r"[-/]", token)
    return " " + " ".join(digits(g) if len(g) >= 5 else number(g, with_and=False) for g in groups) + " "


def _dotted(m: re.Match) -> str:
    """An IP address ("192.168.0.1": four groups of up to three digits) is said digit by digit, each dot a "dot";
    a version ("1.2.3") is numbers joined by "point"."""
    groups = m.group(0).split(".")
    if len(groups) == 4 and all(len(g) <= 3 for g in groups):
        return " " + " dot ".join(digits(g) for g in groups) + " "
    return " " + " point ".join(number(g, with_and=False) for g in groups) + " "


def _cued_digits(m: re.Match) -> str:
    cue, between, code = m.groups()
    cue = _CUE_WORDS.get(cue.lower().rstrip("."), cue)
    # What stands between the cue and the code is said too: "PIN is 1234", "account no. 5678" -> "number".
    said = (between or "").strip().rstrip(".").lower()
    said = {"": "", ":": "", "#": "number", "no": "number"}.get(said, said)
    return f"{cue} {said} {digits(code)} "


def _plain(m: re.Match) -> str:
    text, sign, amount = m.string, m.group(1), m.group(2)
    # A hyphen is a minus only where it starts a word; "x-5" was a separator.
    if sign and m.start() > 0 and text[m.start() - 1] not in " ([{~?!;:,":
        sign = ""
    bare = amount.replace(",", "")
    if "," not in amount and "." not in amount and len(bare) >= 8:
        # Long unseparated runs are IDs or phone numbers, read digit by digit.
        return f" {'minus ' if sign else ''}{digits(bare)} "
    scaled = re.match(r"\s+(?:thousand|million|billion|trillion)\b", text[m.end() :]) is not None
    return f" {number(sign + amount, with_and=not scaled)} "


_ERA = r"(A\.D\.?|B\.C\.E\.|B\.C\.|C\.E\.|AD|BCE|BC|CE)(?![A-Za-z])"

# Order matters: each rule may only see digits that earlier, more specific
# rules have left, and rules that keep digits (ranges) come before the rules
# that must then read them (percent, units, years).
NUMERIC_DATES = object()  # the place of the numeric-date pass, which needs the whole prompt

_RULES: list = [
    TIME_RANGE,
    (re.compile(r"(?<![\w.:])((?:1[0-9]|20)[0-9]0s|[1-9]0s)\s?[-–]\s?(?=(?:1[0-9]|20)?[0-9]0s\b)"), r"\1 to "),
    (CODE_CHAIN, _lettered_code_chain),  # digit-only chains wait for the date and phone rules
    # "1 000 000", "12 345 678": thousands grouped by spaces (SI style), two groups or more; one group ("10 000")
    # could as well be two numbers.
    (
        re.compile(r"(?<![\w.,])([0-9]{1,3}(?: [0-9]{3}){2,})(?![\w.,]|[.,][0-9])"),
        lambda m: f" {cardinal(int(m.group(1).replace(' ', '')))} ",
    ),
    (
        re.compile(rf"(?<![\w.])({_alternation(_RESOLUTIONS)})([pi])\b"),
        lambda m: f" {in_pairs(m.group(1))} {letters(m.group(2))} ",
    ),
    # "ab9453": a code, said digit by digit; a round number stays a number ("T2000").
    (
        re.compile(r"(?<=[A-Za-z])([0-9]{4,})(?![0-9])"),
        lambda m: f" {code_digits(m.group(1))} ",
    ),
    # A capital glued to digits is a letter name ("A380" is not "a 380"); later passes must not re-read it.
    (re.compile(r"(?<![\w.])([A-Z])(?=[0-9])"), lambda m: f" {letters(m.group(1))}"),
    # "A321", "F150": a model number glued to its letters is said in pairs, as "Boeing 747" is.
    (re.compile(rf"(?<=[A-Za-z{LETTER_MARK}])([0-9]{{3}})(?![0-9.,])"), lambda m: f" {in_pairs(m.group(1))} "),
    # "133-ABC": a number dashed to capitals is a serial, said as a name (no "and").
    (re.compile(r"(?<![\w.,])([0-9]+)-(?=[A-Z]+\b)"), lambda m: f" {number(m.group(1), with_and=False)} "),
    (re.compile(r"(?<=[A-Za-z])-(?=[0-9])|(?<=[0-9])-(?=[A-Za-z])"), " "),  # COVID-19, 20-year
    (re.compile(r"\b[Cc]a?\.\s?(?=[0-9]{3,4}\b)"), " circa "),  # "c. 1850"
    (re.compile(r"~\s?(?=[0-9.])"), " about "),
    (re.compile(r"(?:\bNo\.|#)\s?(?=[0-9])"), " number "),
    (re.compile(r"(?<=[0-9])\s?\*\s?(?=[0-9.])"), " times "),
    # "$5-10" means "$5 to $10"; the range rule below would make "-10" a minus.
    (re.compile(rf"([{_CUR}])({NUM})\s?[-–]\s?[{_CUR}]?(?=[0-9])"), r"\1\2 to \1"),
    (re.compile(r"%\s?[-–]\s?(?=[0-9])"), "% to "),  # "2%-10%"
    (
        re.compile(
            r"(?<![\w+-])(?:(\+[0-9]{1,3})[\s.-]?)?(?:\(([0-9]{3})\)[\s-]?|([0-9]{3})[\s.-]?)"
            r"([0-9]{3})([\s.-])([0-9]{4})(?![\w-])"
        ),
        _phone,
    ),
    (re.compile(r"(?<![\w+])\+([0-9]{1,3})((?:[\s.-][0-9]{1,8}){1,5})(?![\w-]|[.-][0-9])"), _international),
    (
        re.compile(rf"\b({_REFERENCE_CUES})(\s*#\s*|\s+(?:number|no\.?)\s*)([0-9]{{4,}})(?![\w/-]|[.,][0-9])", re.I),
        _cued_digits,
    ),
    # The emergency number before what names it: "a 911 call", "911 dispatchers" (bare, "911" may be a count).
    (re.compile(rf"(?<![\w.,$-])911(?=\s+(?:{_EMERGENCY_AFTER})\b)", re.I), " nine one one "),
    # Codes said digit by digit after the word that names them: "ZIP code 90210", "dial 911".
    (
        re.compile(
            rf"\b({_CODE_CUES})(\s*:\s*|\s+(?:is\s+|number\s+|no\.?\s*|#\s?)?)([0-9]{{3,}})(?![\w/-]|[.,][0-9])", re.I
        ),
        _cued_digits,
    ),
    (re.compile(rf"\b({_alternation(STATES)})(,?\s+)([0-9]{{5}})(?:-([0-9]{{4}}))?(?![\w-])"), _zip),
    (
        re.compile(
            rf"(?<![\w{_CUR}])(-)?(US|A|C|NZ|HK)?([{_CUR}])\s?({NUM})(?:\s?(thousand|million|billion|trillion)\b"
            rf"|\s?([kKmMbB]n?)(?![A-Za-z]))?"
        ),
        _money,
    ),
    (
        re.compile(rf"{_FREE}({NUM})\s?([{_CUR}])(?![\w{_CUR}])"),  # "5€", as written in much of Europe
        lambda m: _money_words(None, m.group(2), m.group(1), None),
    ),
    (
        re.compile(rf"{_FREE}({NUM})\s?¢"),
        lambda m: f" {number(m.group(1))} {'cent' if _is_one(m.group(1)) else 'cents'} ",
    ),
    (
        re.compile(rf"\b(?:({_alternation(_CODES)})\s?({NUM})|(?<![\w.,])({NUM})\s?({_alternation(_CODES)}))\b"),
        _coded_money,
    ),
    PER_AMOUNT,
    NUMERIC_DATES,
    *DATE_RULES,
    *TIME_RULES,
    (CODE_CHAIN, _code_chain),  # digit-only chains, now that dates are read
    (
        re.compile(r"(?<![\w:.])([0-9]+):([0-9]+)(?![0-9:])"),  # a ratio or score
        lambda m: f" {number(m.group(1))} to {number(m.group(2))} ",
    ),
    # "5 ft 10 in": "in" is the inch only right after a length in feet.
    (
        re.compile(r"(?<![\w.])([0-9]+)\s?(?:ft|feet|foot)\.?\s+([0-9]{1,2})\s?in\b\.?"),
        lambda m: (
            f" {cardinal(int(m.group(1)))} {'foot' if m.group(1) == '1' else 'feet'} "
            f"{cardinal(int(m.group(2)))} {'inch' if m.group(2) == '1' else 'inches'} "
        ),
    ),
    MEASURE_RULES[0],  # "1980-1970 kg": a range of quantities, before the dash rule reads years
    (re.compile(r"(?<![\w.,/-])[0-9]+(?:-[0-9]+)+(?![\w/-])"), _dashed),
    (re.compile(rf"(?<![0-9.,])({NUM})\s?[x×]\s?(?=[0-9.])"), lambda m: f" {number(m.group(1))} by "),
    *MEASURE_RULES,
    # "10 cm x 20 cm", after the measure was read.
    (
        re.compile(
            r"\b(meters?|centimeters?|millimeters?|kilometers?|inch(?:es)?|feet|foot|yards?)\s+[x×]\s+(?=[0-9a-z])"
        ),
        r"\1 by ",
    ),
    # "2019/20": a season or fiscal year, the second year written short.
    (re.compile(r"(?<![\w/.])((?:19|20)[0-9]{2})/([0-9]{2})(?![\w/]|[.,][0-9])"), _split_year),
    (
        re.compile(r"(?<![\w/.])(?:([0-9]{1,2})\s+)?([0-9]+)/([0-9]+)(?:st|nd|rd|th|ST|ND|RD|TH)?(?![\w/]|\.[0-9])"),
        _fraction,
    ),
    (
        re.compile(r"(?<![\w.])([0-9]+)'\s?([0-9]{1,2})(?:\"|'')"),
        lambda m: (
            f" {cardinal(int(m.group(1)))} {'foot' if m.group(1) == '1' else 'feet'} "
            f"{cardinal(int(m.group(2)))} {'inch' if m.group(2) == '1' else 'inches'} "
        ),
    ),
    # '12" pipe': a double quote right after a number that no quote before it opened is the inch mark.
    (re.compile(rf'(?<![\w.]){_INCH_NUMBER}"(?![\w"])'), _inches),
    (re.compile(rf"{_FREE}(-?{NUM})\s?[°º]\s?(?:([CF])(?![A-Za-z]))?"), degrees),
    # "3x faster", "2x as long": a multiplier before a comparison is "times"; otherwise "2x", "4.4x" say the
    # letter, as the peer set reads them ("two x speed").
    (re.compile(rf"{_FREE}({NUM})x(?=\s+(?:[a-z]+er|more|less|as|the)\b)"), lambda m: f" {number(m.group(1))} times "),
    (re.compile(rf"{_FREE}({NUM})x(?![\w])"), lambda m: f" {number(m.group(1))} x "),
    (re.compile(r"(?<![\w.,'])'?((?:1[0-9]|20)[0-9]0|[1-9]0)'?s\b"), _decade),
    (re.compile(r"(?<![\w.,'])((?:1[0-9]|20)[0-9]0) s\b(?!')"), _decade),  # "the 1980 s": a stray space
    # "back in '99", "'05": a year written short is said as a year, "oh" for a zero tens.
    (
        re.compile(r"(?<![\w'])'([0-9]{2})(?![\w']|[.,][0-9])"),
        lambda m: f" {'oh ' + cardinal(int(m.group(1))) if m.group(1) < '10' else cardinal(int(m.group(1)))} ",
    ),
    # A bare "s" is only a unit after a decimal ("9.58s"); "the 1s and 0s" are not seconds.
    (re.compile(rf"{_FREE}([0-9]*\.[0-9]+)s(?![\w])"), lambda m: f" {number(m.group(1))} seconds "),
    (re.compile(r"(?<![0-9.,])([0-9]+)'?s\b"), lambda m: f" {_plural(number(m.group(1)))} "),  # "1s and 0s"
    (re.compile(rf"{_FREE}(-?{NUM})\s?%"), lambda m: f" {number(m.group(1))} percent "),
    (
        re.compile(r"(?<![\w.])([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(st|nd|rd|th)\b", re.I),
        _ordinal,
    ),
    (re.compile(rf"(?<![\w.,])([0-9]{{1,4}})\s?{_ERA}\.?"), _era),
    (re.compile(r"(?<![\w.,$£€¥])([0-9]{4})(?![0-9]|[.,][0-9])"), _year_or_count),
    # Versions and IP addresses: "1.2.3" is not a decimal followed by a sentence end.
    (re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}(?![0-9]|\.[0-9])"), _dotted),
    (re.compile(rf"(?<![0-9])(-?)({NUM})"), _plain),
]


_NEEDS_DIGIT = [rule is not NUMERIC_DATES and needs_digit(rule[0]) for rule in _RULES]


def expand_numbers(text: str, date_order: str = "auto") -> str:
    """``text`` with every digit-bearing expression spelled out.

    :param date_order: how numeric dates whose order the prompt does not settle are read
        (:data:`synth.normalize_dates.DATE_ORDERS`); NormalizationError where it is "reject".
    """
    if "=" in text:  # "1- 2 = 5", "x = y - 3": in an equation a dash between operands is minus
        text = MATH_DIVIDE.sub(" divided by ", MATH_MINUS.sub(" minus ", text))
    digits = has_digit(text)
    for rule, digits_only in zip(_RULES, _NEEDS_DIGIT):
        if digits_only and not digits:
            continue  # it cannot match (synth/regex_digits.py)
        before = text
        if rule is NUMERIC_DATES:
            text = expand_numeric_dates(text, date_order)
        else:
            text = rule[0].sub(rule[1], text)
        if not digits and text is not before and text != before:
            digits = has_digit(text)  # a rule that wrote a digit: the digit rules after it apply
    return text
