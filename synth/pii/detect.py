"""Find personal data in prompt text: e-mail addresses, national ids, bank accounts, payment cards,
phone numbers, dates of birth, street addresses and personal names.

Each finding carries the parts that identify someone (the digits of a phone number, the house
number and street name of an address, the first and last name) so that a replacement can rewrite
those and keep the rest ("Dr.", "Street", "+44"): the utterance still reads the same way. Detectors
run in a fixed priority order (TYPES); a later finding that overlaps an earlier one is dropped, so
"maria.lopez@example.com" is one e-mail, not a name inside one, and a number that "SSN" introduces
is not also taken for a phone. The detectors live in their own modules: ids (ssn, national_id, iban,
bank_account), phones and spoken_digits, dob, names_listed and names_open.
"""

from __future__ import annotations

import functools
import re

from synth.pii.dob import dates_of_birth
from synth.pii.found import Found
from synth.pii.ids import bank_accounts, ibans, national_ids, ssns
from synth.pii.names_listed import listed_names
from synth.pii.names_open import PERSON_VERBS, open_names
from synth.pii.phones import phones
from synth.pii.spoken_digits import spoken_numbers

TYPES = ("email", "iban", "ssn", "national_id", "bank_account", "card", "phone", "dob", "address", "name")

__all__ = ["TYPES", "Found", "find_all", "find_pii", "luhn_valid"]


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
    out = [Found.whole("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    for m in _SPELLED_EMAIL.finditer(text):
        local = m.group("local").lower()
        host = m.group("host").lower().split(" dot ")[0]
        if host in _MAIL_HOSTS or " dot " in local or " underscore " in local or any(c.isdigit() for c in local):
            out.append(Found.whole("email", m.start(), m.end(), role="spelled_email"))
    return out


# --------------------------------------------------------------------------- cards


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
        Found.whole("card", m.start(), m.end())
        for m in _CARD.finditer(text)
        if 13 <= sum(c.isdigit() for c in m.group(0)) <= 19 and luhn_valid(re.sub(r"\D", "", m.group(0)))
    ]


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


# --------------------------------------------------------------------------- all together


# Songs, films and their artists are public names, not personal data: "play Clair de Lune by Satie",
# "I want to hear Danny Boy". A name within five words after such a verb (with no "with"/"for" to bring
# a person back in: "play tennis with Aarav") is left alone.
_MEDIA = re.compile(
    r"\b(?:play|playing|hear|listen(?:ing)?\s+to|watch|queue|shuffle|put\s+on|by)\b"
    r"(?:\s+(?!(?:with|for|and)\b)[\w'’.-]+){0,5}?\s+$",
    re.I,
)
# "Jun. 12th", "Mar 22": a month, though Jun and Mar are given names too.
_MONTH_DAY = re.compile(r"(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?", re.I)


def _a_person(text: str, f: Found) -> bool:
    if _MEDIA.search(text[max(0, f.start - 60) : f.start]):
        return False
    return not (_MONTH_DAY.fullmatch(text[f.start : f.end]) and re.match(r"\.?\s*\d", text[f.end :]))


def _names(text: str) -> list[Found]:
    """Names from the shipped lists and from context; where both find one, the longer reading wins."""
    opened = open_names(text)
    # "Ping Zeynep": a listed given name that is the cue verb of a name found from context
    listed = [
        f
        for f in listed_names(text)
        if not (
            text[f.parts[0][1] : f.parts[0][2]].lower() in PERSON_VERBS
            and any(f.start < o.end and o.start < f.end for o in opened)
        )
    ]
    found = sorted(listed + opened, key=lambda f: (f.start - f.end, f.start))
    kept: list[Found] = []
    for f in found:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return [f for f in kept if _a_person(text, f)]


@functools.lru_cache(maxsize=4096)  # the scrubber reads a prompt's text twice (learn, then edit)
def find_all(text: str) -> tuple[Found, ...]:
    """Every finding, by position; overlaps resolved in favour of the earlier type in TYPES."""
    names = _names(text)
    staged = [
        _emails(text),
        ibans(text),
        ssns(text),
        national_ids(text),
        bank_accounts(text),
        _cards(text),
        phones(text),
        spoken_numbers(text),
        dates_of_birth(text, [n.end for n in names]),
        _addresses(text),
        names,
    ]
    kept: list[Found] = []
    for found in staged:
        for f in sorted(found, key=lambda f: (f.start, -f.end)):
            if all(f.end <= k.start or f.start >= k.end for k in kept):
                kept.append(f)
    return tuple(sorted(kept, key=lambda f: f.start))


def find_pii(text: str) -> list[tuple[str, int, int]]:
    """(type, start, end) of each piece of personal data in ``text``; types as in TYPES."""
    return [(f.type, f.start, f.end) for f in find_all(text)]
