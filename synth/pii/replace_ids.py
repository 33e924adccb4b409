"""Stand-ins for national ids, bank accounts, numbers said digit by digit and dates of birth: the same
kind, written the same way (groups, separators, letter case, words for digits), and valid where the
kind has a check (IBAN check digits and BBAN format, Luhn for a SIN, the ABA checksum of a
routing number), so the scrubbed prompt still reads as the original did.

Where a range is reserved for examples, the stand-in is drawn from it, so no real person's number is
made up: SSNs from 987-65-4320..4329 (set aside by the SSA for advertising), National Insurance
numbers with the prefix QQ (HMRC's example prefix), phone numbers said as words from the fictional
ranges synth.pii.replace uses for written ones.
"""

from __future__ import annotations

import re
import string

import numpy as np

from synth.pii.dob import MONTHS
from synth.pii.spoken_digits import DIGIT_WORDS, digits_of

_WORD_FOR = {"0": "zero", **{d: w for w, d in DIGIT_WORDS.items() if w not in ("zero", "oh", "o")}}


def _digit(rng: np.random.Generator, low: int = 0) -> str:
    return str(int(rng.integers(low, 10)))


def with_digits(original: str, digits: str) -> str:
    """``original`` with its digits replaced, in order, by ``digits``."""
    supply = iter(digits)
    return re.sub(r"\d", lambda _: next(supply), original)


def _with_classes(original: str, rng: np.random.Generator) -> str:
    """Each digit and ASCII letter redrawn, keeping its class and letter case."""
    out = []
    for c in original:
        if c.isdigit():
            out.append(_digit(rng))
        elif c.isascii() and c.isalpha():
            letter = string.ascii_uppercase[int(rng.integers(26))]
            out.append(letter if c.isupper() else letter.lower())
        else:
            out.append(c)
    return "".join(out)


def iban(original: str, rng: np.random.Generator) -> str:
    """Same country, same grouping and letter case, new BBAN, check digits computed (see ids.iban_valid)."""
    from stdnum import iban as stdiban

    country, bban = original[:2], _with_classes(original[4:], rng)
    return country + stdiban.calc_check_digits((country + "00" + bban).replace(" ", "").upper()) + bban


def ssn(original: str, rng: np.random.Generator) -> str:
    """An SSN from the SSA's advertising range, written like ``original``."""
    return with_digits(original, "98765432" + _digit(rng))


def nino(original: str, rng: np.random.Generator) -> str:
    """A National Insurance number with HMRC's example prefix QQ, spaced and cased like ``original``."""
    body = with_digits(original[2:-1], "".join(_digit(rng) for _ in range(6)))
    prefix = "QQ" if original[:2].isupper() else "qq"
    suffix = "ABCD"[int(rng.integers(4))]
    return prefix + body + (suffix if original[-1].isupper() else suffix.lower())


def luhn_digits(first: str, length: int, rng: np.random.Generator) -> str:
    """``length`` digits starting with ``first`` whose last is their Luhn check digit."""
    from stdnum import luhn

    body = first + "".join(_digit(rng) for _ in range(length - len(first) - 1))
    return body + luhn.calc_check_digit(body)


def sin(original: str, rng: np.random.Generator) -> str:
    """A Luhn-valid SIN grouped like ``original``."""
    return with_digits(original, luhn_digits(str(int(rng.integers(1, 8))), 9, rng))


def routing(original: str, rng: np.random.Generator) -> str:
    """An ABA routing number with a valid checksum, written like ``original``."""
    from stdnum.us import rtn

    body = "0" + _digit(rng, 1) + "".join(_digit(rng) for _ in range(6))
    return with_digits(original, body + rtn.calc_check_digit(body))


def account(original: str, rng: np.random.Generator) -> str:
    """As many new digits as ``original`` has, in its groups; the first is non-zero unless the original's was."""
    count = sum(c.isdigit() for c in original)
    return with_digits(
        original, "".join(_digit(rng, 1 if i == 0 and original.lstrip()[0] != "0" else 0) for i in range(count))
    )


