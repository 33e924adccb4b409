"""What the name detector knows about a word, from libraries rather than a closed list of names.

Three open sources answer "could this word be part of someone's name?":
- wordfreq (English word frequencies from many corpora): how common the word is in English text, as a
  Zipf value (7 = "the", 3 = once in a million words). Names of people from most of the world are
  rare in English text, but so are rare common nouns, hence the next source.
- english-words (Webster's Second and GCIDE, with their letter case): a word listed in lower case is
  an ordinary English word ("plumber", "landlord"); proper nouns are listed capitalised, so
  "washington" or "lindqvist" are not ordinary words whatever their frequency.
- gender-guesser (about 45,000 given names from many countries, with their gender): a known given
  name is a name even where it is also a word ("Maya", "Kim"); its gender picks the stand-in's.

Each loads once, lazily (about a second together), when the first prompt is scrubbed.
"""

from __future__ import annotations

import functools

from synth.english_lexicon import words

# Words that are never part of a name whatever the sources say: function words, pronouns, kin terms
# said as names ("call mom"), time words and fillers that follow a name ("call Emre tonight"), number
# words (a spoken phone number), and assistants and services people tell the assistant to call.
STOP = frozenset(
    """
a an the this that these those my your his her our their its me him us them you i we he she it they
and or but nor so if then than as of at in on to from for with by about into over under after before
is are was were be been being am do does did done have has had will would shall should can could may
might must not no yes ok okay please thanks thank hello hi hey dear sorry
i'm i'll i've i'd you're we're they're it's that's there's he's she's let's don't can't won't
mom mum dad mommy daddy mother father mama papa grandma grandpa granny nan nana gran auntie aunt uncle
brother sister wife husband son daughter baby babe honey sweetie boss team everyone everybody all
someone anyone somebody nobody family friends guys folks
today tomorrow tonight yesterday now later soon back again asap morning afternoon evening night noon
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
zero oh one two three four five six seven eight nine ten eleven twelve hundred thousand double triple
alexa siri google cortana uber lyft spotify netflix amazon whatsapp wechat skype zoom teams slack
here there where when what who why how which whose
ssn dob iban nino pin id tel mob ext jr sr ii iii iv phd md esq
""".split()
)

# Lower-case particles inside a surname ("Youssef El Amrani", "Saoirse Ní Bhriain").
PARTICLES = frozenset(
    "de da das do dos du del della di van von der den ter ten te el al bin ibn bint abu ní nic ó ua mac le la".split()
)

COMMON_ZIPF = 4.5  # this frequent in English: an ordinary word, even if it is also someone's name
WORD_ZIPF = 2.0  # a word the dictionary lists in lower case and that is used at least this often


@functools.cache
def _wordfreq():
    from wordfreq import zipf_frequency

    return zipf_frequency


@functools.cache
def _lowercase_dictionary() -> frozenset[str]:
    return frozenset(w for w in words("web2") | words("gcide") if w.islower())


@functools.cache
def _given_names() -> dict[str, str]:
    import gender_guesser.detector

    detector = gender_guesser.detector.Detector(case_sensitive=False)
    return detector.names


@functools.cache
def zipf(word: str) -> float:
    """English Zipf frequency of ``word`` (any case); 0 for a word wordfreq has never seen."""
    return _wordfreq()(word.lower(), "en")


def ordinary_word(word: str) -> bool:
    """``word`` reads as an ordinary English word rather than a name (any case)."""
    low = word.lower()
    if low in STOP:
        return True
    frequency = zipf(low)
    return frequency >= COMMON_ZIPF or (frequency >= WORD_ZIPF and low in _lowercase_dictionary())


def dictionary_word(word: str) -> bool:
    """The dictionaries list ``word`` in lower case (an ordinary word, however rare)."""
    return word.lower() in _lowercase_dictionary()


@functools.cache
def given_name_gender(word: str) -> str | None:
    """'m', 'f' or 'u' for a given name gender-guesser knows (any case), None for one it does not."""
    low = word.lower()
    names = _given_names()
    if low not in names:
        return None
    genders = set(names[low])  # gender-guesser's keys: male, mostly_male, female, mostly_female, andy
    return "m" if genders <= {"male", "mostly_male"} else "f" if genders <= {"female", "mostly_female"} else "u"


def name_like(word: str) -> bool:
    """``word`` can be part of a personal name: a given name gender-guesser knows that is not a very
    common English word, or a word that is not an ordinary English word at all."""
    low = word.lower()
    if low in STOP or not low.replace("-", "").replace("'", "").replace("’", "").isalpha() or len(low) < 2:
        return False
    if given_name_gender(low) is not None and zipf(low) < COMMON_ZIPF:
        return True
    return not ordinary_word(low)
