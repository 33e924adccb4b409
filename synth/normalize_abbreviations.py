"""Abbreviations ("Dr.", "St.", "Mrs.", "e.g.", "Jan.") and dotted acronyms ("U.S.A.") as spoken English.

"Dr." and "St." are a title before a name ("Dr. Smith", "St. Louis") and a street type after one
("Mulholland Dr.", "Elm St., Springfield"); a sentence opener after the period ("Elm St. It was") means it
ended a sentence. Between a capitalised word and a name ("Elm St. Louis") the context cannot decide, and the
prompt is rejected with the ambiguity named. Inside a street address (a house number before it) it is
always the street: synth.normalize_address reads those first.
"""

from __future__ import annotations

import re

from synth.normalize_names import is_common_word
from synth.normalize_spell import NormalizationError, letters, sentence_end_after

# Readings that depend on the neighbours: a title before a name, a place after one.
_TITLE_OR_PLACE = {"Dr": ("doctor", "drive"), "St": ("saint", "street")}
_TITLES = {
    "Mr": "mister",
    "Mrs": "misses",  # as eSpeak NG says "Mrs" itself (m'IsIz); "missus" is another word
    "Ms": "miz",
    "Prof": "professor",
    "Gen": "general",
    "Capt": "captain",
    "Lt": "lieutenant",
    "Sgt": "sergeant",
    "Col": "colonel",
    "Gov": "governor",
    "Sen": "senator",
    "Rev": "reverend",
    "Hon": "honorable",
    "Mt": "mount",
    "Ft": "fort",
    "Fr": "father",
}
_OTHER_ABBR = {
    "Jr": "junior",
    "Sr": "senior",
    "Ave": "avenue",
    "Rd": "road",
    "Blvd": "boulevard",
    "Ln": "lane",
    "Hwy": "highway",
    "Pkwy": "parkway",
    "Ct": "court",
    "Apt": "apartment",
    "Ste": "suite",
    "Inc": "incorporated",
    "Ltd": "limited",
    "Corp": "corporation",
    "Co": "company",
    "Dept": "department",
    "dept": "department",
    "Univ": "university",
    "approx": "approximately",
    "vs": "versus",
    "etc": "et cetera",
    "est": "established",
    "cf": "compare",
    "e.g": "for example",
    "E.g": "for example",
    "i.e": "that is",
    "I.e": "that is",
    "a.k.a": "also known as",
    "Ph.D": letters("PhD"),
    "PhD": letters("PhD"),
    "Jan": "January",
    "Feb": "February",
    "Mar": "March",
    "Apr": "April",
    "Jun": "June",
    "Jul": "July",
    "Aug": "August",
    "Sep": "September",
    "Sept": "September",
    "Oct": "October",
    "Nov": "November",
    "Dec": "December",
}
# Without its period each of these is still unambiguous; the rest ("Co", "Gen",
# "Mar"...) are also ordinary words and need the period to count.
_PERIOD_OPTIONAL = {
    "Dr",
    "St",
    "Mr",
    "Mrs",
    "Ms",
    "Prof",
    "Capt",
    "Lt",
    "Sgt",
    "Jr",
    "Sr",
    "Rd",
    "Blvd",
    "Hwy",
    "Pkwy",
    "Inc",
    "Ltd",
    "Corp",
    "Dept",
    "dept",
    "approx",
    "vs",
    "etc",
    "PhD",
    "e.g",
    "i.e",
    "E.g",
    "I.e",
}
_ALL_ABBR = {**dict.fromkeys(_TITLE_OR_PLACE), **_TITLES, **_OTHER_ABBR}
_ABBR_RE = re.compile(
    r"(?<![\w.'])(" + "|".join(re.escape(k) for k in sorted(_ALL_ABBR, key=len, reverse=True)) + r")(\.?)(?![\w'])"
)
_DETERMINERS = {"the", "a", "an", "my", "your", "his", "her", "our", "their", "this", "that"}


# Words that open a sentence far more often than they are a name: after "St." they mean it ended one.
_SENTENCE_OPENERS = set(
    "it the he she we they i a an this that there these those you his her our their my its in on at but and so "
    "then when if as".split()
)


def _sentence_start(text: str, pos: int) -> bool:
    return re.search(r"(?:^|[.?!:;\"(]\s*)$", text[:pos].rstrip() + (" " if text[:pos].strip() else "")) is not None


def _abbreviation(m: re.Match) -> str:
    key, period = m.groups()
    if not period and key not in _PERIOD_OPTIONAL:
        return m.group(0)
    text = m.string
    after = re.match(r"(,?)\s+([A-Za-z]+)", text[m.end() :])
    before = re.search(r"([A-Za-z]+)\s+$", text[: m.start()])
    # "It", "The", "We"... after the period start a sentence; they are not a name ("Elm St. It was").
    name_follows = bool(
        after
        and not after.group(1)
        and after.group(2)[0].isupper()
        and after.group(2).lower() not in _SENTENCE_OPENERS
        and after.group(2) not in _ALL_ABBR  # "Pine St. Apt 4"
        # A saint has a given name: "Wall St. Journal" is a street ("Dr. Baker" keeps its doctor).
        and not (key == "St" and is_common_word(after.group(2)))
    )
    if key in _TITLE_OR_PLACE:
        title, place = _TITLE_OR_PLACE[key]
        # "Dr. Smith" / "St. Louis" vs "Mulholland Dr." / "Elm St., Springfield";
        # "the Dr. said" is still a person.
        if name_follows and before and before.group(1)[0].isupper() and not _sentence_start(text, before.start(1)):
            # "Elm St. Louis", "Mulholland Dr. Smith": a place name before it and a name after it.
            raise NormalizationError(
                f"ambiguous {key + period!r} in {text[before.start(1) : m.end() + len(after.group(0))].strip()!r}: "
                f"{place} (after a street name) or {title} (before a name); write {place.title()} or {title.title()}"
            )
        if name_follows or (before and before.group(1).lower() in _DETERMINERS):
            return f" {title} "
        said = place
    elif key in _TITLES:
        return f" {_TITLES[key]} "
    else:
        said = _OTHER_ABBR[key]
    # The abbreviation's period may also have ended the sentence ("... Ltd." but
    # not "Co. Ltd.").
    keep = period and sentence_end_after(text, m.end()) and not (after and after.group(2) in _ALL_ABBR)
    return f" {said}{'.' if keep else ''} "


def _dotted_acronym(m: re.Match) -> str:
    said = letters(m.group(1))
    return f" {said}{'.' if not m.string[m.end() :].strip() else ''} "


def expand_abbreviations(text: str) -> str:
    """``text`` with its abbreviations and dotted acronyms said in full (NormalizationError where ambiguous)."""
    text = _ABBR_RE.sub(_abbreviation, text)
    return re.sub(r"(?<![\w.])((?:[A-Za-z]\.)+[A-Za-z])\.?(?![\w])", _dotted_acronym, text)
