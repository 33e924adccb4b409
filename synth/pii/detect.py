"""Find personal data in prompt text: e-mail addresses, phone numbers, payment cards, street
addresses and personal names.

Each finding carries the parts that identify someone (the digits of a phone number, the house
number and street name of an address, the first and last name) so that a replacement can rewrite
those and keep the rest ("Dr.", "Street", "+44"): the utterance still reads the same way. Detectors
run in a fixed priority order (e-mail, card, phone, address, name); a later finding that overlaps an
earlier one is dropped, so "maria.lopez@example.com" is one e-mail, not a name inside one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from synth.templates.data import data_lines, gendered_names, places

TYPES = ("email", "card", "phone", "address", "name")


@dataclass(frozen=True)
class Found:
    type: str
    start: int
    end: int
    parts: tuple[tuple[str, int, int], ...]  # (role, start, end): the spans a replacement rewrites


# --------------------------------------------------------------------------- e-mail

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9])?@[A-Za-z0-9](?:[A-Za-z0-9-]*"
    r"[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
# As dictated or typed by someone avoiding spam filters: "john dot smith at gmail dot com". Only
# with a known mail host or a dotted/underscored/numbered local part, so "look at google dot com"
# is left alone.
_SPELLED_EMAIL = re.compile(
    r"\b(?P<local>[a-z0-9]+(?:\s(?:dot|underscore)\s[a-z0-9]+)*)\s(?:at)\s"
    r"(?P<host>[a-z0-9]+(?:\sdot\s[a-z0-9]+)*)\sdot\s(?:com|org|net|edu|gov|io|co|uk|de|fr|ca|au)\b",
    re.I,
)
_MAIL_HOSTS = {
    "gmail",
    "googlemail",
    "yahoo",
    "hotmail",
    "outlook",
    "icloud",
    "aol",
    "proton",
    "protonmail",
    "live",
    "msn",
    "mail",
    "gmx",
    "zoho",
    "yandex",
    "fastmail",
}


def _emails(text: str) -> list[Found]:
    out = [Found("email", m.start(), m.end(), (("email", m.start(), m.end()),)) for m in _EMAIL.finditer(text)]
    for m in _SPELLED_EMAIL.finditer(text):
        local = m.group("local").lower()
        host = m.group("host").lower().split(" dot ")[0]
        if host in _MAIL_HOSTS or " dot " in local or " underscore " in local or any(c.isdigit() for c in local):
            out.append(Found("email", m.start(), m.end(), (("spelled_email", m.start(), m.end()),)))
    return out


# --------------------------------------------------------------------------- cards and phones


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# 4-4-4-4(-3), Amex 4-6-5, Diners 4-6-4, or 13-19 digits in a row; separators a space or a dash, the
# same throughout.
_CARD = re.compile(
    r"(?<![\w+-])\d{4}(?:(?P<s>[ -])\d{4}(?P=s)\d{4}(?P=s)\d{4}(?:(?P=s)\d{1,3})?"
    r"|(?P<a>[ -])\d{6}(?P=a)\d{4,5}|\d{9,15})(?![\w-])"
)


def _cards(text: str) -> list[Found]:
    return [
        Found("card", m.start(), m.end(), (("card", m.start(), m.end()),))
        for m in _CARD.finditer(text)
        if 13 <= sum(c.isdigit() for c in m.group(0)) <= 19 and luhn_valid(re.sub(r"\D", "", m.group(0)))
    ]


_PHONES = [
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


def _phones(text: str) -> list[Found]:
    out = []
    for pattern in _PHONES:
        for m in pattern.finditer(text):
            if 7 <= sum(c.isdigit() for c in m.group(0)) <= 15:
                out.append(Found("phone", m.start(), m.end(), (("phone", m.start(), m.end()),)))
    return out


# --------------------------------------------------------------------------- street addresses

_DIR = r"(?:North|South|East|West|NE|NW|SE|SW|N|S|E|W)\.?"
_STREET_TYPES = (
    r"(?:Street|Avenue|Road|Lane|Boulevard|Drive|Court|Place|Way|Terrace|Close|Crescent|Parkway|"
    r"Highway|Square|Circle|Trail|Row|Mews|Gardens|Grove|Walk|Alley|Plaza|Loop)\b"
    r"|(?:St|Ave|Av|Rd|Ln|Blvd|Dr|Ct|Pl|Ter|Pkwy|Hwy|Sq|Cir)\b\.?"
)
_STREET_WORD = r"(?:(?:Mc|Mac|O')?[A-Z][a-z]+(?:-[A-Z][a-z]+)?|\d{1,3}(?:st|nd|rd|th))"
_ADDRESS = re.compile(
    rf"(?<![\w-])(?P<number>\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?)\s+(?:{_DIR}\s+)?"
    rf"(?P<street>{_STREET_WORD}(?:\s+{_STREET_WORD}){{0,2}}?)\s+(?:{_STREET_TYPES})"
    r"(?:\s+(?:NE|NW|SE|SW|N|S|E|W)\b\.?)?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Room)\.?\s*#?(?P<unit>[0-9]{1,5}[A-Za-z]?|[A-Z]\b))?"
    r"(?:,\s*(?P<city>[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2})(?:,?\s+[A-Z]{2})?"
    r"\s+(?P<zip>\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})(?![\w-]))?"
)
_PO_BOX = re.compile(r"\b(?:P\.?\s?O\.?|Post Office)\s+Box\s+(?P<number>\d{1,6})\b", re.I)


def _addresses(text: str) -> list[Found]:
    out = []
    for m in _ADDRESS.finditer(text):
        parts = [
            (role, m.start(role), m.end(role)) for role in ("number", "street", "unit", "city", "zip") if m.group(role)
        ]
        out.append(Found("address", m.start(), m.end(), tuple(parts)))
    for m in _PO_BOX.finditer(text):
        out.append(Found("address", m.start(), m.end(), (("number", m.start("number"), m.end("number")),)))
    return out


# --------------------------------------------------------------------------- personal names

# Title -> the gender it implies for a replacement first name (u: either).
TITLES = {
    "Mr": "m",
    "Mrs": "f",
    "Ms": "f",
    "Mx": "u",
    "Dr": "u",
    "Prof": "u",
    "Rev": "u",
    "Capt": "u",
    "Sgt": "u",
    "Miss": "f",
    "Sir": "m",
    "Dame": "f",
    "Doctor": "u",
    "Professor": "u",
    "Mister": "m",
    "Missus": "f",
    "Auntie": "f",
    "Aunt": "f",
    "Uncle": "m",
    "Grandma": "f",
    "Grandpa": "m",
}
_KIN = {"Auntie", "Aunt", "Uncle", "Grandma", "Grandpa"}  # followed by a first name, not a surname
_SURNAME_SHAPE = re.compile(
    r"(?:Mc|Mac|O')[A-Z][a-z]+|[A-Z][a-z]+(?:sson|son|sen|ez|ski|ska|sky|wicz|"
    r"ova|enko|escu|poulos|stein|berg|mann)"
)
# Capitalised words that follow names without being surnames ("Priya Monday", "Dr. Patel Thanks").
_NOT_SURNAMES = {
    "I",
    "The",
    "A",
    "An",
    "And",
    "Or",
    "But",
    "On",
    "At",
    "In",
    "To",
    "From",
    "For",
    "With",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
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
    "Street",
    "Road",
    "Avenue",
    "Thanks",
    "Please",
    "Hi",
    "Hello",
    "Yes",
    "No",
    "OK",
    "Okay",
    "Today",
    "Tomorrow",
    "Tonight",
    "You",
    "We",
    "He",
    "She",
    "It",
    "They",
    "My",
    "Your",
    "Our",
    "This",
    "That",
    "Happy",
    "Good",
    "Dear",
    "Is",
    "Are",
    "Was",
    "Will",
    "Can",
    "Could",
    "Should",
    "Would",
    "Did",
    "Does",
    "Do",
    "Has",
    "Have",
    "Here",
    "There",
    "Then",
    "When",
    "Where",
    "What",
    "Why",
    "How",
    "Who",
    "If",
    "So",
    "As",
    "Of",
    "By",
    "Not",
    "Mom",
    "Dad",
    "Mum",
    "Team",
    "Everyone",
    "Inc",
    "Ltd",
    "Corp",
    "Jr",
    "Sr",
}
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:'(?!s\b)[^\W\d_]+)*")


@functools.cache
def name_tables() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    """(first name -> gender, ambiguous first names, surnames), shipped and replacement lists together."""
    firsts = dict(gendered_names("pii", "first_names.txt"))
    firsts.update(gendered_names("pii", "replacement_first_names.txt"))
    words = dict(gendered_names("pii", "name_words.txt"))
    place_words = {w for p in places() for w in p.split()}
    ambiguous = set(words) | (set(firsts) & place_words)
    firsts.update(words)
    surnames = set(data_lines("pii", "last_names.txt")) | set(data_lines("pii", "replacement_last_names.txt"))
    return firsts, frozenset(ambiguous), frozenset(surnames)


def _key(word: str) -> str | None:
    """The list spelling of a token written in any one case style ("JOHN", "john", "John")."""
    if word.islower() or word.isupper():
        return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))
    return word if word[:1].isupper() else None


def _names(text: str) -> list[Found]:
    firsts, ambiguous, surnames = name_tables()
    place_words = {w for p in places() for w in p.split()}
    toks = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]

    def follows(i: int, j: int, allow_period: bool = False) -> bool:
        """Token j comes right after token i, with only spaces (or, after a title or initial, ". ") between."""
        if j >= len(toks):
            return False
        gap = text[toks[i][2] : toks[j][1]]
        return gap.isspace() or (allow_period and gap[:1] == "." and gap[1:].isspace())

    def capitalised(i: int) -> bool:
        return i < len(toks) and toks[i][0][:1].isupper() and toks[i][0] not in _NOT_SURNAMES

    def is_surname(i: int, like: str, strict: bool) -> bool:
        """Token i can be the surname after given name ``like``. Not strict (a capitalised given name in
        ordinary text): any capitalised word that is not a common word, title, place or given name."""
        word = toks[i][0]
        if word.isupper() != like.isupper() or word.islower() != like.islower():
            return False  # "John SMITH" is rare; "john Smith" is two things
        key = _key(word)
        if key is None or key in _NOT_SURNAMES:
            return False
        if key in surnames or _SURNAME_SHAPE.fullmatch(key):
            return True
        return (
            not strict
            and word[:1].isupper()
            and key not in place_words
            and key not in firsts
            and key not in TITLES
            and len(key) > 1
        )

    out, i = [], 0
    while i < len(toks):
        word, start, end = toks[i]
        parts: list[tuple[str, int, int]] = []
        k = i
        while toks[k][0] in TITLES and k + 1 < len(toks) and toks[k + 1][0] in TITLES and follows(k, k + 1, True):
            k += 1  # "Prof. Dr. Weber": the name follows the last title
        if word in TITLES and follows(k, k + 1, allow_period=True) and capitalised(k + 1):
            j = k + 1
            if j + 1 < len(toks) and follows(j, j + 1) and capitalised(j + 1) and toks[j + 1][0] not in TITLES:
                parts = [("first", toks[j][1], toks[j][2]), ("last", toks[j + 1][1], toks[j + 1][2])]
                j += 1
            else:
                parts = [("first" if toks[k][0] in _KIN else "last", toks[j][1], toks[j][2])]
            out.append(Found("name", start, toks[j][2], tuple(parts)))
            i = j + 1
            continue
        key = _key(word)
        if key in firsts and not (word.islower() and key in ambiguous):
            parts = [("first", start, end)]
            strict = key in ambiguous or not word[:1].isupper() or word.isupper()
            j = i + 1
            # An initial ("John F. Kennedy") or a second given name ("Mary Ann Smith") before the surname.
            initial = j < len(toks) and len(toks[j][0]) == 1 and toks[j][0].isupper()
            if (
                follows(i, j)
                and (initial or _key(toks[j][0]) in firsts)
                and follows(j, j + 1, initial)
                and is_surname(j + 1, word, strict and not initial)
            ):
                parts.append(("middle", toks[j][1], toks[j][2]))
                j += 1
            if follows(j - 1, j, len(parts) > 1 and initial) and is_surname(j, word, strict and len(parts) == 1):
                parts.append(("last", toks[j][1], toks[j][2]))
                j += 1
                if len(parts) == 2 and follows(j - 1, j) and is_surname(j, word, strict=True):
                    parts[-1] = ("middle", *parts[-1][1:])  # "Mary Ann Smith": the listed surname comes last
                    parts.append(("last", toks[j][1], toks[j][2]))
                    j += 1
            if key not in ambiguous or len(parts) > 1:
                out.append(Found("name", start, parts[-1][2], tuple(parts)))
                i = j
                continue
        i += 1
    return out


# --------------------------------------------------------------------------- all together


def find_all(text: str) -> list[Found]:
    """Every finding, by position; overlaps resolved in favour of the earlier detector in TYPES."""
    kept: list[Found] = []
    for detector in (_emails, _cards, _phones, _addresses, _names):
        for f in sorted(detector(text), key=lambda f: (f.start, -f.end)):
            if all(f.end <= k.start or f.start >= k.end for k in kept):
                kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def find_pii(text: str) -> list[tuple[str, int, int]]:
    """(type, start, end) of each piece of personal data in ``text``; types: email, card, phone, address, name."""
    return [(f.type, f.start, f.end) for f in find_all(text)]
