"""Personal names the shipped lists know (synth/data/pii), with titles, initials and middle names.

The lists hold the names the template slots can produce, so a scrubbed template corpus keeps none of
them; names outside the lists are found by synth.pii.names_open from context and word knowledge.
"""

from __future__ import annotations

import functools
import re

from synth.normalize_numbers import MONTHS
from synth.pii.found import Found
from synth.pii.vocab import STOP
from synth.templates.data import data_lines, gendered_names, places

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
    *MONTHS,
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


def listed_names(text: str) -> list[Found]:
    """Names built around a listed first name or a title (see the module docstring)."""
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
        if key is None or key in _NOT_SURNAMES or word.lower() in STOP:
            return False  # "Tell Sam I'm late"
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
