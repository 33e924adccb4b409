"""Street addresses ("1428 Elm St.", "708 N 1st St, San City, NY") as spoken English.

An address is a house number, an optional compass point, one to four street-name words (capitalised, or
an ordinal such as "1st") and a street type ("St", "Ave", "hwy", in any case). It is read the way people
say addresses: the house number in pairs ("1428" -> "fourteen twenty eight", "123" -> "one twenty three",
"708" -> "seven oh eight"), the compass point and the street type in full. Inside an address, "St." is
always "Street": this is the context that decides it (see ``synth.normalize`` for "St." elsewhere), and a
period after it ends the sentence only when a capitalised word follows. A two-letter state code after
the town ("…, City, NY") is read as the state's name, and so is one after a town without an address
("Austin, TX") when the code is no English word or abbreviation as well ("OK", "IN", "MD" stay).
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


# State codes that are also words, names or abbreviations ("Fine, OK.", "Thanks, Al", "Dr. Ma, MD"): a
# state only after a street address, where the address says so.
_WORD_CODES = frozenset("AL CO DE HI ID IN LA MA MD ME MS MT NE OH OK OR PA".split())
_STATE_AFTER = r"(?=\s*(?:,|$|[.;:!?]))(?!\s*,?\s*[0-9]{5})"  # before a ZIP code its own rule reads both


def _town_state(m: re.Match, states: dict[str, str | None]) -> str:
    town, code = m.group(1), m.group(2)
    opens = re.search(r"(?:^|[.?!:;]\s)\s*$", m.string[: m.start()]) is not None
    if opens and " " not in town and _is_word(town):
        return m.group(0)  # "Fine, TX?" at a sentence start: an ordinary word, not a town
    return f"{town}, {states[code]}"


def _is_word(word: str) -> bool:
    from synth.normalize_names import is_common_word

    return is_common_word(word)


def expand_addresses(text: str, states: dict[str, str | None]) -> str:
    """``text`` with its street addresses spelled and the states of "Town, ST" named; ``states`` maps state
    codes to names (None: spell)."""
    out = ADDRESS.sub(_address, text)
    codes = "|".join(k for k, v in states.items() if v)
    if out != text:
        # After an address, ", Town, NY" names a state whatever the code.
        out = re.sub(
            rf"(,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)*,\s*)({codes}){_STATE_AFTER}",
            lambda s: s.group(1) + states[s.group(2)],
            out,
        )
    # Elsewhere "Austin, TX" names one when the code is no word too.
    plain = "|".join(k for k, v in states.items() if v and k not in _WORD_CODES)
    return re.sub(
        rf"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+){{0,2}}),\s*({plain})\b{_STATE_AFTER}",
        lambda m: _town_state(m, states),
        out,
    )
