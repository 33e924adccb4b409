"""The voice's own pronunciations for the audit's aligner: what eSpeak NG says, in the acoustic model's phones.

The aligner's dictionary (CMU, with pocketsphinx's US English acoustic model) is American. eSpeak NG
voices speak their accent's phonemes: en-gb-x-rp says "car" as k ɑː, where CMU writes K AA R; en-029
says "the" as d ə. Aligning such audio to an American pronunciation scores the label by how far the
accent is from General American, and on British voices a true label lost to impostors that way
(en-gb-x-rp+m2 and en+f1 rows of the issue-13 done-when run: benchmarks/RESULTS.md). eSpeak NG's
phonemes are what drove the audio, so for eSpeak NG rows, and MBROLA rows (eSpeak NG phonemes played
by a diphone database), every word is pronounced as the voice itself pronounces it: eSpeak NG's IPA
for the word on its own (espeak_TextToPhonemes, the library the in-process engine uses) mapped to
ARPAbet by `IPA_TO_ARPABET`. Phoneme *names* would not do: every English voice shares them ("A@" is
ɑːɹ in en-us, ɑː in en), while the IPA is what each voice's phoneme table realizes.

MBROLA voices are eSpeak NG voice files of Debian's data (voices/mb/…), which the library here does
not ship: their pronunciations come from the language the voice file names (mb-us1: en-us; mb-de4-en:
en). (Debian's eSpeak NG 1.51 data differs from the library's in a few words: 16 of 300 built-in
prompt words, mostly stress, e.g. British "after" ɑːftə there against aftə here.)

A word whose IPA holds a phone the table lacks keeps the aligner's usual route (CMU, then eSpeak NG
US English, then a letter guess), as do rows of every other engine.
"""

from __future__ import annotations

import logging
from functools import cache

from synth.align import EspeakPhonemes

log = logging.getLogger(__name__)

# eSpeak NG's English IPA (every English voice's and the MBROLA voices' languages) -> ARPAbet, by
# sound: a non-rhotic vowel gets no R (RP "car" ɑː -> AA), a rhotic one does (en-us ɑːɹ -> AA R).
# Where ARPAbet has no such vowel, the nearest the US model knows: RP's ɒ as AA, Scotland's ʉ as UW,
# New York's NURSE vowel əɪ as AY, flaps and glottal stops as T (where CMU writes T).
IPA_TO_ARPABET = {
    # consonants
    "p": "P",
    "b": "B",
    "t": "T",
    "t̪": "T",
    "d": "D",
    "k": "K",
    "ɡ": "G",
    "g": "G",
    "f": "F",
    "v": "V",
    "θ": "TH",
    "ð": "DH",
    "s": "S",
    "z": "Z",
    "ʃ": "SH",
    "ʒ": "ZH",
    "h": "HH",
    "x": "K",
    "ç": "HH",
    "ɬ": "L",
    "m": "M",
    "n": "N",
    "n̩": "AH N",
    "ŋ": "NG",
    "l": "L",
    "əl": "AH L",
    "ɹ": "R",
    "r": "R",
    "ɾ": "T",
    "ʔ": "T",
    "j": "Y",
    "w": "W",
    "ʍ": "W",
    "tʃ": "CH",
    "dʒ": "JH",
    # vowels
    "i": "IY",
    "iː": "IY",
    "ɪ": "IH",
    "ᵻ": "IH",
    "e": "EH",
    "ɛ": "EH",
    "eə": "EH",
    "ɛə": "AE",  # New York's tensed TRAP ("bad")
    "æ": "AE",
    "a": "AE",
    "a:": "AA",
    "aː": "AA",
    "aa": "AA",
    "ɑ": "AA",
    "ɑː": "AA",
    "ɑə": "AA",
    "ɒ": "AA",
    "ɔ": "AO",
    "ɔː": "AO",
    "ɔə": "AO",
    "oə": "AO",
    "o": "OW",
    "oː": "OW",
    "oʊ": "OW",
    "əʊ": "OW",
    "əu": "OW",
    "ʌʊ": "OW",
    "ʌ": "AH",
    "ə": "AH",
    "ɐ": "AH",
    "ɜ": "ER",
    "ɜː": "ER",
    "ɚ": "ER",
    "əɹ": "ER",
    "ʌɹ": "ER",
    "u": "UW",
    "uː": "UW",
    "ʉ": "UW",
    "ʉː": "UW",
    "ʊ": "UH",
    "eɪ": "EY",
    "eː": "EY",
    "eʲ": "EY",
    "ei": "EY",
    "aɪ": "AY",
    "əɪ": "AY",
    "aʊ": "AW",
    "æʊ": "AW",
    "ʌʉ": "AW",
    "ɔɪ": "OY",
    "oɪ": "OY",
    # centring diphthongs and r-coloured vowels
    "iə": "IY AH",
    "ʊə": "UH AH",
    "aɪə": "AY AH",
    "aɪɚ": "AY ER",
    "ɪɹ": "IH R",
    "ɛɹ": "EH R",
    "ɑːɹ": "AA R",
    "ɔːɹ": "AO R",
    "oːɹ": "AO R",
    "ʊɹ": "UH R",
    "ʉɹ": "UH R",
}
_LONGEST = max(len(k) for k in IPA_TO_ARPABET)


