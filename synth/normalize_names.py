"""A Roman "I" after a given name ("Francis I", "Elizabeth I of England") said "the first", after "War" one.

"I" after a name is usually the pronoun ("Sam I am", "May I?"), so it is read as a numeral only where the
pronoun cannot stand: it ends the clause ("Francis I--test", "Henry I, king of England") or "of" follows,
and the word before it is a name, not an ordinary word written at the start of a sentence ("Suddenly I,
too, ..."). A name is a capitalised entry of english-words' web2 dictionary ("Sam", "Francis") or a word
the dictionary does not hold at all ("Ferdinand"); auxiliaries and other words that come before a
clause-final pronoun ("May I?", "Nor I.") never count. After a word that makes a numeral a plain number
("War", "Chapter", "Type", the caller's list) it is "one" where it ends the clause or that word is
capitalised inside a sentence ("World War I began", but "the part I like" and "Part I think").
"""

from __future__ import annotations

from synth.english_lexicon import words as dictionary

_BEFORE_PRONOUN = frozenset(
    "may might can could will would shall should must do does did am is was were have has had dare need ought "
    "not nor yes no so than as and but or then now here there only even just too also who".split()
)


def is_common_word(word: str) -> bool:
    """Whether capitalised ``word`` is an ordinary word written at a sentence start, not a name ("Suddenly",
    not "Sam"): the dictionary holds it in lowercase and not capitalised."""
    words = dictionary("web2")
    return word.lower() in _BEFORE_PRONOUN or (word not in words and word.lower() in words)


def _is_given_name(word: str) -> bool:
    return len(word) >= 3 and word[0].isupper() and word[1:].islower() and not is_common_word(word)


def roman_one(prev: str | None, nxt: str | None, punct: str, prev_opens: bool, cues: set[str]) -> list[str] | None:
    """The words for a written "I" between ``prev`` and ``nxt`` (None when ``punct`` ends its clause) when it
    is a numeral: "one" after a word of ``cues`` ("World War I", "Type I diabetes"), "the first" after a
    given name; None for the pronoun.

    :param prev_opens: ``prev`` is the first word of its sentence ("Part I think": the pronoun).
    """
    if prev is None or "?" in punct:
        return None
    ends_clause = nxt is None or nxt == "of"
    if prev.lower() in cues and (ends_clause or (prev[0].isupper() and not prev_opens)):
        return ["one"]
    if ends_clause and _is_given_name(prev):
        return ["the", "first"]
    return None
