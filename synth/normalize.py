"""Turn a prompt as written into the words the TTS voice will say.

The corpus label must be exactly what the voice said, so we never let eSpeak NG
expand anything itself: we hand it an already-spoken form (no digits, symbols or
abbreviations) and derive the transcript from the very same tokens. The one-to-one
token mapping between ``spoken`` and ``transcript`` is what lets the engine map
word events back to label words.

When the text holds something we cannot say with confidence (emoji, other
scripts, stray symbols) we raise rather than drop it: a dropped word would make
the label lie about the audio.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from synth.letter_runs import join_letters
from synth.normalize_abbreviations import expand_abbreviations
from synth.normalize_address import expand_addresses
from synth.normalize_codes import expand_codes
from synth.normalize_letters import check_letters, check_markup, check_notation, split_mixed_case
from synth.normalize_names import roman_one
from synth.normalize_numbers import LETTER_MARK, STATES, cardinal, expand_numbers, ordinal
from synth.normalize_spell import LETTER_JOIN, EmptyPrompt, NormalizationError
from synth.normalize_web import expand_web
from synth.normalize_weekdays import expand_weekdays

__all__ = ["SpokenForm", "NormalizationError", "EmptyPrompt", "to_spoken", "spoken_words", "LETTER_STYLES"]

SENTENCE_PUNCT = ",.?!;:"
_STRIP = SENTENCE_PUNCT + '"'


# How a transcript writes the letters of one initialism ("7 pm", "USA"): one word per letter name, lowercase
# ("p m", the default: one label word per engine word), or one capitalised word ("PM", NeMo's and most
# written-form recognizers' convention; upper case marks it as spelled, so synth.letter_runs can undo it).
LETTER_STYLES = ("spaced", "joined")


def check_letter_style(style: str) -> str:
    """``style`` if it is one of LETTER_STYLES; a ValueError naming the valid ones otherwise."""
    if style not in LETTER_STYLES:
        raise ValueError(f"normalize.letters must be one of {', '.join(LETTER_STYLES)}; got {style!r}")
    return style


@dataclass(frozen=True)
class SpokenForm:
    spoken: str  # fed to the TTS engine
    transcript: str  # ASR label: lowercase words, one per spoken token (letters="joined": one per initialism)
    # Per spoken token: whether it is a letter name continuing the one before it in one written initialism.
    joins: tuple[bool, ...] = ()
    letters: str = "spaced"  # the LETTER_STYLES entry ``transcript`` is written in

    @property
    def aligned(self) -> str:
        """The transcript with one word per spoken token (the ``spaced`` style), what engines' word events,
        the forced aligner and the ASR check line up with."""
        return " ".join(spoken_words(self.spoken))

    def with_letters(self, style: str) -> SpokenForm:
        """This reading with its transcript in letter style ``style`` (one of LETTER_STYLES)."""
        check_letter_style(style)
        words = spoken_words(self.spoken)
        transcript = " ".join(join_letters(words, self.joins) if style == "joined" else words)
        return SpokenForm(self.spoken, transcript, self.joins, style)


def spoken_words(spoken: str) -> list[str]:
    """The label word for each whitespace token of ``spoken``, index for index."""
    return [tok.strip(_STRIP).lower() for tok in spoken.split()]


# --- cleaning -----------------------------------------------------------------

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2039": '"',
        "\u203a": '"',
        "\u02bc": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u2014": " , ",
        "\u2015": " , ",
        # Marks nobody reads aloud; NFKC would otherwise turn "™" into the letters "TM".
        "\u2122": " ",
        "\u00ae": " ",
        "\u00bf": " ",
        "\u00a1": " ",
        "\u00a9": " copyright ",
        "\u00ba": "\u00b0",  # "45º": in English text the ordinal indicator stands for the degree sign
        "\u00b2": " squared ",
        "\u00b3": " cubed ",
    }
)

# Characters the passes below know how to read or remove. Anything else that is
# not a Latin letter or ASCII digit is refused up front with a precise message.
_HANDLED = set(" ,.?!;:'\"-()[]{}/\\&+=@#%°º$£€¥₩¢~<>*_|•·§×÷±")


@functools.lru_cache(maxsize=4096)  # a pure test of one character, asked ~60 times a prompt
def _is_latin_letter(c: str) -> bool:
    return c.isalpha() and "LATIN" in unicodedata.name(c, "") and c.lower().isalpha()


def _unsupported(c: str, why: str = "prompts must be English text") -> NormalizationError:
    return NormalizationError(f"unsupported character {c!r} (U+{ord(c):04X}); {why}")


def _clean(text: str) -> str:
    text = text.translate(_CHAR_MAP)
    # Vulgar fractions keep a space before them so "1½" reads as "1 1/2", not "11/2".
    if not text.isascii():  # no ASCII character is a vulgar fraction
        text = "".join(
            f" {unicodedata.normalize('NFKC', c).replace(chr(0x2044), '/')} "
            if "VULGAR FRACTION" in unicodedata.name(c, "")
            else c
            for c in text
        )
    text = unicodedata.normalize("NFKC", text).translate(_CHAR_MAP)
    # Whitespace controls separate words; every other control/format/private-use
    # character is invisible and carries no speech.
    text = "".join(
        " " if c.isspace() else c for c in text if c.isspace() or not unicodedata.category(c).startswith("C")
    )
    # An en dash in a range, also after a time ("9AM\u20135PM").
    text = re.sub(r"(?:(?<=[0-9])|(?<=[0-9][AaPp][Mm])|(?<=[AaPp]\.[Mm]\.))\s?\u2013\s?(?=[0-9$£€¥])", "-", text)
    text = text.replace("\u2013", " , ").replace("''", '"')
    text = re.sub(r"'{2,}", "'", text)
    for c in text:
        if not (c in _HANDLED or "0" <= c <= "9" or _is_latin_letter(c)):
            raise _unsupported(c)
    return " ".join(text.split())


# --- symbols and punctuation ------------------------------------------------------

_SYMBOL_WORDS = {
    "&": "and",
    "+": "plus",
    "=": "equals",
    "@": "at",
    "%": "percent",
    "°": "degrees",
    "×": "times",
    "÷": "divided by",
    "±": "plus or minus",
    "§": "section",
    "<": "less than",
    ">": "greater than",
    "#": "hash",
    # A currency sign without an amount is named ("$ and %", "test$").
    "$": "dollar",
    "€": "euro",
    "£": "pound",
    "¥": "yen",
    "₩": "won",
    "¢": "cent",
}
_SYMBOL_RULES = [
    # Quotes, emphasis marks and underscores frame words but are never spoken.
    (re.compile(r'["*_]'), " "),
    (re.compile(r"[()\[\]{}|•·]"), " , "),
    (re.compile(r"\band/or\b"), "and or"),
    (re.compile(r"/"), " slash "),  # "upgrade/update", "file:///": the slash is said, never dropped
    (re.compile(r"\\"), " backslash "),
    (re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])"), " "),  # well-known
    (re.compile(r"\s-+\s|-{2,}"), " , "),  # a spaced dash is a pause
    (re.compile(r"-"), " "),
    (re.compile(r"(?<=[a-z]{2})\.(?=[A-Z][a-z])"), ". "),  # missing space after a sentence
    (re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])"), " dot "),  # file.txt
    (re.compile("[" + re.escape("".join(_SYMBOL_WORDS)) + "]"), lambda m: f" {_SYMBOL_WORDS[m.group(0)]} "),
]


# --- words ----------------------------------------------------------------------

# Acronyms said as words. Everything else of 2-5 capitals is spelled out.
_PRONOUNCED = {
    "NASA": "nasa",
    "NATO": "nato",
    "UNESCO": "unesco",
    "UNICEF": "unicef",
    "SCUBA": "scuba",
    "LASER": "laser",
    "RADAR": "radar",
    "SONAR": "sonar",
    "AIDS": "aids",
    "PIN": "pin",
    "GIF": "gif",
    "JPEG": "jpeg",  # eSpeak NG says it "jay peg"
    "JPG": "jpeg",  # the same format, said the same way
    "jpg": "jpeg",
    "COVID": "covid",
    "OPEC": "opec",
    "FIFA": "fifa",
    "NAFTA": "nafta",
    "SWAT": "swat",
    "IKEA": "ikea",
    "ZIP": "zip",
    "OK": "okay",
    "Ok": "okay",
    "ok": "okay",
}  # eSpeak says "okay"
# Short words often written in capitals for emphasis or on signs ("STOP", "DO
# NOT ENTER"); treated as words rather than spelled.
_CAPS_WORDS = set(
    """
