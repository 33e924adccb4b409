"""The two ways a transcript writes spelled letters, and the way back.

The normalizer says an initialism letter by letter ("7 pm" -> the engine hears "P M"), and by default the
transcript has one word per letter name ("seven p m"): one label word per engine word, so word times, the
forced aligner and the ASR check line up word for word. ``normalize.letters=joined`` writes each initialism as
one upper-case word instead ("seven PM", "HTTPS colon slash slash"), the convention of NeMo's spoken forms and
of most written-form recognizers. Upper case is what marks such a word as spelled (every other transcript word
is lower case), so :func:`spell_out` recovers the one-word-per-letter form from a finished corpus exactly.
"""

from __future__ import annotations

import dataclasses
import re

__all__ = ["is_joined", "groups", "join_letters", "spell_out", "join_word_times", "joined_index", "join_aligned"]

# A joined initialism: two or more capitals, with the possessive or plural the last letter carried ("CD's").
_JOINED = re.compile(r"([A-Z]{2,})('s)?")


def groups(n: int, joins: tuple[bool, ...]) -> list[range]:
    """The spoken-token indexes of each joined transcript word, for ``n`` tokens and their ``joins`` flags."""
    out: list[range] = []
    for i in range(n):
        if i and i < len(joins) and joins[i]:
            out[-1] = range(out[-1].start, i + 1)
        else:
            out.append(range(i, i + 1))
    return out


def join_letters(words: list[str], joins: tuple[bool, ...]) -> list[str]:
    """``words`` (one per spoken token, lower case) with each initialism of two or more letters as one
    upper-case word: ["seven", "p", "m"] -> ["seven", "PM"]; ["c", "d's"] -> ["CD's"]."""
    out = []
    for g in groups(len(words), joins):
        if len(g) == 1:
            out.append(words[g.start])
            continue
        letters = "".join(words[i] for i in g)
        tail = "'s" if letters.endswith("'s") else ""
        out.append(letters[: len(letters) - len(tail)].upper() + tail)
    return out


def is_joined(word: str) -> bool:
    """Whether transcript ``word`` is a joined initialism ("PM", "CD's"): letter names, with pauses between
    them where the engine makes them."""
    return _JOINED.fullmatch(word) is not None


def spell_out(transcript: str) -> str:
    """A transcript in either letter style, with one word per letter name: "seven PM" -> "seven p m"."""
    words = []
    for word in transcript.split():
        m = _JOINED.fullmatch(word)
        if not m:
            words.append(word)
            continue
        letters = list(m.group(1).lower())
        letters[-1] += m.group(2) or ""
        words.extend(letters)
    return " ".join(words)


def join_word_times(timed: list[dict], transcript_words: list[str], joins: tuple[bool, ...]) -> list[dict]:
    """Word times of the spoken tokens merged as the joined transcript groups them: each initialism's entry
    spans its first letter's start to its last letter's end and carries the transcript's word."""
    out = []
    for g, word in zip(groups(len(timed), joins), transcript_words, strict=True):
        first, last = timed[g.start], timed[g.stop - 1]
        entry = {**first, "word": word, "end": last["end"]}
        if any(timed[i].get("estimated") for i in g):  # one guessed letter makes the whole span a guess
            entry["estimated"] = True
        out.append(entry)
    return out


def joined_index(n: int, joins: tuple[bool, ...]) -> list[int]:
    """For each spoken-token index 0..n (n: the end), the index of its word in the joined transcript; a
    span of token words [a, b) is the joined words [map[a], map[b])."""
    spans = groups(n, joins)
    out = [k for k, g in enumerate(spans) for _ in g]
    return [*out, len(spans)]


def join_aligned(aligned: list, words: list[str]) -> list | None:
    """Entries with ``.word``, ``.start`` and ``.end``, one per letter name (a forced aligner's, of
    :func:`spell_out`'s transcript), merged so that they line up with transcript ``words`` in either letter
    style; None when they do not spell those words."""
    out, i = [], 0
    for word in words:
        spelled = spell_out(word).split()
        run = aligned[i : i + len(spelled)]
        if [a.word for a in run] != spelled:
            return None
        out.append(run[0] if len(run) == 1 else dataclasses.replace(run[0], word=word, end=run[-1].end))
        i += len(spelled)
    return out if i == len(aligned) else None
