"""Forced alignment: word times for engines that give none, from the audio and its transcript.

pocketsphinx 5 (its wheel ships the US English acoustic model and CMU dictionary) aligns the
transcript to the clean render: `set_align_text` builds a grammar that is exactly the transcript's
words in order, with optional silence and noise fillers between them, and the Viterbi path through
it gives each word its frames (10 ms each). Fillers (<sil>, [NOISE], ...) are dropped.

Why these decoder settings: with pocketsphinx's defaults (bestpath on, beams 1e-48) the final
state of the grammar is often pruned away on synthetic speech ("Final result does not match the
grammar") and nothing comes back: 4 of 5 short eSpeak NG sentences failed. The bestpath pass
re-searches a lattice that the alignment grammar does not need; without it, and with beams wide
open (1e-300: keep nearly every path; cheap, since the grammar is one sentence), every test
sentence aligns. No language model is loaded (alignment needs none), so a decoder builds in ~0.1 s;
still, one is built per process and reused (`aligner()`).

Words the CMU dictionary lacks get a pronunciation, in this order:
1. eSpeak NG's own (espeak_TextToPhonemes, US English, the library `espeakng-loader` ships), its
   phoneme names mapped to ARPAbet by `ESPEAK_TO_ARPABET`. The time is then measured from the
   audio like any other word's; the entry carries `"pronunciation": "espeak"`. Forcing every word
   through this route aligns as well as the dictionary does (benchmarks/aligner_error.py: median
   start error 13 ms against 12 ms on eSpeak NG en-us, the same on Piper joe).
2. If eSpeak NG gives a phoneme the table lacks (none did in 4000 sampled dictionary words) or
   cannot be loaded: a letter-by-letter guess (`letter_phones`). The word is still aligned, but
   with a guessed pronunciation its boundaries are only roughly right (p90 error 136 ms against
   48 ms when forced on every word), so the entry carries `"estimated": true` and
   `"pronunciation": "letters"`.
Which route a word took is remembered per decoder, so a word's label never depends on what this
process aligned before (the dictionary only grows, and only with pure functions of the word).
`Aligner(pronunciations=...)` forces a route, to measure it.

When the main decoder finds no path (seen only with letter-guessed pronunciations), a second one
without filler words tries: it always finds a path here, but cannot model a pause between words
(the pause is absorbed by a neighbour), so every word it times is marked `"estimated": true`.

Known limit: a forced aligner always fits the transcript it is given; it does not tell a wrong
transcript from a right one (that is the ASR check's job, synth/asr_check.py). On eSpeak NG's
formant voices it now and then hears a pause inside connected speech and squeezes the words
before it (1% of words more than 100 ms off on en-us, 6% on en-gb-scotland+m2).

Determinism: the cepstral mean is reset before each utterance and the whole utterance is decoded
at once (batch CMN), so the same (audio, rate, transcript) gives the same times in any process,
whatever was aligned before. Silence-only audio, or audio too short to hold the transcript's
phones, is refused before decoding (an aligner would otherwise happily stretch words over silence).

    from synth.align import align
    result = align(audio, sample_rate, "turn off the lights")
    result.words   # [{"word", "start", "end", "source": "aligner", ...}] or None
    result.reason  # why not, when words is None
"""

from __future__ import annotations

import ctypes
import functools
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass

import numpy as np

from synth.audio_io import resample, to_pcm16

log = logging.getLogger(__name__)

ALIGN_RATE = 16000  # the shipped acoustic model's rate
FRAME_S = 0.01  # pocketsphinx's frame shift (frate 100)
MIN_FRAMES_PER_PHONE = 3  # three-state HMMs without skips: a phone lasts at least 3 frames
SPEECH_FLOOR_DBFS = -50.0  # no 10 ms frame louder than this: there is no speech to align
DECODER_OPTIONS = {
    "samprate": ALIGN_RATE,
    "lm": None,  # alignment needs no language model; loading none makes the decoder fast to build
    "loglevel": "FATAL",
    "bestpath": False,
    "beam": 1e-300,
    "pbeam": 1e-300,
    "wbeam": 1e-300,
}