A AN THE AND OR BUT NOT NO YES TO OF IN ON AT BY FOR FROM WITH UP OUT OFF OVER SO IF AS IS BE
DO GO HE SHE WE YOU ME MY US IT ITS AM ARE WAS HAS HAD HAVE WILL CAN GET GOT LET PUT SAY SEE
WHO WHY HOW WHAT WHEN WHERE THIS THAT THEM THEY THEIR THERE HERE YOUR OUR HIS HER HIM ALL ANY
ONE TWO SIX TEN NEW OLD BIG HOT COLD GOOD BEST GREAT LAST FIRST NEXT MORE MOST VERY JUST ONLY
ALSO BACK NOW EVER NEVER STOP HELLO HELP FREE SALE OPEN EXIT NOTE WAIT LOOK KEEP PUSH PULL
ENTER READ FIRE NEWS ALERT LIVE DONE YEAH HEY HI BYE RIGHT LEFT HOME DEAD MOVE RUN HURRY
TODAY NIGHT GAME WIN LOSE SOLD LOVE HATE SORRY THANK THANKS WOW MUST LIKE MAKE TAKE COME KNOW
TIME SOME EACH BEEN WERE SAID WOULD COULD ABOUT WHICH THESE THOSE THEN THAN WELL DOWN AWAY
""".split()
)
# Also common abbreviations ("US", "IT", "AM", "OR"...): words only in shouted text.
_AMBIGUOUS_CAPS = {"US", "IT", "AM", "OR", "IN", "ME", "HI", "OH", "ID", "AT", "WHO"}
# Spelled even inside shouted text, where other capitalised words are words.
_KNOWN_ACRONYMS = set(
    """
