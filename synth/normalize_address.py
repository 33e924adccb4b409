"""Street addresses ("1428 Elm St.", "708 N 1st St, San City, NY") as spoken English.

An address is a house number, an optional compass point, one to four street-name words (capitalised, or
an ordinal such as "1st") and a street type ("St", "Ave", "hwy", in any case). It is read the way people
say addresses: the house number in pairs ("1428" -> "fourteen twenty eight", "123" -> "one twenty three",
"708" -> "seven oh eight"), the compass point and the street type in full. Inside an address, "St." is
always "Street": this is the context that decides it (see ``synth.normalize`` for "St." elsewhere), and a
period after it ends the sentence only when a capitalised word follows. A two-letter state code after
the town ("…, City, NY") is read as the state's name.
"""

from __future__ import annotations

import re

from synth.normalize_spell import in_pairs as house_number
from synth.normalize_spell import sentence_end_after

STREET_TYPES = {
    "st": "Street",
    "street": "Street",
    "ave": "Avenue",
    "av": "Avenue",
    "avenue": "Avenue",
    "rd": "Road",
    "road": "Road",
    "blvd": "Boulevard",
    "boulevard": "Boulevard",
    "ln": "Lane",
    "lane": "Lane",
    "dr": "Drive",
    "drive": "Drive",
    "ct": "Court",
    "court": "Court",
    "pl": "Place",
    "place": "Place",
    "sq": "Square",
    "ter": "Terrace",
    "terr": "Terrace",
    "cir": "Circle",
    "hwy": "Highway",
    "highway": "Highway",
    "pkwy": "Parkway",
    "parkway": "Parkway",
    "expy": "Expressway",
    "expressway": "Expressway",
    "fwy": "Freeway",
    "way": "Way",
}
COMPASS = {"N": "North", "S": "South", "E": "East", "W": "West", "NE": "Northeast", "NW": "Northwest"}
COMPASS.update({"SE": "Southeast", "SW": "Southwest"})

_NAME = r"(?:[A-Z][a-z]+|[0-9]+(?:st|nd|rd|th))"
_TYPE = r"(?i:" + "|".join(sorted(STREET_TYPES, key=len, reverse=True)) + r")"
ADDRESS = re.compile(
    rf"(?<![\w.,$])([0-9]{{1,5}})\s+(?:({'|'.join(COMPASS)})\.?\s+)?({_NAME}(?:\s+{_NAME}){{0,3}}?)\s+({_TYPE})"
    r"\b(\.?)"
)


def _address(m: re.Match) -> str:
    number, compass, name, street_type, period = m.groups()
    said = [house_number(number)]
    if compass:
        said.append(COMPASS[compass])
    said += [name, STREET_TYPES[street_type.lower()]]
    end = "." if period and sentence_end_after(m.string, m.end()) else ""
    return " " + " ".join(said) + end + " "


def expand_addresses(text: str, states: dict[str, str | None]) -> str:
    """``text`` with its street addresses spelled; ``states`` maps state codes to names (None: spell)."""
    out = ADDRESS.sub(_address, text)
    if out == text:
        return text
    # After an address, ", Town, NY" (end of text or before a comma) names a state; before a ZIP code
    # the ZIP rule of synth.normalize_numbers reads both.
    codes = "|".join(k for k, v in states.items() if v)
    return re.sub(
        rf"(,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)*,\s*)({codes})(?=\s*(?:,|$|[.;]))(?!\s*,?\s*[0-9]{5})",
        lambda s: s.group(1) + states[s.group(2)],
        out,
    )
