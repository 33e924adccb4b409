"""The English word lists the normalizer and the PII scrubber consult, each read once per process.

english-words ships two dictionaries: web2 (Webster's Second, 1934: names capitalised, so case tells a name
from a word) and GCIDE (newer words such as "email", and plurals, but also abbreviations). Three readers need
them in different shapes (Roman "I" after a given name, e-mail name splitting, ordinary words vs names in PII);
they all take them from here rather than each reading the files again.
"""

from __future__ import annotations

import functools

__all__ = ["words", "lowercase_words"]


@functools.cache
def words(source: str) -> frozenset[str]:
    """Every alphabetic entry of dictionary ``source`` ("web2" or "gcide") as written (case kept)."""
    import english_words

    return frozenset(english_words.get_english_words_set([source], lower=False, alpha=True))


@functools.cache
def lowercase_words(source: str) -> frozenset[str]:
    """The entries of ``source``, each lowercased ("Sam" -> "sam")."""
    return frozenset(w.lower() for w in words(source))
