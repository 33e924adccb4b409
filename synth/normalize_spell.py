"""Spelling numbers and letters as words: the helpers every normalizer pass shares.

All number spelling goes through num2words; these functions only tidy its output into our label style: one
token per word, and "and" only inside the last group of a quantity ("one hundred and twenty three", "eighteen
thousand and eighty one", but "one hundred twenty three thousand", "one hundred twenty three million twelve"), the
reading of the peer test set (NeMo) throughout. Codes, fractions, ordinals and years take no "and".
"""

from __future__ import annotations

import re

from num2words import num2words


class NormalizationError(ValueError):
    """The prompt cannot be spoken faithfully; ``reason`` says what and why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class EmptyPrompt(NormalizationError):
    """The text reads as nothing at all (empty, only punctuation or a lone dash)."""


# Letter names produced here ("P M" of "7 pm") must not be re-read by later
# passes: a lone capital "A" would otherwise be taken for the article. The
# marker is a private-use character; input text is stripped of those (Unicode
# category Co) before any pass runs, so it cannot come from the prompt.
LETTER_MARK = "\ue000"
# The mark of a letter name that continues the one before it: the letters of one written initialism ("pm",
# "USA"), which a transcript in the joined letter style writes as one word ("PM"). Private use, as above.
LETTER_JOIN = "\ue001"


def letters(text: str) -> str:
    """Spell ``text`` as marked capital letter names: "pm" -> "P M", the second marked as continuing the first."""
    names = [c.upper() for c in text if c.isalpha()]
    return " ".join((LETTER_JOIN if i else LETTER_MARK) + c for i, c in enumerate(names))


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
    """Read digits one by one, as codes and phone numbers are said ("0063" -> "zero zero six three").

    A zero is "zero", the reading of the peer test set; "oh" stays where it belongs to a number said in pairs
    (years "fifteen oh six", times "one oh five", house numbers "seven oh eight").
    """
    return " ".join(_tidy(num2words(int(c))) for c in text if c.isdigit())


def code_digits(text: str) -> str:
    """Digits of a code or name one by one ("9453" -> "nine four five three"), except a round number of four or
    more digits, which is said as one ("T2000", "rtx-6000")."""
    if len(text) >= 4 and text.endswith("000") and not text.startswith("0"):
        return cardinal(int(text))
    return digits(text)


def cardinal(n: int, with_and: bool = True) -> str:
    """``n`` in words; ``with_and`` puts "and" before the tens of its last group (see the module docstring).

    Pass ``with_and=False`` where the number is not the whole quantity ("460" of "460 billion") or is a name
    or part of a fraction ("two and one hundred forty two over one").
    """
    try:
        words = _tidy(num2words(n))
    except (OverflowError, ValueError):
        # Beyond num2words' scale names; reading the digits still says every one.
        return ("minus " if n < 0 else "") + digits(str(abs(n)))
    last, tens = abs(n) % 1000, abs(n) % 100
    if with_and and tens and (last >= 100 or (last == tens and abs(n) // 1000 % 1000)):
        tail = _tidy(num2words(tens))
        words = f"{words[: -len(tail)]}and {tail}"
    return words


def in_pairs(text: str) -> str:
    """A house or model number as people say it: in pairs of digits, "oh" for a zero tens ("1428" -> "fourteen
    twenty eight", "708" -> "seven oh eight", "A321" -> "three twenty one"); five digits or more one by one."""
    n = int(text)
    if text.startswith("0") or len(text) >= 5:
        return digits(text)
    if len(text) <= 2:
        return cardinal(n)
    head, tail = divmod(n, 100)
    if tail == 0:
        return f"{cardinal(head)} hundred"
    return f"{cardinal(head)} {'oh ' + cardinal(tail) if tail < 10 else cardinal(tail)}"


def ordinal(n: int) -> str:
    try:
        return _tidy(num2words(n, to="ordinal"))
    except (OverflowError, ValueError):
        return cardinal(n)


def year(n: int) -> str:
    return _tidy(num2words(n, to="year"))


def number(text: str, with_and: bool = True) -> str:
    """Spell a written number: "-1,250" / "3.14" / ".5" / "007" (``with_and``: as for :func:`cardinal`)."""
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").replace(",", "").partition(".")
    if len(whole) > 1 and whole.startswith("0") and not frac:
        # Written zero padding ("007", "02139") signals a code, not a quantity.
        return ("minus " if neg else "") + digits(whole)
    words = ["minus"] if neg else []
    if whole:
        words.append(cardinal(int(whole), with_and))
    if frac:
        words += ["point", " ".join(_tidy(num2words(int(d))) for d in frac)]
    return " ".join(words)


def is_one(amount: str) -> bool:
    return amount.lstrip("-") == "1"


def plural(words: str) -> str:
    """Pluralise the last word of a spelled number: "nineteen ninety" -> "...nineties"."""
    head, _, last = words.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + ("es" if last.endswith("x") else "s")
    return f"{head} {last}".strip()