def spoken_digits(original: str, digits: str) -> str:
    """``digits`` said one word each, in the style of ``original`` ("oh" for zero if it said "oh",
    capitalised if it was)."""
    zero = "oh" if re.search(r"\boh\b", original, re.I) else "zero"
    words = [zero if d == "0" else _WORD_FOR[d] for d in digits]
    text = " ".join(words)
    return text.upper() if original.isupper() else text.capitalize() if original[:1].isupper() else text


def spoken_number(kind: str, original: str, rng: np.random.Generator, phone=None) -> str:
    """A stand-in said as digit words; ``phone`` makes a written phone number's stand-in from its digits."""
    n = len(digits_of(original))
    if kind == "ssn" and n == 9:
        digits = "98765432" + _digit(rng)
    elif kind == "phone" and phone is not None:
        digits = re.sub(r"\D", "", phone(digits_of(original), rng))  # the written number's fiction ranges
    elif kind == "card":
        digits = luhn_digits("4", n, rng)
    else:
        digits = _digit(rng, 1) + "".join(_digit(rng) for _ in range(n - 1))
    return spoken_digits(original, digits)


_MONTH_IN = re.compile(r"[A-Za-z]{3,}")


def date_of_birth(original: str, rng: np.random.Generator) -> str:
    """Another date written the same way: numeric fields redrawn within range (day ≤ 28), a month
    name swapped for another in the same letter case and length of abbreviation, the year moved."""
    from num2words import num2words

    day, month = int(rng.integers(1, 29)), int(rng.integers(1, 13))
    year_match = re.search(r"\d{4}", original)
    year = int(year_match.group(0)) + int(rng.choice([-4, -3, -2, -1, 1, 2, 3, 4])) if year_match else None
    month_word = next((w for w in _MONTH_IN.findall(original) if w.lower()[:3] in {m[:3] for m in MONTHS}), None)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", original):
        return f"{year:04d}-{month:02d}-{day:02d}"
    numeric = re.fullmatch(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})", original)
    if numeric:
        a, sep, b, y = numeric.groups()
        day_first = int(a) > 12 or (int(b) <= 12 and sep == ".")
        first, second = (day, month) if day_first else (month, day)
        width = len(a) if len(a) == len(b) else 2
        new_year = str(year) if len(y) == 4 else f"{(int(y) + 3) % 100:02d}"
        return f"{first:0{width}d}{sep}{second:0{width}d}{sep}{new_year}"
    if month_word is None:
        return original
    name = MONTHS[month - 1]
    if month_word.lower().startswith(MONTHS[month - 1][:3]):
        name = MONTHS[month % 12]
    name = name[:3] if month_word.lower() not in MONTHS else name  # "Mar" stays an abbreviation
    name = name.capitalize() if month_word[:1].isupper() else name
    if re.search(r"\d", original):
        out = re.sub(r"\d{4}", str(year), original) if year else original
        out = re.sub(r"(?<!\d)\d{1,2}(?!\d)", str(day), out, count=1)
        out = re.sub(r"(?<=\d)(st|nd|rd|th)\b", _suffix(day), out, flags=re.I)
        return out.replace(month_word, name, 1)
    # said in words: "the twenty third of may nineteen eighty eight", "may the third"
    low = original.lower()
    spoken_day = num2words(day, to="ordinal").replace("-", " ")
    the = "the " if re.search(r"\bthe\b", low) else ""
    year_words = " " + num2words(1950 + int(rng.integers(0, 55)), to="year").replace("-", " ")
    has_year = re.search(r"\b(?:nineteen|two thousand|twenty)\b", low.split(month_word.lower(), 1)[1]) is not None
    if low.lstrip().startswith(month_word.lower()):
        said = f"{name.lower()} {the}{spoken_day}"
    else:
        said = f"{the}{spoken_day} of {name.lower()}"
    return said + (year_words if has_year else "")


def _suffix(day: int) -> str:
    return "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