# eSpeak NG's English phoneme names (ph_english, ph_english_us) -> CMU ARPAbet, as the US English
# acoustic model knows them. Flaps and glottal stops are spoken where CMU writes T or D.
ESPEAK_TO_ARPABET = {
    "p": "P",
    "b": "B",
    "t": "T",
    "d": "D",
    "k": "K",
    "g": "G",
    "f": "F",
    "v": "V",
    "T": "TH",
    "D": "DH",
    "s": "S",
    "z": "Z",
    "S": "SH",
    "Z": "ZH",
    "h": "HH",
    "m": "M",
    "n": "N",
    "N": "NG",
    "l": "L",
    "r": "R",
    "j": "Y",
    "w": "W",
    "tS": "CH",
    "dZ": "JH",
    "t#": "T",
    "d#": "D",
    "?": "T",
    "x": "K",
    "C": "HH",
    "r-": "R",
    "n-": "AH N",
    "m-": "AH M",
    "l-": "AH L",
    "@L": "AH L",
    "a": "AE",
    "a#": "AE",
    "aa": "AE",
    "A:": "AA",
    "A": "AA",
    "A@": "AA R",
    "0": "AA",
    "O": "AO",
    "O:": "AO",
    "O@": "AO R",
    "o@": "AO R",
    "o": "OW",
    "oU": "OW",
    "OI": "OY",
    "aI": "AY",
    "aI@": "AY ER",
    "aI3": "AY ER",
    "aU": "AW",
    "aU@": "AW ER",
    "@": "AH",
    "@2": "AH",
    "@5": "AH",
    "V": "AH",
    "3": "ER",
    "3:": "ER",
    "@r": "ER",
    "e": "EH",
    "E": "EH",
    "E2": "EH",
    "e@": "EH R",
    "eI": "EY",
    "i": "IY",
    "i:": "IY",
    "i@": "IH R",
    "i@3": "IH R",
    "I": "IH",
    "I2": "IH",
    "I#": "IH",
    "U": "UH",
    "U@": "UH R",
    "u:": "UW",
    "u": "UW",
}
_ESPEAK_MARKS = "',%=!"  # stress and emphasis marks eSpeak NG puts before a phoneme name
_ESPEAK_PAUSES = {"", ";", "|", "||", ":"}  # clause and pause marks: not phonemes

# Letter-by-letter guesses, longest spelling first; only for words eSpeak NG cannot help with.
_LETTER_PHONES = [
    ("tch", "CH"),
    ("th", "TH"),
    ("sh", "SH"),
    ("ch", "CH"),
    ("ng", "NG"),
    ("ph", "F"),
    ("ck", "K"),
    ("qu", "K W"),
    ("wh", "W"),
    ("ee", "IY"),
    ("ea", "IY"),
    ("oo", "UW"),
    ("ou", "AW"),
    ("ai", "EY"),
    ("ay", "EY"),
    ("oa", "OW"),
    ("oi", "OY"),
    ("oy", "OY"),
    ("a", "AE"),
    ("b", "B"),
    ("c", "K"),
    ("d", "D"),
    ("e", "EH"),
    ("f", "F"),
    ("g", "G"),
    ("h", "HH"),
    ("i", "IH"),
    ("j", "JH"),
    ("k", "K"),
    ("l", "L"),
    ("m", "M"),
    ("n", "N"),
    ("o", "AA"),
    ("p", "P"),
    ("q", "K"),
    ("r", "R"),
    ("s", "S"),
    ("t", "T"),
    ("u", "AH"),
    ("v", "V"),
    ("w", "W"),
    ("x", "K S"),
    ("y", "Y"),
    ("z", "Z"),
]
_FILLER = re.compile(r"^(<.*>|\[.*\]|\+.*\+)$")  # <s> </s> <sil> [NOISE] [SPEECH] +NSN+
_ALT_PRON = re.compile(r"\(\d+\)$")  # "word(2)": the dictionary's second pronunciation