FBI CIA NSA USA UK EU UN TV BBC CNN NBA NFL NHL MLB CEO CFO CTO DNA RNA GPS USB PDF URL ATM
DIY FAQ VIP RSVP ASAP IBM NYC LA DC UFO IQ PC CD DVD SUV HIV MIT UCLA NYU BMW NPR HBO ESPN
AI API CPU GPU IRS DMV EPA FDA CDC ICU ER PR HR IT ID
""".split()
)
# Words before a Roman numeral that make it a plain number ("World War II").
_ROMAN_CARDINAL_CUES = {
    "war",
    "chapter",
    "part",
    "volume",
    "vol",
    "act",
    "scene",
    "phase",
    "type",
    "class",
    "level",
    "stage",
    "section",
    "book",
    "episode",
    "season",
    "round",
    "title",
    "article",
    "grade",
    "mark",
    "apollo",
    "bowl",
}
# Words before a capital "A" that make it the letter ("plan A", "the A train").
_LETTER_A_BEFORE = {
    "plan",
    "grade",
    "vitamin",
    "type",
    "class",
    "option",
    "section",
    "part",
    "letter",
    "row",
    "block",
    "gate",
    "terminal",
    "exhibit",
    "appendix",
    "category",
    "level",
    "group",
    "size",
    "model",
    "side",
    "track",
    "unit",
    "building",
    "floor",
    "platform",
    "zone",
    "point",
    "capital",
    "big",
    "the",
    "an",
    "answer",
    "choice",
    "question",
    "square",
    "uppercase",
    "lowercase",
}
_LETTER_A_AFTER = {
    "and",
    "or",
    "to",
    "through",
    "thru",
    "is",
    "was",
    "minus",
    "plus",
    "versus",
    "vs",
    "list",
    "grade",
    "grades",
}
_VOWELS = set("aeiouyAEIOUY")
_MARKS = LETTER_MARK + LETTER_JOIN  # a letter name one pass spelled: later passes must not re-read it
# eSpeak says these vowelless words as words; any other vowelless token it spells.
_VOWELLESS_WORDS = re.compile(r"h+m+|psst|tsk|cwm", re.I)


def _has_vowel(word: str) -> bool:
    return bool(set(unicodedata.normalize("NFD", word)) & _VOWELS)  # "été" has vowels


def _roman(s: str, wide: bool = False) -> int | None:
    # Only I, V and X: "CD", "DC", "MC", "LCD" are far more often acronyms. ``wide`` (after a cue word such
    # as "Part") also takes L and C, up to 399 ("PART XL").
    form = r"C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})" if wide else r"X{0,3}(IX|IV|V?I{0,3})"
    if len(s) < 2 or not re.fullmatch(form, s):
        return None
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for a, b in zip(s, s[1:] + " "):
        total += -values[a] if values.get(b, 0) > values[a] else values[a]
    return total


def _is_caps(w: str) -> bool:
    return len(w) >= 2 and w.isalpha() and w.isupper()


def _is_shouted(cores: list[str]) -> bool:
    """Whether the prompt is written in capitals throughout ("DO NOT ENTER")."""
    words = [c for c in cores if len(c) >= 2 and c.isalpha()]
    caps = sum(map(_is_caps, words))
    return caps >= 2 and caps >= 0.6 * len(words)


def _say_word(core: str, prev: str | None, nxt: str | None, has_punct: bool, shouted: bool) -> list[tuple[str, bool]]:
    """Spoken pieces for one written word, each flagged True when it is a letter name."""
    if core[:1] in _MARKS:
        return [(core[1:], True)]
    parts = split_mixed_case(core)
    if parts:  # "iOS" -> letters I O S, "eBay" -> letter E + "Bay": as eSpeak NG says them
        return [
            piece
            for part in parts
            for piece in ([(part.upper(), True)] if len(part) == 1 else _say_word(part, None, None, False, shouted))
        ]
    base, plural = core, ""
    m = re.fullmatch(r"([A-Z]{2,})('s|s)", core)
    if m and m.group(1) not in _CAPS_WORDS:
        base, plural = m.group(1), "'s"  # "CDs", "FBI's": eSpeak reads "D's" as "dees"
    if base in _PRONOUNCED:
        return [(w, False) for w in (_PRONOUNCED[base] + plural).split()]
    roman = _roman(core)
    cued = prev is not None and prev.lower() in _ROMAN_CARDINAL_CUES
    if cued and _roman(core, wide=True):
        return [(w, False) for w in cardinal(_roman(core, wide=True)).split()]  # "World War II", "PART XL"
    if roman and prev and prev[0].isupper() and not _is_caps(prev):
        return [(w, False) for w in ("the " + ordinal(roman)).split()]  # "Henry VIII"
    if len(core) == 1:
        if core == "A":
            letter = (
                has_punct
                or nxt is None
                or (prev or "").lower() in _LETTER_A_BEFORE
                or nxt.lower() in _LETTER_A_AFTER
                or len(nxt.lstrip(_MARKS)) == 1
            )
            return [("A", True)] if letter else [("a", False)]
        return [(core, core.isupper() and core != "I")]
    if core.isalpha() and not _has_vowel(core) and not _VOWELLESS_WORDS.fullmatch(core):
        return _spell(base, plural)
    if _is_caps(base):
        if len(base) >= 6 or (base in _CAPS_WORDS and base not in _AMBIGUOUS_CAPS):
            return [(core.lower(), False)]
        if shouted and base not in _KNOWN_ACRONYMS and (base in _CAPS_WORDS or len(base) >= 3):
            return [(core.lower(), False)]
        return _spell(base, plural)
    return [(core, False)]


def _spell(base: str, plural: str) -> list[tuple[str, bool]]:
    pieces = [(c.upper(), True) for c in base]
    pieces[-1] = (pieces[-1][0] + plural, True)
    return pieces


def _strip_quote_apostrophes(core: str) -> str:
    # Apostrophes at word edges are quote marks ('hello'), except the possessive
    # of a plural (James', dogs').
    lead = core.startswith("'")
    core = core.lstrip("'")
    if core.endswith("'") and (lead or not core[:-1].endswith(("s", "S"))):
        core = core.rstrip("'")
    return core


def _collapse_punct(run: str) -> str:
    for group in ("?!.", ";:"):
        for c in run:
            if c in group:
                return c
    return ","


def _words(text: str) -> list[tuple[str, str, bool, bool]]:
    """Split into (word, attached punctuation, is letter name, continues the letter name before it) tuples."""
    items: list[list[str]] = []  # [core, punct]
    for tok in re.findall(r"[,.?!;:]+|[^\s,.?!;:]+", text):
        if tok[0] in SENTENCE_PUNCT:
            if items:  # punctuation with no word before it carries no speech
                items[-1][1] += tok
            continue
        core = _strip_quote_apostrophes(tok)
        if core:  # a lone quote mark is not a word
            items.append([core, ""])
    cores = [c for c, _ in items]
    shouted = _is_shouted(cores)
    out: list[tuple[str, str, bool, bool]] = []
    for i, (core, punct) in enumerate(items):
        prev = cores[i - 1] if i and not items[i - 1][1] else None
        nxt = cores[i + 1] if i + 1 < len(cores) and not punct else None
        opens = i < 2 or any(c in items[i - 2][1] for c in ".?!:")
        one = roman_one(prev, nxt, punct, opens, _ROMAN_CARDINAL_CUES) if core == "I" else None
        pieces = [(w, False) for w in one] if one else _say_word(core, prev, nxt, bool(punct), shouted)
        for j, (word, is_letter) in enumerate(pieces):
            last = j == len(pieces) - 1
            # One written word's letters ("USA", "https") form one initialism, as do the letters one pass
            # spelled together ("p.m." -> LETTER_MARK P, LETTER_JOIN M); punctuation between them ends it.
            after_letter = bool(out) and out[-1][2] and not out[-1][1]
            joins = is_letter and after_letter and (j > 0 or core.startswith(LETTER_JOIN))
            out.append((word, _collapse_punct(punct) if last and punct else "", is_letter, joins))
    return out


def _check_word(word: str) -> None:
    for c in word:
        if not (_is_latin_letter(c) or c == "'"):
            raise _unsupported(c, "it has no spoken form here; write it out in words")
    if word.startswith("'") or "''" in word:
        raise NormalizationError(f"cannot speak {word!r}: stray apostrophe")


def to_spoken(text: str, date_order: str = "auto") -> SpokenForm:
    """Normalize ``text`` into what the voice says and the matching label.

    Raises NormalizationError when the text is empty or contains something that
    cannot be said faithfully, or a reading the context cannot decide.

    :param date_order: numeric dates whose order the prompt does not settle
        (synth.normalize_dates.DATE_ORDERS: auto, mdy, dmy, reject).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    check_markup(text)
    check_notation(text)
    t = _clean(text)
    t = expand_web(t)
    t = expand_addresses(t, STATES)
    t = expand_codes(t)
    t = expand_weekdays(t)
    t = expand_numbers(t, date_order)
    t = expand_abbreviations(t)
    for pattern, repl in _SYMBOL_RULES:
        t = pattern.sub(repl, t)
    words = _words(t)
    if not words:
        raise EmptyPrompt("empty after normalization: the text has nothing to say")
    check_letters([w for w, *_ in words])
    tokens = []
    for i, (word, punct, is_letter, _) in enumerate(words):
        _check_word(word)
        if word == "A" and is_letter and not punct and i + 1 < len(words):
            # eSpeak reads a capital "A" followed by a word as the article "uh";
            # a comma after it is the only in-text way to get the letter name.
            punct = ","
        tokens.append(word + punct)
    if tokens[-1][-1] in ",;:":
        tokens[-1] = tokens[-1].rstrip(",;:")
    spoken = " ".join(tokens)
    return SpokenForm(spoken, " ".join(spoken_words(spoken)), tuple(j for *_, j in words))


def builtin_spoken_forms() -> list[SpokenForm]:
    """The built-in prompts that can be spoken, in spoken form (for babble, tests and benchmarks)."""
    from synth.prompts import Prompt, read_prompts

    forms = []
    for entry in read_prompts(None):
        if isinstance(entry, Prompt):
            try:
                forms.append(to_spoken(entry.text))
            except NormalizationError:
                pass
    return forms


def builtin_spoken_texts() -> list[str]:
    """The built-in prompts in the spoken form the engine is fed."""
    return [form.spoken for form in builtin_spoken_forms()]
