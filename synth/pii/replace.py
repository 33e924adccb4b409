"""Synthetic stand-ins for the identifying parts of a finding, of the same kind and written the same way.

A replacement keeps the written shape of what it replaces (separators, digit groups, letter case,
the country code of a phone number, the network digit of a card), so the normalizer reads it the way
it read the original and the utterance still sounds natural. Phone numbers go to ranges reserved for
fiction where the country has one (NANP 555-01XX, Ofcom's drama numbers), so no one real is called.
Names, streets and towns come from the replacement lists under synth/data/pii/, disjoint from the
lists the detector knows as real names, and e-mail addresses use example.com/.org/.net (RFC 2606).
"""

from __future__ import annotations

import re
import string

import numpy as np

from synth.pii import replace_ids
from synth.pii.detect import luhn_valid
from synth.templates.data import data_lines, gendered_names


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


def _styled(new: str, like: str) -> str:
    """``new`` in the letter case of ``like`` (all caps, all lower, or as listed)."""
    if like.isupper() and len(like) > 1:
        return new.upper()
    if like.islower():
        return new.lower()
    return new


def _first_name(rng: np.random.Generator, gender: str) -> str:
    pool = gendered_names("pii", "replacement_first_names.txt")
    fitting = [n for n, g in pool if gender == "u" or g in (gender, "u")]
    return _pick(rng, fitting)


def _last_name(rng: np.random.Generator) -> str:
    return _pick(rng, data_lines("pii", "replacement_last_names.txt"))


def _reshape(original: str, rng: np.random.Generator, digits: str | None = None) -> str:
    """Every digit and letter of ``original`` redrawn (letters keep their case, a leading digit stays
    non-zero, a zero group start stays zero); ``digits``, when given, supplies the digits in order."""
    out, supply = [], iter(digits) if digits is not None else None
    for i, c in enumerate(original):
        if c.isdigit():
            if supply is not None:
                out.append(next(supply))
            elif c == "0" and (i == 0 or not original[i - 1].isdigit()):
                out.append("0")  # a trunk or padding zero changes how the number is read
            elif i == 0 or not original[i - 1].isdigit():
                out.append(str(int(rng.integers(1, 10))))
            else:
                out.append(str(int(rng.integers(10))))
        elif c.isalpha() and c.isascii():
            letter = _pick(rng, string.ascii_uppercase)
            out.append(letter if c.isupper() else letter.lower())
        else:
            out.append(c)
    return "".join(out)


# Ofcom's numbers for TV, radio and film, without the trunk 0 and the last three digits.
_UK_FICTION = (
    "2079460",
    "1614960",
    "1214960",
    "1134960",
    "1174960",
    "1184960",
    "1914980",
    "2896496",
    "2920180",
    "7700900",
    "1632960",
)


def _phone(original: str, rng: np.random.Generator) -> str:
    country = re.match(r"(?:\+|00)\d{1,3}", original)
    head = country.group(0) if country else ""
    body = original[len(head) :]
    digits = re.sub(r"\D", "", body)
    nanp_shape = len(digits) in (7, 10) or (len(digits) == 11 and digits[0] == "1")
    if head in ("", "+1", "001") and nanp_shape and digits[0] != "0":
        line = f"01{int(rng.integers(100)):02d}"
        area = f"{int(rng.integers(2, 10))}{int(rng.integers(9))}{int(rng.integers(10))}"
        new = {7: "555" + line, 10: area + "555" + line, 11: "1" + area + "555" + line}[len(digits)]
        return head + _reshape(body, rng, new)
    uk = head in ("+44", "0044") or (not head and digits.startswith("0") and len(digits) in (10, 11))
    if uk:
        trunk = "0" if digits.startswith("0") else ""
        national = digits[len(trunk) :]
        # Ofcom's ranges for drama, one not sharing the original's leading digits: every group changes
        fitting = [r for r in _UK_FICTION if len(r) + 3 == len(national)]
        if national.startswith("7"):  # a mobile stays a mobile: Ofcom has one such range
            fitting = [r for r in fitting if r.startswith("7")] or fitting
        else:
            fitting = [r for r in fitting if not r.startswith("7") and not national.startswith(r[:4])] or fitting
        if fitting:
            return head + _reshape(body, rng, trunk + _pick(rng, fitting) + f"{int(rng.integers(1000)):03d}")
    return head + _reshape(body, rng)


def _card(original: str, rng: np.random.Generator) -> str:
    digits = re.sub(r"\D", "", original)
    body = digits[0] + "".join(str(int(rng.integers(10))) for _ in range(len(digits) - 2))
    check = next(str(d) for d in range(10) if luhn_valid(body + str(d)))
    return _reshape(original, rng, body + check)


def _email(rng: np.random.Generator) -> str:
    first, last = _first_name(rng, "u").lower(), _last_name(rng).lower()
    domain = _pick(rng, ("example.com", "example.org", "example.net"))
    local = _pick(
        rng, (f"{first}.{last}", f"{first}{last}", f"{first[0]}{last}", f"{first}_{last}{int(rng.integers(10, 100))}")
    )
    return f"{local}@{domain}"


def _spelled_email(rng: np.random.Generator) -> str:
    first, last = _first_name(rng, "u").lower(), _last_name(rng).lower()
    return f"{first} dot {last} at example dot {_pick(rng, ('com', 'org', 'net'))}"


_ID_ROLES = {
    "iban": replace_ids.iban,
    "ssn": replace_ids.ssn,
    "nino": replace_ids.nino,
    "sin": replace_ids.sin,
    "routing": replace_ids.routing,
    "account": replace_ids.account,
    "sort_code": replace_ids.account,
    "dob": replace_ids.date_of_birth,
}


def synthesize(role: str, original: str, rng: np.random.Generator, gender: str = "u") -> str:
    """A synthetic value for one identifying part (role as in detect.Found.parts)."""
    if role == "email":
        return _email(rng)
    if role == "spelled_email":
        return _styled(_spelled_email(rng), original)
    if role == "phone":
        return _phone(original, rng)
    if role == "card":
        return _card(original, rng)
    if role.startswith("spoken_"):
        return replace_ids.spoken_number(role.removeprefix("spoken_"), original, rng, phone=_phone)
    if role in _ID_ROLES:
        return _ID_ROLES[role](original, rng)
    if role == "street":
        return _pick(rng, data_lines("pii", "replacement_streets.txt"))
    if role == "city":
        return _pick(rng, data_lines("pii", "replacement_towns.txt"))
    if role in ("number", "unit", "zip"):
        return _reshape(original, rng)
    if role == "first" or (role == "middle" and len(original) > 1):
        return _styled(_first_name(rng, gender), original)
    if role == "middle":
        return _styled(_pick(rng, string.ascii_uppercase), original)
    if role == "last":
        return _styled(_last_name(rng), original)
    raise ValueError(f"unknown PII part role {role!r}")
