"""Run-together words of an e-mail user name as separate words ("enterpriseservices" -> "enterprise services").

A user name is most often words or names written without spaces, and a voice reads "rtxprohelp" as one
unknown word; split, it says "R T X pro help", which is what a person reading the address out says. The
split is the most probable sequence of dictionary words under word frequencies (wordfreq), with at most
three letters left over (and twice as many in words), said as letter names ("jsmith" -> "J smith"). A name
that is itself a known token ("info", "sales") or has no such split ("kowalski", "asdf") is kept as written.

Only user names are split: domain labels are brand names said as one word ("hotmail", "nvidia").
"""

from __future__ import annotations

from functools import lru_cache
from math import log10

from synth.english_lexicon import lowercase_words
from synth.normalize_spell import letters

# Two-letter pieces that count as words; every other word piece has three letters or more, since most
# two-letter entries of a word list are abbreviations ("ab", "tx").
_SHORT_WORDS = frozenset("an as at be by do go he if in is it me my no of on or so to up us we".split())
_MIN_ZIPF = 3.0  # about once per million words: rarer entries of a word list are mostly noise
_WHOLE_ZIPF = 3.0  # a user name this common as a token is a word or a name already ("info", "gmail")
_PIECE_COST = 1.5  # per piece, so that fewer, longer words win over many short ones
_LETTER_COST = 5.0  # per left-over letter: dearer than any common word
_MAX_LETTERS = 3
_MAX_LENGTH = 40


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, float], set[str]]:
    """(zipf frequency of every token wordfreq knows, dictionary words with their plurals)."""
    import wordfreq

    zipf = {w: log10(f) + 9 for w, f in wordfreq.get_frequency_dict("en").items() if f > 0}
    web2 = lowercase_words("web2")
    # GCIDE adds newer words ("email", "online") and plurals, but also abbreviations: only its longer words.
    gcide = {w for w in lowercase_words("gcide") if len(w) >= 4}
    base = web2 | gcide
    words = {
        w
        for w, z in zipf.items()
        if z >= _MIN_ZIPF
        and w.isascii()
        and w.isalpha()
        and (len(w) >= 3 or w in _SHORT_WORDS)
        and (w in base or (w.endswith("s") and (w[:-1] in base or w[:-2] in base or w[:-3] + "y" in base)))
    }
    return zipf, words


def split_words(name: str) -> list[str] | None:
    """The words of run-together ``name`` (letters as marked letter names), or None to keep it as written."""
    s = name.lower()
    if len(s) < 4 or len(s) > _MAX_LENGTH or not (s.isascii() and s.isalpha()):
        return None
    zipf, words = _vocabulary()
    if zipf.get(s, 0.0) >= _WHOLE_ZIPF:
        return None
    n = len(s)
    # best[i]: (cost, pieces) of the cheapest reading of s[:i]; a piece is (text, is_word).
    best: list[tuple[float, list[tuple[str, bool]]] | None] = [(0.0, [])] + [None] * n
    for i in range(1, n + 1):
        for j in range(max(0, i - 24), i):
            if best[j] is None:
                continue
            piece = s[j:i]
            if piece in words:
                cost = 9.0 - zipf[piece] + _PIECE_COST
            elif i - j <= _MAX_LETTERS and not (best[j][1] and not best[j][1][-1][1]):
                cost = _LETTER_COST * (i - j) + _PIECE_COST  # never two letter runs side by side
            else:
                continue
            total = best[j][0] + cost
            if best[i] is None or total < best[i][0]:
                best[i] = (total, [*best[j][1], (piece, piece in words)])
    if best[n] is None:
        return None
    pieces = best[n][1]
    spare = sum(len(p) for p, is_word in pieces if not is_word)
    longest = max((len(p) for p, is_word in pieces if is_word), default=0)
    # Words must carry the name: "asdf" is not "as" + "D F".
    if len(pieces) < 2 or spare > _MAX_LETTERS or longest < 3 or n - spare < 2 * spare:
        return None
    return [p if is_word else letters(p) for p, is_word in pieces]