@dataclass(frozen=True)
class Alignment:
    """`words` (one entry per transcript word, in order) or None, and then `reason` says why."""

    words: list[dict] | None
    reason: str | None = None


def letter_phones(word: str) -> str:
    """A crude ARPAbet guess from the spelling: enough to give the word frames, not a pronunciation."""
    letters = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if "a" <= c <= "z")
    letters = re.sub(r"(.)\1+", r"\1", letters)  # "ll" is one L
    if len(letters) > 2 and letters.endswith("e") and letters[-2] not in "aeiou":
        letters = letters[:-1]  # a silent final e
    phones, i = [], 0
    while i < len(letters):
        spelling, phone = next((s, p) for s, p in _LETTER_PHONES if letters.startswith(s, i))
        if spelling == "y" and i == len(letters) - 1 and i > 0:
            phone = "IY"  # "happy"
        phones.append(phone)
        i += len(spelling)
    return " ".join(phones) or "AH"


@functools.cache
def _phonemizing_library() -> ctypes.CDLL:
    """libespeak-ng, initialized once per process: every EspeakPhonemes shares it (the library has one
    global state; a second espeak_Initialize frees the phoneme tables the first one's voice uses)."""
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    # AUDIO_OUTPUT_SYNCHRONOUS, no buffer, the package's data, don't exit on error
    if lib.espeak_Initialize(2, 0, espeakng_loader.get_data_path().encode(), 0x8000) <= 0:
        raise RuntimeError("eSpeak NG failed to initialize")
    return lib


class EspeakPhonemes:
    """eSpeak NG's phonemes for one word, in-process. Only text-to-phoneme translation is used
    (dictionary lookups and spelling rules, a pure function of the word): none of the wave
    generator's state that makes in-process synthesis nondeterministic is touched."""

    def __init__(self, voice: str = "en-us"):
        self._lib, self._voice = _phonemizing_library(), voice.encode()
        self._select_voice()

    def _select_voice(self, voice: bytes | None = None) -> None:
        if self._lib.espeak_SetVoiceByName(voice or self._voice) != 0:
            raise RuntimeError(f"eSpeak NG has no voice {(voice or self._voice).decode()!r}")

    def _translate(self, word: str, ipa: bool, voice: str | None = None) -> list[str]:
        # Selected again each time: another user of the same library in this process may have switched
        # voices, and the phonemes must not depend on that (~3 ms, once per unknown word per process).
        self._select_voice(voice.encode() if voice else None)
        text = ctypes.create_string_buffer(word.encode("utf-8"))
        pointer = ctypes.c_void_p(ctypes.addressof(text))
        names: list[str] = []
        while pointer.value:  # the call advances the pointer clause by clause, to NULL at the end
            # textmode 1: UTF-8; phonememode: eSpeak names (bit 1 clear) or IPA (bit 1 set), '_' between
            # phonemes (bits 8-23)
            out = self._lib.espeak_TextToPhonemes(ctypes.byref(pointer), 1, (ord("_") << 8) | (2 if ipa else 0))
            names += (out or b"").decode("utf-8").replace(" ", "_").split("_")
        return names

    def names(self, word: str) -> list[str]:
        """eSpeak NG phoneme names of `word`, stress marks removed ("priya" -> p r I j @)."""
        names = [n.lstrip(_ESPEAK_MARKS) for n in self._translate(word, ipa=False)]
        return [n for n in names if n not in _ESPEAK_PAUSES]

    def ipa(self, word: str, voice: str) -> list[str]:
        """`word`'s phonemes in IPA as eSpeak NG voice `voice` (e.g. "en-gb-x-rp") says it, stress marks
        removed ("car" in en-gb-x-rp -> k ɑː; in en-us -> k ɑːɹ). Unlike the phoneme names, which
        every English voice shares, the IPA is what the voice's own phoneme table realizes."""
        names = [n.replace("ˈ", "").replace("ˌ", "") for n in self._translate(word, ipa=True, voice=voice)]
        return [n for n in names if n]

    def arpabet(self, word: str) -> str | None:
        """The ARPAbet pronunciation, or None when eSpeak NG gives a phoneme the table lacks."""
        phones = [_arpabet_of(n) for n in self.names(word)]
        if not phones or None in phones:
            return None
        return " ".join(phones)