def arpabet_of_ipa(phonemes: list[str]) -> str | None:
    """ARPAbet for eSpeak NG IPA phonemes (one per list item, stress marks removed), or None when one
    holds a sound the table lacks. An item the table does not hold whole is read as its longest
    known pieces ("ɑːɹ" would be ɑː + ɹ)."""
    phones = []
    for phoneme in phonemes:
        i = 0
        while i < len(phoneme):
            piece = next(
                (phoneme[i : i + n] for n in range(_LONGEST, 0, -1) if phoneme[i : i + n] in IPA_TO_ARPABET), None
            )
            if piece is None:
                return None
            phones.append(IPA_TO_ARPABET[piece])
            i += len(piece)
    return " ".join(phones) or None


def mbrola_languages(voice: str) -> list[str]:
    """The eSpeak NG languages an MBROLA voice file names, in its order (mb-us1: en-us, en; mb-en1:
    en-uk, en-gb, en); none when Debian's eSpeak NG data is not on this machine."""
    from synth.engines.mbrola import espeak_ng_info

    info = espeak_ng_info()
    path = info[1] / "voices" / "mb" / voice if info else None
    if path is None or not path.is_file():
        return []
    lines = (line.split() for line in path.read_text(encoding="utf-8", errors="replace").splitlines())
    return [fields[1] for fields in lines if len(fields) >= 2 and fields[0] == "language"]


@cache
def _library() -> EspeakPhonemes | None:
    try:
        return EspeakPhonemes()
    except (ImportError, OSError, RuntimeError) as error:
        log.warning("eSpeak NG unavailable (%s): voices are aligned with CMU pronunciations", error)
        return None


@cache
def _library_has(voice: str) -> bool:
    library = _library()
    try:
        return library is not None and bool(library.ipa("a", voice))
    except RuntimeError:
        return False


def espeak_voice(engine: str, voice: str) -> str | None:
    """The eSpeak NG voice whose pronunciations a row's audio carries, or None (other engines, or a
    voice the library lacks: CMU's).

    :param engine: the row's speaker.engine
    :param voice: its speaker.voice (eSpeak NG: "en-gb-x-rp+m2", the variant after "+" changes the
        sound, not the phonemes; MBROLA: "mb-de4-en", whose first language the library knows)
    """
    if engine == "espeak":
        candidates = [voice.split("+")[0]]
    elif engine == "mbrola":
        candidates = mbrola_languages(voice)
    else:
        return None
    return next((c for c in candidates if c and _library_has(c)), None)


class VoicePronunciations:
    """ARPAbet pronunciations of words as an eSpeak NG voice says them; remembered per (voice, word)."""

    def __init__(self):
        self._known: dict[tuple[str, str], str | None] = {}

    def arpabet(self, voice: str, word: str) -> str | None:
        """`word` as eSpeak NG voice `voice` (`espeak_voice`) says it, in ARPAbet; None where it cannot be mapped."""
        key = (voice, word)
        if key not in self._known:
            library = _library()
            self._known[key] = arpabet_of_ipa(library.ipa(word, voice)) if library is not None else None
        return self._known[key]
