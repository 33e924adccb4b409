"""Comparing spoken forms: the folding used to score a normalizer and to cross-check two of them.

Two spoken forms of one text are "the same reading" when they agree after folding away what a listener
cannot hear or what is only a convention of writing it down:

- strict: lowercase, '-' -> space, every character other than a letter, digit, apostrophe or space -> space,
  spaces collapsed;
- lenient: strict, then runs of two or more single letters joined ("p m" == "pm"), "oh" == "zero", and "and"
  dropped between two number words ("hundred and five" == "hundred five").

These are the foldings of the peer test set's scorer (shared/peer/score_tn.py), so figures computed here
match the ones it prints.
"""

from __future__ import annotations

NUMBER_WORDS = frozenset(
    "zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "thousand million billion trillion dollars dollar pounds euros yen a".split()
)

__all__ = ["strict", "lenient", "same_reading"]


def strict(s: str) -> str:
    """``s`` lowercased, with punctuation and hyphens turned into single spaces."""
    s = s.lower().replace("-", " ")
    return " ".join("".join(c if (c.isalnum() or c in "' ") else " " for c in s).split())


def lenient(s: str) -> str:
    """:func:`strict`, with letter runs joined, "oh" read as "zero" and "and" dropped inside numbers."""
    words, out, run = strict(s).split(), [], []
    for w in [*words, None]:
        if w is not None and len(w) == 1 and w.isalpha():
            run.append(w)
            continue
        out.extend(["".join(run)] if len(run) >= 2 else run)
        run = []
        if w is not None:
            out.append(w)
    out = ["zero" if w == "oh" else w for w in out]
    return " ".join(
        w
        for i, w in enumerate(out)
        if not (w == "and" and 0 < i < len(out) - 1 and out[i - 1] in NUMBER_WORDS and out[i + 1] in NUMBER_WORDS)
    )


def same_reading(a: str, b: str) -> bool:
    """Whether spoken forms ``a`` and ``b`` say the same words, after the lenient folding."""
    return lenient(a) == lenient(b)
