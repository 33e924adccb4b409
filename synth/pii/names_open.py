"""Personal names found without a list of names: from the words around them, their letter case, and
what the word libraries in synth.pii.vocab know about each word.

A name starts after a cue that takes a person ("call", "text", "invite", "remind", "tell", "with",
"send ... to", "my name is", "I'm", "this is", "my sister", a title), after another name in a list
("Invite Chidi Anagonye, Sigrid Haugen and Aoife Brennan"), or, in text written with capitals, as
capitalised words that are not ordinary English words ("who is Ngaio Marsh meeting"). Its words:
- in text with capitals (mixed case): capitalised words after the cue ("Call Hunter", even though
  "hunter" is a word), or name-like ones elsewhere;
- in lower-case or all-capitals text (ASR logs, shouted prompts): words that are not ordinary English
  words or that gender-guesser knows as given names, then surname-like words after the first.
Words in synth.pii.vocab.STOP end a name ("call Emre tonight", "text Mom"), and places right after
"in"/"to"/"from" are not taken for people when no cue says so.
"""

from __future__ import annotations

import functools
import re

from synth.pii import vocab
from synth.pii.found import Found
from synth.templates.data import places

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.I)

# Verbs (and nouns) whose object is a person: the words right after them are tried as a name.
PERSON_VERBS = frozenset(
    """
call ring phone dial text txt message msg sms email e-mail mail ping invite remind tell ask thank meet
meeting let warn pay contact notify inform page facetime greet congratulate introduce cc bcc wish
named called marry
""".split()
)
# Send-like verbs whose "to" introduces a person ("send the photos to Kofi"), up to five words back.
SEND_VERBS = frozenset(
    """
send sent write wrote forward give gave pass reply talk speak say hand deliver transfer owe lend return
show explain introduce email text message mail
""".split()
)
# "my sister Priyanka", "call my boss kenji watanabe": a relation word, then the name.
RELATIONS = frozenset(
    """
friend boss sister brother wife husband son daughter mom mum dad mother father aunt auntie uncle cousin
neighbour neighbor colleague coworker co-worker manager partner niece nephew grandson granddaughter
grandma grandpa grandmother grandfather girlfriend boyfriend fiance fiancé fiancee fiancée roommate
flatmate classmate client customer assistant nanny lawyer accountant therapist coach teacher doctor
dentist landlord landlady tenant
""".split()
)
TITLES = frozenset(
    "mr mrs ms mx miss dr prof doctor professor sir dame mister missus rev fr capt sgt gen lt col maj cpl pvt adm"
    " cmdr gov sen rep pres".split()
)  # a surname follows
KIN_TITLES = frozenset("aunt auntie uncle grandma grandpa nana".split())  # a given name follows
# Before a capitalised word with no cue, these make it a place or a thing, not a person.
_NOT_BEFORE_A_PERSON = frozenset(
    "in at to from of on near via around the a an this that st outside inside across through into onto toward"
    " towards past beyond between within over under behind".split()
)
_MAX_WORDS = 4


@functools.cache
def _place_pattern() -> re.Pattern:
    names = sorted(places(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in names) + r")(?!\w)", re.I)


class _Text:
    """The tokens of one text and what is known about each."""

    def __init__(self, text: str):
        self.text = text
        self.cased = any(c.islower() for c in text) and any(c.isupper() for c in text)
        self.toks = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        self.place_spans = [m.span() for m in _place_pattern().finditer(text)]

    def word(self, i: int) -> str:
        """Token i without a possessive "'s"."""
        return _POSSESSIVE.sub("", self.toks[i][0])

    def low(self, i: int) -> str:
        return self.word(i).lower() if 0 <= i < len(self.toks) else ""

    def end(self, i: int) -> int:
        """Where token i ends, before a possessive "'s"."""
        return self.toks[i][1] + len(self.word(i))

    def possessive(self, i: int) -> bool:
        return _POSSESSIVE.search(self.toks[i][0]) is not None

    def gap(self, i: int, j: int) -> str:
        """The text between token i and token j."""
        return self.text[self.toks[i][2] : self.toks[j][1]]

    def adjacent(self, i: int, j: int, period: bool = False) -> bool:
        gap = self.gap(i, j)
        return gap.isspace() or (period and gap[:1] == "." and gap[1:].isspace() or gap == ".")

    def sentence_start(self, i: int) -> bool:
        return i == 0 or re.search(r"[.!?:;\"(]\s*$", self.gap(i - 1, i)) is not None

    def in_place(self, i: int) -> bool:
        _, s, e = self.toks[i]
        return any(a <= s and e <= b for a, b in self.place_spans)

    def capitalised(self, i: int) -> bool:
        w = self.word(i)
        return w[:1].isupper() and not (len(w) > 1 and w.isupper())


