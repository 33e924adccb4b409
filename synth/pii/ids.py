"""National identity numbers and bank accounts, checked with python-stdnum where a check exists.

- ssn: US Social Security numbers. "123-45-6789" (three-two-four with dashes) is unmistakable; the
  same digits spaced or run together count only after words that say what they are ("SSN",
  "social security"), since nine digits alone could be anything.
- national_id: UK National Insurance numbers ("QQ 12 34 56 C", any case) and Canadian Social
  Insurance numbers (nine digits that pass their Luhn check, after "SIN"/"social insurance").
- iban: an IBAN, grouped in fours or run together, in any letter case; stdnum validates the check
  digits and each country's BBAN format, so "GB12 ABCD ..." that fails is left alone.
- bank_account: account numbers, US routing numbers and UK sort codes, after the words that name them.
"""

from __future__ import annotations

import re

from synth.pii.found import Found

# Words that say which number follows, at most three words before it ("my SSN is", "SSN on file is",
# "account no."), so the number right after them is taken even without the shape that would tell it.
_TAIL = r"(?:\W+[A-Za-z.']+){0,3}?[\s:#,=.]*$"
SSN_CONTEXT = re.compile(r"\b(?:ssn|social\s+security|social)\b" + _TAIL, re.I)
SIN_CONTEXT = re.compile(r"\b(?:sin|social\s+insurance)\b" + _TAIL, re.I)
ACCOUNT_CONTEXT = re.compile(r"\b(?:account|acct|a/c|routing|aba|sort\s+code|iban)\b" + _TAIL, re.I)
_CONTEXT_REACH = 40  # characters before a number searched for its context words

_SSN_DASHED = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
_SSN_LOOSE = re.compile(r"(?<![\w-])\d{3}([ .]?)\d{2}\1\d{4}(?![\w-])")
_NINO = re.compile(r"(?<![\w])(?:QQ|[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])", re.I)
_SIN = re.compile(r"(?<![\w-])\d{3}([ -]?)\d{3}\1\d{3}(?![\w-])")
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?|[A-Z0-9]{11,30})(?![\w])", re.I)
_ACCOUNT = re.compile(r"(?<![\w.,$£€-])\d(?:[ -]?\d){5,16}(?![\w-]|[.,]\d)")
_SORT_CODE = re.compile(r"(?<![\w-])\d{2}([- ])\d{2}\1\d{2}(?![\w-])")


def _said_before(text: str, start: int, context: re.Pattern) -> bool:
    return context.search(text[max(0, start - _CONTEXT_REACH) : start]) is not None


def ssns(text: str) -> list[Found]:
    """US Social Security numbers in ``text`` (see the module docstring for when digits count)."""
    out = [Found.whole("ssn", *m.span()) for m in _SSN_DASHED.finditer(text)]
    out += [
        Found.whole("ssn", *m.span()) for m in _SSN_LOOSE.finditer(text) if _said_before(text, m.start(), SSN_CONTEXT)
    ]
    return out


def national_ids(text: str) -> list[Found]:
    """UK National Insurance numbers and Canadian SINs (after their context words) in ``text``."""
    from stdnum import luhn

    out = [Found.whole("national_id", *m.span(), role="nino") for m in _NINO.finditer(text)]
    for m in _SIN.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if luhn.is_valid(digits) and _said_before(text, m.start(), SIN_CONTEXT):
            out.append(Found.whole("national_id", *m.span(), role="sin"))
    return out


def iban_valid(candidate: str) -> bool:
    """ISO 13616 check digits and the country's BBAN length and format (stdnum). Banks' own national
    check digits inside the BBAN are not asked for: a stand-in could rarely meet them, and the check
    digits and format already make a chance match rare (about 1 in 97 of strings of the right shape)."""
    from stdnum import iban

    return iban.is_valid(candidate.upper(), check_country=False)


def ibans(text: str) -> list[Found]:
    """IBANs in ``text`` that pass stdnum's check (see iban_valid); a word after one is not taken in."""
    out = []
    for m in _IBAN.finditer(text):
        value = m.group(0)
        while value and not iban_valid(value) and " " in value:
            value = value.rsplit(" ", 1)[0]  # a word grouped like the IBAN may follow it
        if iban_valid(value):
            out.append(Found.whole("iban", m.start(), m.start() + len(value)))
    return out


def bank_accounts(text: str) -> list[Found]:
    """Account numbers, routing numbers and sort codes right after the words that name them."""
    out = []
    for pattern, role in ((_SORT_CODE, "sort_code"), (_ACCOUNT, "account")):
        for m in pattern.finditer(text):
            if _said_before(text, m.start(), ACCOUNT_CONTEXT):
                out.append(Found.whole("bank_account", *m.span(), role="routing" if _is_routing(text, m) else role))
    return out


def _is_routing(text: str, m: re.Match) -> bool:
    before = text[max(0, m.start() - _CONTEXT_REACH) : m.start()].lower()
    return len(re.sub(r"\D", "", m.group(0))) == 9 and re.search(r"\b(?:routing|aba)\b[^\d]*$", before) is not None
