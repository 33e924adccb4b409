"""Diphones an MBROLA database lacks: find them, and stand in the nearest phoneme it has.

MBROLA plays silence for a phoneme pair its database lacks (``_-_``) and only warns on stderr:
"Warning: n-O2 unknown, replaced with _-_". The word is then not in the audio (us3: ~100 ms of
digital zeros where "on" should be). eSpeak NG's English rules ask for pairs some databases never
recorded: us3 has no ``O2`` (the vowel of "on", "off") beside most consonants; the German
databases no ``v`` before a consonant or a pause (German devoices it); sw2 no short ``i`` before
most consonants; gr2 no ``j`` before ``n``.

The repair rewrites eSpeak NG's phoneme file (``espeak-ng --pho``, what it feeds MBROLA) at the
pairs MBROLA named, one phoneme of the pair at a time, with the substitutes in SUBSTITUTES: the
sound a speaker of the database's language uses in its place (``v`` → ``f``, ``i`` → ``i:``,
``O2`` → ``O``), or, between two vowels, a glottal stop (a 15 ms pause: the German databases have no
vowel-vowel pairs). A substitute is kept only if MBROLA then lacks none of the pairs it lacked before
plus nothing new (the set of missing pairs must shrink), so the search cannot cycle; the phoneme
that takes part in more of the missing pairs is tried first (us3 lacks n-O2 and O2-n: O2 is at fault). What is still
missing after that is reported, and the engine rejects the item.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# MBROLA's warning for a diphone its database lacks (it plays silence in its place)
MISSING_DIPHONE = re.compile(r"Warning: (\S+) unknown, replaced with")

# phoneme (MBROLA SAMPA, as eSpeak NG's tables name it) -> what to try in its place, in order
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "O2": ("O", "A"),  # the LOT/CLOTH vowel -> THOUGHT / PALM (General American merges them)
    "v": ("f",),  # final devoicing: what German speakers of English do
    "i": ("i:", "I"),  # short i -> long i
    "I": ("i",),
    "j": ("i",),  # the glide -> its vowel
    "@": ("E", "e"),
    "O": ("o",),
    "n": ("n=",),  # n -> syllabic n
    "r": ("R",),
    "R": ("r",),
    "6": ("@",),
    "Z": ("S",),
    "z": ("s",),  # final devoicing again ("was" -> "wass")
}
# Between two vowels a German speaker puts a glottal stop ("the office" -> "the ?office"). The German
# databases have no vowel-vowel pairs; de1's notes say a glottal stop is made with a pause before the
# vowel. 15 ms: a stop's closure, shorter than the gaps the check in benchmarks/mbrola_gaps.py flags.
GLOTTAL_STOP, GLOTTAL_STOP_MS = "_", 15
VOWEL_INITIALS = set("aeiouy@EIOUVAQY{369")


def missing_diphones(stderr: bytes) -> list[str]:
    """The diphones (``n-O2``…) that MBROLA said its database lacks, in order of first mention.

    :param stderr: what mbrola (or the espeak-ng that ran it) wrote on stderr
    """
    return list(dict.fromkeys(MISSING_DIPHONE.findall(stderr.decode("utf-8", "replace"))))


def _names(lines: list[str]) -> list[tuple[int, str]]:
    """(line index, phoneme name) of each phoneme line of a .pho file (comments and blanks skipped)."""
    out = []
    for i, line in enumerate(lines):
        fields = line.split()
        if len(fields) >= 2 and not line.startswith(";"):
            out.append((i, fields[0]))
    return out


def _substitute(lines: list[str], pair: str, side: int, new: str) -> list[str]:
    """`lines` with phoneme `side` (0: first, 1: second) of every occurrence of `pair` renamed `new`."""
    first, _, second = pair.partition("-")
    names, out = _names(lines), list(lines)
    for (i, a), (j, b) in zip(names, names[1:]):
        if a == first and b == second:
            k = i if side == 0 else j
            fields = out[k].split("\t") if "\t" in out[k] else out[k].split(" ")
            fields[0] = new
            out[k] = ("\t" if "\t" in out[k] else " ").join(fields)
    return out


def _glottal_stop_between(lines: list[str], pair: str) -> list[str]:
    """`lines` with a glottal stop between the two vowels of every occurrence of `pair`.

    The stop's time comes out of the first vowel, so everything after it keeps its timing.
    """
    first, _, second = pair.partition("-")
    names, out = _names(lines), list(lines)
    for (i, a), (_j, b) in reversed(list(zip(names, names[1:]))):
        if a == first and b == second:
            fields = out[i].split()
            stop_ms = min(GLOTTAL_STOP_MS, int(fields[1]) // 3)
            fields[1] = str(int(fields[1]) - stop_ms)
            out[i] = "\t".join(fields[:2]) + ("\t " + " ".join(fields[2:]) if len(fields) > 2 else "")
            out.insert(i + 1, f"{GLOTTAL_STOP}\t{stop_ms}")
    return out


def repair_pho(
    lines: list[str], missing: list[str], probe: Callable[[list[str]], list[str]]
) -> tuple[list[str], list[str], list[str]]:
    """Substitute phonemes until the database has every pair; returns (lines, substitutions, still missing).

    :param lines: the .pho file eSpeak NG wrote, one line per entry
    :param missing: the pairs MBROLA lacks for `lines`
    :param probe: runs MBROLA on a .pho and returns the pairs it lacks (missing_diphones of its stderr)
    """
    done: list[str] = []
    stuck: set[str] = set()
    while True:
        pair = next((p for p in missing if p not in stuck), None)
        if pair is None:
            return lines, done, missing
        first, _, second = pair.partition("-")
        # the phoneme in more of the missing pairs first: us3 lacks n-O2 and O2-n, and O2 is the one it lacks
        involved = [p.split("-") for p in missing]
        sides = sorted(((0, first), (1, second)), key=lambda sp: -sum(sp[1] in pr for pr in involved))
        candidates = [
            (f"{phoneme}->{new} in {pair}", _substitute(lines, pair, side, new))
            for side, phoneme in sides
            for new in SUBSTITUTES.get(phoneme, ())
        ]
        if first[:1] in VOWEL_INITIALS and second[:1] in VOWEL_INITIALS:
            candidates.insert(0, (f"? inserted in {pair}", _glottal_stop_between(lines, pair)))
        for label, candidate in candidates:
            left = probe(candidate)
            if set(left) <= set(missing) - {pair}:  # the pair is gone and nothing new is missing
                lines, missing = candidate, left
                done.append(label)
                break
        else:
            stuck.add(pair)