def _may_start(t: _Text, i: int, strong: bool) -> bool:
    """Token i can be the first word of a name; ``strong``: a cue right before it takes a person."""
    low = t.low(i)
    if low in vocab.STOP or low in vocab.PARTICLES or low in TITLES or t.in_place(i):
        return False
    if t.cased:
        if not t.capitalised(i):
            return False
        return strong or vocab.name_like(low)
    return vocab.name_like(low) if strong else vocab.name_like(low) and vocab.given_name_gender(low) is not None


def _may_follow(t: _Text, i: int) -> bool:
    """Token i can continue a name already started (a surname, a second given name)."""
    low = t.low(i)
    if low in vocab.STOP or t.in_place(i):
        return False
    if t.cased:
        return t.capitalised(i)
    # lower case: "jamal washington" (no ordinary word), "kofi smith" (a listed surname); not "pharmacy"
    return vocab.name_like(low) or (not vocab.dictionary_word(low) and vocab.zipf(low) < 5.5) or _listed_surname(low)


def _listed_surname(low: str) -> bool:
    from synth.pii.names_listed import name_tables

    return low[:1].upper() + low[1:] in name_tables()[2]


def _run(t: _Text, i: int) -> int:
    """The index after the last word of a name starting at token i (particles inside, not at the end)."""
    j = i + 1
    while j < len(t.toks) and j - i < _MAX_WORDS and not t.possessive(j - 1) and t.adjacent(j - 1, j):
        if t.low(j) in vocab.PARTICLES:
            if j + 1 < len(t.toks) and t.adjacent(j, j + 1) and _may_follow(t, j + 1):
                j += 2
                continue
            break
        if not _may_follow(t, j) or (j - i >= 2 and not t.cased and not vocab.name_like(t.low(j))):
            break  # lower case: past the surname only name-like words ("clodagh ó súilleabháin | arriving")
        j += 1
    return j


def _cue_before(t: _Text, i: int) -> str | None:
    """'strong' when the words before token i take a person, 'title' or 'kin' after a title; else None."""
    if i == 0:
        return None
    prev, prev2 = t.low(i - 1), t.low(i - 2)
    gap = t.gap(i - 1, i)
    if not (gap.isspace() or gap.strip() in (".", ",")):
        return None
    if prev in TITLES and (gap.isspace() or gap.strip() == "."):
        return "title"
    if prev in KIN_TITLES and gap.isspace():
        return "kin"
    if gap.strip() == ",":
        return "strong" if prev in ("hi", "hello", "hey", "dear", "thanks") else None
    if prev in PERSON_VERBS or prev in ("i'm", "im", "name's", "named"):
        return "strong"
    if prev in RELATIONS and (prev2 in ("my", "our", "his", "her", "their", "your") or prev in KIN_TITLES):
        return "strong"
    if (prev, prev2) in (("is", "name"), ("is", "this"), ("am", "i"), ("is", "it's"), ("name", "the")):
        return "strong"
    if prev == "with":
        return "with"
    if prev in ("is", "was", "are", "where's", "who's"):
        return "weak"  # "what time is clodagh arriving": only a known given name is taken
    if prev == "to" and any(t.low(k) in SEND_VERBS for k in range(max(0, i - 7), i - 1)):
        return "with"
    return None


