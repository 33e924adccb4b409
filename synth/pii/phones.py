"""Phone numbers written with digits: Google's libphonenumber matcher (the `phonenumbers` port) and
patterns for the national formats it does not take without a region.

phonenumbers finds a number whole, every digit group and the country code with it ("+44 20 7946
0958", "+1 (646) 555-0199"), and knows each country's number lengths. It is run with the US as the
default region, where it also takes North American numbers without a country code. National numbers
of other countries written with a trunk 0 ("020 7946 0958", "0412 345 678", "07911 123456") parse only
under their own region, so the patterns below find those. Spans that overlap are merged into one, so a
number is always replaced whole. Numbers said as words are in synth.pii.spoken_digits.
"""

from __future__ import annotations

import functools
import re

from synth.pii.found import Found

_PATTERNS = [
    # North American: "(415) 555-0134", "415.555.0134", "+1 415 555 0134", "1-800-555-0199"
    re.compile(r"(?<![\w+$£€])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])"),
    # International with a country code: "+44 20 7946 0958", "+49 (0)30 1234567", "0049 30 12345678"
    re.compile(r"(?<![\w+])(?:\+|00(?=[1-9]))\d{1,3}(?:[ .-]?\(?\d{1,4}\)?)(?:[ .-]?\d{2,5}){1,4}(?![\w-])"),
    # Pairs of digits, as in France: "06 12 34 56 78", "01.42.68.53.00"
    re.compile(r"(?<![\w+])0\d(?:[ .-]\d{2}){4}(?![\w-])"),
    # National numbers with a trunk 0: "020 7946 0958", "(020) 7946 0958", "07700 900123", "0161-496-0000"
    re.compile(r"(?<![\w+])(?:\(0\d{2,4}\)|0\d{2,4})[ -]?\d{3,4}[ -]?\d{3,4}(?![\w-])"),
    # Local seven digits with a dash or dot: "555-0123"
    re.compile(r"(?<![\w.$£€-])\d{3}-\d{4}(?![\w-]|\.\d)"),
    # Ten or eleven digits in a row (a number nobody would say as a quantity)
    re.compile(r"(?<![\w.,$£€])1?[2-9]\d{9}(?![\w.,])"),
]
_HAS_DIGIT_RUN = re.compile(r"\d[\d\s().-]{5,}\d")


@functools.cache
def _matcher():
    import phonenumbers

    def find(text: str) -> list[tuple[int, int]]:
        matches = phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE)
        return [(m.start, m.end) for m in matches]

    return find


_EXTENSION = re.compile(r"\s*(?:ext|extension|x)\.?\s*\d{1,5}$", re.I)


def _before_extension(text: str, start: int, end: int) -> int:
    """The end of the number itself: an extension the matcher took with it ("ext 4") is not replaced."""
    m = _EXTENSION.search(text, start, end)
    return m.start() if m else end


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def phones(text: str) -> list[Found]:
    """Every phone number written with digits in ``text``, each span covering the whole number."""
    if not _HAS_DIGIT_RUN.search(text):
        return []  # the matcher costs a third of a millisecond: skip texts without seven digits together
    spans = [m.span() for pattern in _PATTERNS for m in pattern.finditer(text)]
    spans += [(start, _before_extension(text, start, end)) for start, end in _matcher()(text)]
    return [
        Found.whole("phone", start, end)
        for start, end in _merged(spans)
        if 7 <= sum(c.isdigit() for c in text[start:end]) <= 15 and not _inside_longer_number(text, start, end)
    ]


def _inside_longer_number(text: str, start: int, end: int) -> bool:
    """Digit groups go on past the span ("tracking number 9400 1000 0000 0000 0000 00"): a longer code."""
    return re.search(r"\d[ .-]$", text[:start]) is not None or re.match(r"[ .-]\d", text[end:]) is not None