def _arpabet_of(name: str) -> str | None:
    """ARPAbet for one eSpeak NG phoneme name; variants ("O2", "t2", "@-", "i::") as their base phoneme."""
    for candidate in (name, name.rstrip("0123456789-"), name.rstrip(":") + ":", name.rstrip(":")):
        if candidate in ESPEAK_TO_ARPABET:
            return ESPEAK_TO_ARPABET[candidate]
    return None


PRONUNCIATIONS = {
    "auto": "the CMU dictionary's, else eSpeak NG's, else a letter guess (the default)",
    "no-espeak": "the CMU dictionary's, else a letter guess",
    "espeak": "eSpeak NG's for every word, else a letter guess (to measure that route)",
    "letters": "a letter guess for every word (to measure that route)",
}


class Aligner:
    """One pocketsphinx decoder and the pronunciations it was given; `align` serializes calls."""

    def __init__(self, pronunciations: str = "auto"):
        from pocketsphinx import Decoder

        if pronunciations not in PRONUNCIATIONS:
            raise ValueError(f"unknown pronunciations {pronunciations!r}; valid: {', '.join(PRONUNCIATIONS)}")
        self.pronunciations = pronunciations
        self._decoder = Decoder(**DECODER_OPTIONS)
        self._plain: object | None = None  # a decoder without fillers, built when first needed (see _decode)
        # False: not tried yet; None: unavailable or not wanted
        self._espeak: EspeakPhonemes | None | bool = None if pronunciations in ("no-espeak", "letters") else False
        self._keys: dict[str, tuple[str, str]] = {}  # word -> (its key in the decoder's dictionary, route)
        self._lock = threading.Lock()

    def _espeak_phonemes(self) -> EspeakPhonemes | None:
        if self._espeak is False:
            try:
                self._espeak = EspeakPhonemes()
            except (ImportError, OSError, RuntimeError) as error:
                log.warning("eSpeak NG pronunciations unavailable (%s); unknown words get letter guesses", error)
                self._espeak = None
        return self._espeak

    def _pronounce(self, word: str) -> tuple[str, str]:
        """Make sure the decoder can say `word`: (the dictionary key to align, route "dict" | "espeak" |
        "letters"). Remembered, so a word takes the same route whatever this process aligned before."""
        if word in self._keys:
            return self._keys[word]
        forced = self.pronunciations in ("espeak", "letters")
        if not forced and self._decoder.lookup_word(word) is not None:
            self._keys[word] = (word, "dict")
            return self._keys[word]
        espeak = self._espeak_phonemes()
        phones = espeak.arpabet(word) if espeak is not None else None
        route = "espeak" if phones else "letters"
        # A forced route gets a key of its own: the dictionary's entry for the word must not be used.
        key = f"{word}@{route}" if forced else word
        try:
            self._decoder.add_word(key, phones or letter_phones(word), True)
        except RuntimeError:
            if route == "letters":
                raise
            route = "letters"  # a phone the acoustic model lacks: fall back to the spelling
            key = f"{word}@{route}" if forced else word
            self._decoder.add_word(key, letter_phones(word), True)
        self._keys[word] = (key, route)
        return self._keys[word]

    def _plain_decoder(self, keys: list[str]):
        """The fallback decoder: no filler words, so no pause between words can be modelled; it finds
        a path where the main one sometimes cannot (seen with letter-guessed pronunciations)."""
        from pocketsphinx import Decoder

        if self._plain is None:
            self._plain = Decoder(**DECODER_OPTIONS, fsgusefiller=False)
        for key in dict.fromkeys(keys):  # the same pronunciations as the main decoder's
            if self._plain.lookup_word(key) is None:
                self._plain.add_word(key, self._decoder.lookup_word(key), True)
        return self._plain

    def align(self, audio: np.ndarray, sample_rate: int, transcript: str) -> Alignment:
        words = transcript.split()
        if not words:
            return Alignment(None, "empty transcript: nothing to align")
        bad = [w for w in words if not any(c.isalpha() for c in w)]
        if bad:
            return Alignment(None, f"transcript words without letters cannot be pronounced: {bad}")
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim != 1:
            return Alignment(None, f"audio must be mono (1-D); got shape {audio.shape}")
        duration = len(audio) / sample_rate
        pcm = to_pcm16(resample(audio, sample_rate, ALIGN_RATE))
        if not _has_speech(pcm):
            return Alignment(None, f"no speech in the audio: every 10 ms frame is below {SPEECH_FLOOR_DBFS:g} dBFS")
        with self._lock:
            try:
                known = {w: self._pronounce(w) for w in dict.fromkeys(words)}
            except RuntimeError as error:
                return Alignment(None, f"could not give the decoder a pronunciation: {error}")
            keys = [known[w][0] for w in words]
            phones = sum(len(self._decoder.lookup_word(k).split()) for k in keys)
            if len(pcm) < phones * MIN_FRAMES_PER_PHONE * FRAME_S * ALIGN_RATE:
                return Alignment(None, f"{duration:.2f} s of audio is too short for the transcript's {phones} phones")
            spoken = _decode(self._decoder, pcm, keys)
            retried = spoken is None
            if retried:
                spoken = _decode(self._plain_decoder(keys), pcm, keys)
        if spoken is None:
            return Alignment(None, "the decoder found no path through the transcript, with or without pauses")
        result = []
        for word, (_, first, last) in zip(words, spoken):
            route = known[word][1]
            # Frames are 10 ms from the first sample; the last frame may run past the audio's end.
            start = round(min(first * FRAME_S, duration - 0.001), 3)
            end = round(min((last + 1) * FRAME_S, duration), 3)
            entry = {"word": word, "start": start, "end": max(end, start + 0.001), "source": "aligner"}
            if route != "dict":
                entry["pronunciation"] = route
            if route == "letters" or retried:
                entry["estimated"] = True
            result.append(entry)
        return Alignment(result)


