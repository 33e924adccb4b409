"""Which letters the engine can say, and how mixed-case words are read, so audio and transcript agree.

eSpeak NG, the default engine, has no letter-to-sound rule for many precomposed Latin letters
("ƛ", "ḍ", "ẞ"...): it reads them by code point ("letter one nine b") while the transcript would hold the
letter. Those are refused per prompt, naming the character. The list, ``synth/data/espeak_spelled_letters.txt``,
is what :func:`measure_spelled_letters` finds in the eSpeak NG library the engine embeds (line 1: letters it spells
when they stand alone, line 2: letters it spells even inside a word); tests/test_normalize_letters.py
measures it again against the installed eSpeak NG.

Mixed-case words that eSpeak NG reads as letters plus a word ("iOS" -> "I O S", "eBay" -> "E bay",
"macOS" -> "mac O S") are split the same way, so the transcript holds letters where the voice says
letters: :func:`split_mixed_case`.

Markup tags ("<breathing/>", "<pitch=-.3>") are instructions for some other renderer, not words: the
prompt is refused rather than having "less than breathing greater than" said and labelled. So is phonetic
notation ("[HH AH0 L OW1]" in ARPAbet, "[poʊstˌmɑɹk]" in IPA): it says how to pronounce a word without
saying which word, so no transcript can be derived from it, and read as text it would be letter names.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

from synth.normalize_spell import NormalizationError

DATA = Path(__file__).with_name("data") / "espeak_spelled_letters.txt"

__all__ = [
    "check_markup",
    "check_notation",
    "verbatim_spans",
    "check_letters",
    "split_mixed_case",
    "measure_spelled_letters",
    "candidate_letters",
]


@lru_cache(maxsize=1)
def spelled_letters() -> tuple[frozenset[str], frozenset[str]]:
    """(letters eSpeak NG spells by code point when alone, letters it spells even inside a word)."""
    alone, in_word = (DATA.read_text(encoding="utf-8").split("\n") + ["", ""])[:2]
    return frozenset(alone), frozenset(in_word)


def candidate_letters() -> list[str]:
    """The Latin letters beyond ASCII that survive NFKC (what the normalizer lets through to the engine)."""
    ranges = list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)) + list(range(0x2C60, 0x2C80))
    return [
        chr(c)
        for c in ranges
        if chr(c).isalpha()
        and "LATIN" in unicodedata.name(chr(c), "")
        and unicodedata.normalize("NFKC", chr(c)) == chr(c)
    ]


def espeak_phonemes(texts: list[str], voice: str = "en-us") -> list[str]:
    """eSpeak NG's phonemes (``-x`` notation) for each of ``texts``, from the library the engine embeds.

    Runs in a child process: eSpeak NG keeps state across calls, and this must not leave any in the caller.
    """
    script = (
        "import ctypes, json, sys, espeakng_loader as e\n"
        "lib = ctypes.CDLL(e.get_library_path())\n"
        "lib.espeak_TextToPhonemes.restype = ctypes.c_char_p\n"
        "lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]\n"
        "assert lib.espeak_Initialize(2, 0, e.get_data_path().encode(), 0x8000) > 0\n"
        "lib.espeak_SetVoiceByName(sys.argv[1].encode())\n"
        "out = []\n"
        "for text in json.load(sys.stdin):\n"
        "    buf = ctypes.create_string_buffer(text.encode())\n"
        "    ptr = ctypes.c_void_p(ctypes.addressof(buf))\n"
        "    parts = []\n"
        "    while ptr.value:\n"
        "        parts.append(lib.espeak_TextToPhonemes(ctypes.byref(ptr), 1, 0).decode())\n"
        "    out.append(' '.join(p.strip() for p in parts if p.strip()))\n"
        "json.dump(out, sys.stdout)\n"
    )
    import json
    import sys

    done = subprocess.run(
        [sys.executable, "-c", script, voice], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def measure_spelled_letters(letters: list[str]) -> tuple[str, str]:
    """Ask the embedded eSpeak NG which of ``letters`` it reads by code point ("letter one nine b").

    :returns: (letters spelled alone, letters spelled inside "ba?na"), each as one string in input order.
    """
    out = espeak_phonemes([*letters, *(f"ba{c}na" for c in letters)])
    spelled = [re.search(r"l,Et#?3_\|", o) is not None for o in out]  # "letter" + digits: a code point
    n = len(letters)
    return (
        "".join(c for c, s in zip(letters, spelled[:n]) if s),
        "".join(c for c, s in zip(letters, spelled[n:]) if s),
    )


_MARKUP = re.compile(r"</?[A-Za-z][\w-]*(?:[\s=][^<>]*)?/?>")


def check_markup(text: str) -> None:
    """NormalizationError naming the first markup tag of ``text``, if it has one."""
    m = _MARKUP.search(text)
    if m:
        raise NormalizationError(
            f"markup tag {m.group(0)!r} is not text to speak: prompts are plain text "
            "(remove the tag, or write the words the voice should say)"
        )


# ARPAbet, the phone set of the CMU Pronouncing Dictionary; its vowels carry a stress digit (0, 1, 2).
_ARPABET_VOWELS = set("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
_ARPABET = _ARPABET_VOWELS | set("B CH D DH F G HH JH K L M N NG P R S SH T TH V W Y Z ZH".split())
_BRACKETED = re.compile(r"\[([^\[\]]+)\]|/([^/\s][^/]*[^/\s])/")
# Letters of the IPA and its marks that no English spelling uses (length, stress, ə, ɫ, ʊ, ŋ...).
_IPA = re.compile("[\u0250-\u02af\u02c8\u02cc\u02d0\u02d1\u0278\u03b8\u00f0\u014b]")


def _notation(text: str):
    """(match, "ARPAbet" or "IPA") for each phonetic transcription in ``text``."""
    for m in _BRACKETED.finditer(text):
        inner = m.group(1) or m.group(2)
        phones = inner.split()
        arpabet = all(p in _ARPABET or (p[:-1] in _ARPABET_VOWELS and p[-1] in "012") for p in phones) and any(
            p[-1] in "012" for p in phones
        )
        if (m.group(1) and arpabet) or _IPA.search(inner):
            yield m, "ARPAbet" if arpabet else "IPA"


def check_notation(text: str) -> None:
    """NormalizationError naming the first phonetic transcription (ARPAbet or IPA) in ``text``, if it has one."""
    for m, kind in _notation(text):
        raise NormalizationError(
            f"phonetic notation {m.group(0)!r} ({kind}) is not text to speak: it "
            "says how words sound, not which words they are (write the words)"
        )


def verbatim_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each markup tag and phonetic transcription in ``text``, in order, not overlapping."""
    found = sorted([m.span() for m in _MARKUP.finditer(text)] + [m.span() for m, _ in _notation(text)])
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans


def check_letters(words: list[str]) -> None:
    """NormalizationError for a letter the engine would read by its code point."""
    alone, in_word = spelled_letters()
    for word in words:
        bad = alone if len(word) == 1 else in_word
        for c in word:
            if c in bad:
                raise NormalizationError(
                    f"unsupported character {c!r} (U+{ord(c):04X}, {unicodedata.name(c, '?').lower()}): "
                    "eSpeak NG reads it as a code point, not a sound; write the word without it"
                )


def split_mixed_case(word: str) -> list[str] | None:
    """``word`` cut where eSpeak NG reads letters beside a word ("iOS" -> ["i", "OS"]), or None.

    Two shapes: one lowercase letter before a capitalised word ("iPhone", "eBay") and a lowercase word
    before two or more capitals ("macOS", "tvOS"). Names such as "McDonald" or "LeBron" keep their reading.
    """
    m = re.fullmatch(r"([a-z])([A-Z](?:[a-z]+|[A-Z]+))|([a-z]+)([A-Z]{2,})", word)
    if not m:
        return None
    return [g for g in m.groups() if g]