def open_names(text: str) -> list[Found]:
    """Names in ``text`` found from context, case and word knowledge (see the module docstring)."""
    t = _Text(text)
    out: list[Found] = []
    i = 0
    after_name = False  # the previous finding ended right before ", " / " and " / " or "
    while i < len(t.toks):
        cue = _cue_before(t, i)
        if after_name:
            cue = cue or "strong"
        start_ok = False
        if cue in ("strong", "title", "kin"):
            start_ok = _may_start(t, i, strong=True)
        elif cue == "with":
            start_ok = _may_start(t, i, strong=True) and vocab.name_like(t.low(i))
        elif cue == "weak" and not t.cased:
            start_ok = _may_start(t, i, strong=False)
        elif t.cased and t.capitalised(i) and t.low(i - 1) not in _NOT_BEFORE_A_PERSON:
            start_ok = _unprompted(t, i)
        elif not t.cased and (t.possessive(i) or (i + 1 < len(t.toks) and t.possessive(i + 1))):
            start_ok = _may_start(t, i, strong=False)
        after_name = False
        if not start_ok:
            i += 1
            continue
        end = _run(t, i) if not t.possessive(i) else i + 1
        if cue not in ("title", "kin") and not _person_shaped(t, i, end):
            i += 1
            continue
        first_role = "last" if cue == "title" and end == i + 1 else "first"
        parts = [(first_role, t.toks[i][1], t.end(i))]
        if end > i + 1:
            parts.append(("last", t.toks[i + 1][1], t.end(end - 1)))
        out.append(Found("name", parts[0][1], parts[-1][2], tuple(parts)))
        i = end
        if i < len(t.toks):
            gap = t.gap(i - 1, i).strip()
            if t.low(i) in ("and", "or", "&") and i + 1 < len(t.toks) and gap in ("", ","):
                i += 1
                after_name = True
            elif gap == ",":
                after_name = True
    return out


def _unprompted(t: _Text, i: int) -> bool:
    """Capitalised token i with no cue before it starts a name: two or more words none of which is an
    ordinary word, or, away from the start of a sentence, a given name gender-guesser knows."""
    low = t.low(i)
    if not vocab.name_like(low) or t.in_place(i) or low in PERSON_VERBS or low in SEND_VERBS:
        return False  # "Ping Zeynep about ...": the verb of the command, though Ping is a name too
    if i > 0 and t.capitalised(i - 1) and not t.sentence_start(i):
        return False  # inside a capitalised phrase that is not a name ("São Paulo")
    words = [t.low(k) for k in range(i, _run(t, i)) if t.low(k) not in vocab.PARTICLES]
    if len(words) >= 2 and (all(_unlisted_word(w) for w in words) or _rare_given(low)):
        return True
    return not t.sentence_start(i) and vocab.given_name_gender(low) is not None


def _rare_given(low: str) -> bool:
    """A word too rare in English to be anything but a name when capitalised ahead of another
    capitalised word ("Ngaio Marsh"), whatever the second word is."""
    frequency = vocab.zipf(low)
    return frequency < 2.0 or (frequency < 3.0 and not vocab.dictionary_word(low))


def _unlisted_word(low: str) -> bool:
    """Name-like and in no dictionary as an ordinary word: "Oak Lane" is a street, not a person."""
    return vocab.name_like(low) and not vocab.dictionary_word(low)


SINGLE_NAME_ZIPF = 2.8  # a lone word after "call" rarer than this is a name; commoner ones are brands


def _person_shaped(t: _Text, i: int, end: int) -> bool:
    """A lone word is a name if gender-guesser knows it or it is very rare in English ("Call Wojciech",
    not "Call Verizon", "call voicemail"); a longer one is not all ordinary words unless it starts with
    a given name ("Kiri Waititi", "Hunter Young", not "Pizza Hut", "Best Buy")."""
    low = t.low(i)
    if vocab.given_name_gender(low) is not None:
        return True
    if end == i + 1:
        return vocab.zipf(low) < SINGLE_NAME_ZIPF
    return not all(vocab.ordinary_word(t.low(k)) for k in range(i, end) if t.low(k) not in vocab.PARTICLES)
