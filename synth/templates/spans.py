"""Word spans of labelled character spans in the transcript of the *whole* text.

The pipeline normalizes the whole prompt, and normalization depends on context ("March 3" is
"march third", "3" alone is "three"), so a slot's words cannot be predicted from the slot alone.
We cut the text at the span edges and accept a cut only where it provably falls between two words:
either every piece, normalized on its own, gives exactly its run of the whole transcript, or (for a
reading that needs its left context, "about 1778 people" is a count, "1778" alone a year) the text
before the cut and the text after it each give exactly the words before and after one word index.
Otherwise the caller rejects the prompt: a refused prompt costs little, a wrong span is a false label.
"""

from __future__ import annotations

import functools
import re

from synth.normalize import NormalizationError, to_spoken

_SPEAKABLE = re.compile(r"[^\W_]")  # a letter or digit: something that could produce a word


@functools.lru_cache(maxsize=4096)  # carrier-phrase pieces repeat across thousands of prompts
def _words(piece: str) -> tuple[str, ...] | None:
    """Transcript words of a piece of text; () for a piece that says nothing; None if unspeakable."""
    try:
        return tuple(to_spoken(piece).transcript.split())
    except NormalizationError:
        if not _SPEAKABLE.search(piece) and not any(c in piece for c in "&+=@%$£€¥#<>×÷±§°"):
            return ()  # only spaces and punctuation
        return None


def word_spans(text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[tuple[int, int]]] | str:
    """(transcript words, [(word_start, word_end)] per span) or the reason they cannot be established.

    ``spans`` are non-overlapping (start, end) character spans in ``text``, in any order.
    """
    try:
        whole = tuple(to_spoken(text).transcript.split())
    except NormalizationError as exc:
        return f"cannot normalize the text: {exc.reason}"
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    cuts = [0]
    for i in order:
        start, end = spans[i]
        if not (cuts[-1] <= start < end <= len(text)):
            return f"character spans overlap or fall outside the text: {sorted(spans)}"
        cuts += [start, end]
    cuts.append(len(text))
    boundary = _word_boundaries(text, cuts, whole)
    if isinstance(boundary, str):
        cut_by_cut = {}
        for cut in cuts:
            k = _boundary(text, cut, whole)
            if k is None:
                return boundary  # the first method's reason says what reads together
            cut_by_cut[cut] = k
        boundary = cut_by_cut
    out: list[tuple[int, int]] = [(0, 0)] * len(spans)
    for i, (start, end) in enumerate(spans):
        ws, we = boundary[start], boundary[end]
        if we <= ws:
            return f"slot text {text[start:end]!r} has no words of its own in the transcript"
        out[i] = (ws, we)
    return list(whole), out


def _word_boundaries(text: str, cuts: list[int], whole: tuple[str, ...]) -> dict[int, int] | str:
    """Character cut -> word index, when the pieces between cuts give the whole transcript in order."""
    boundary, position = {}, 0
    for a, b in zip(cuts, cuts[1:]):
        boundary[a] = position
        words = _words(text[a:b])
        if words is None or whole[position : position + len(words)] != words:
            said = "cannot be spoken on its own" if words is None else f"is said {' '.join(words)!r} on its own"
            return (
                f"{text[a:b]!r} {said}, but the whole text is said {' '.join(whole)!r}: normalization reads "
                "it together with its neighbours, so its words cannot be told apart (keep words that "
                "change each other's reading, like 'March' and '3', inside one slot)"
            )
        position += len(words)
    boundary[cuts[-1]] = position
    if position != len(whole):
        return f"the pieces of {text!r} give fewer words than the whole text {' '.join(whole)!r}"
    return boundary


def _boundary(text: str, cut: int, whole: tuple[str, ...]) -> int | None:
    left, right = _words(text[:cut]), _words(text[cut:])
    if left is None or right is None or left + right != whole:
        return None
    return len(left)
