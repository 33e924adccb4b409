"""Section codes written with parenthesised parts ("401(k)", "501(c)(3)", "Section 230(c)") as spoken English.

A number with a letter in parentheses right after it names a statute section or the plan or body it
defines, and is said the way such names are: the number in pairs, as house numbers are ("401" -> "four
oh one", not "four hundred one"), then each part ("(k)" -> "K", "(3)" -> "three"), with no pause for the
parentheses.
"""

from __future__ import annotations

import re

from synth.normalize_spell import cardinal, in_pairs, letters

_CODE = re.compile(r"(?<![\w.,])([0-9]{1,4})((?:\([A-Za-z]\))(?:\((?:[A-Za-z]|[0-9]{1,2})\))*)(?![\w(])")


def _code(m: re.Match) -> str:
    number, parts = m.groups()
    said = [in_pairs(number) if len(number) >= 3 else cardinal(int(number))]
    for part in re.findall(r"\(([^)]*)\)", parts):
        said.append(cardinal(int(part)) if part.isdigit() else letters(part))
    return " " + " ".join(said) + " "


def expand_codes(text: str) -> str:
    """``text`` with its section codes ("401(k)") said as names."""
    return _CODE.sub(_code, text)