def _decode(decoder, pcm: np.ndarray, keys: list[str]) -> list[tuple[str, int, int]] | None:
    """(key, first frame, last frame) per transcript word, fillers dropped; None when no path was found."""
    # A fresh cepstral mean per utterance: the result must not depend on what came before.
    decoder.reinit_feat()
    decoder.set_align_text(" ".join(keys))
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    segments = [(_ALT_PRON.sub("", s.word), s.start_frame, s.end_frame) for s in decoder.seg() or []]
    spoken = [s for s in segments if not _FILLER.match(s[0])]
    return spoken if [s[0] for s in spoken] == keys else None


def _has_speech(pcm: np.ndarray) -> bool:
    hop = int(ALIGN_RATE * FRAME_S)
    n = len(pcm) // hop
    if n == 0:
        return False
    frames = pcm[: n * hop].astype(np.float64).reshape(n, hop) / 32768.0
    loudest = float(np.sqrt(np.mean(frames**2, axis=1)).max())
    return loudest > 10 ** (SPEECH_FLOOR_DBFS / 20)


_ALIGNER: Aligner | None = None
_ALIGNER_LOCK = threading.Lock()


def aligner() -> Aligner:
    """This process's aligner, built on first use (each worker process gets its own)."""
    global _ALIGNER
    with _ALIGNER_LOCK:
        if _ALIGNER is None:
            _ALIGNER = Aligner()
        return _ALIGNER


def align(audio: np.ndarray, sample_rate: int, transcript: str) -> Alignment:
    """Word times for `transcript` (lowercase words separated by spaces) in `audio` (float mono)."""
    return aligner().align(audio, sample_rate, transcript)


def align_words(audio: np.ndarray, sample_rate: int, transcript: str) -> list[dict] | None:
    """`align(...).words`; when that is None, the reason is logged (use `align` to read it)."""
    result = align(audio, sample_rate, transcript)
    if result.words is None:
        log.info("no word times for %r: %s", transcript, result.reason)
    return result.words
