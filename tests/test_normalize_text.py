"""Text classes of the written -> spoken normalizer (issue 18): e-mail user names, abbreviations, names
with a regnal numeral, codes such as "401(k)", notation that is not text.

Each reading is checked as a transcript and against the normalizer's invariants (tests/test_normalize.py).
"""

import re

import english_words
import pytest

from synth.normalize import NormalizationError, to_spoken
from synth.normalize_wordsplit import split_words
from tests.test_normalize import check_invariants

READINGS = [
    # "St." before a word that is no given name is the street's
    ("Wall St. Journal", "wall street journal"),
    ("Pine St. Apt 4", "pine street apt four"),
    ("Baker St. Station", "baker street station"),
    ("the St. Lawrence river", "the saint lawrence river"),
    ("St. Moritz is cold", "saint moritz is cold"),
    ("Dr. House", "doctor house"),  # a doctor's surname may be a word
    # "Town, ST": the state named where the code is no word too
    ("We went to Buffalo, NY.", "we went to buffalo new york"),
    ("Austin, TX, is hot", "austin texas is hot"),
    ("I flew to St. Paul, MN.", "i flew to saint paul minnesota"),
    ("Thanks, NY!", "thanks n y"),  # an ordinary word opening the sentence: no town
    ("Fine, OK.", "fine okay"),  # a word as well as a state code
    # a Roman "I": the numeral where the pronoun cannot stand, the pronoun elsewhere
    ("Francis I--test", "francis the first test"),
    ("Sam I", "sam the first"),
    ("Elizabeth I of England", "elizabeth the first of england"),
    ("World War I began", "world war one began"),
    ("Sam I am", "sam i am"),
    ("Sam and I", "sam and i"),
    ("May I?", "may i"),
    ("Suddenly I, too, felt it.", "suddenly i too felt it"),
    ("the part I like", "the part i like"),
    # weekdays: a day where a date, a time, a range or a preposition of time says so, a word elsewhere
    ("for Tu (2/22) at 5 pm.", "for tuesday two twenty seconds at five p m"),
    ("The deadline is 5 p.m. on Fri., Oct. 3.", "the deadline is five p m on friday october third"),
    ("Open Mon-Fri", "open monday to friday"),
    ("Sat & Sun closed", "saturday and sunday closed"),
    ("See you on Sat.", "see you on saturday"),
    ("I like Thurs best", "i like thursday best"),
    ("Sun. Jan 5", "sunday january fifth"),
    ("We sat in the Sun.", "we sat in the sun"),
    ("the Mon people", "the mon people"),
    ("We 3 kings", "we three kings"),
    ("SAT scores", "s a t scores"),
    ("Fr. Brown said", "father brown said"),
    # section codes: the number in pairs, each parenthesised part said
    (
        "Our company offers a 401(k) retirement savings plan",
        "our company offers a four oh one k retirement savings plan",
    ),
    ("a 501(c)(3) group", "a five oh one c three group"),
    ("Section 230(c) says", "section two thirty c says"),
    ("f(x) = 2", "f x equals two"),  # a letter before the parenthesis: not a code
    ("Mrs. Norris", "misses norris"),
    ("file:///photos/image.jpg", "file colon slash slash slash photos slash image dot jpeg"),
    # e-mail user names: run-together words said apart, left-over letters as letter names
    ("enterpriseservices@nvidia.com", "enterprise services at nvidia dot com"),
    ("rtxprohelp@exchange.nvidia.com", "r t x pro help at exchange dot nvidia dot com"),
    ("Write to jsmith@corp.com today.", "write to j smith at corp dot com today"),
    ("noreply@shop.org", "no reply at shop dot org"),
    ("myemail@gmail.com", "my email at gmail dot com"),
    ("asdf123@abc.com", "asdf one two three at abc dot com"),  # no words in "asdf": kept
    ("info@ourdailynews.com", "info at ourdailynews dot com"),  # a known token; domains are never split
    ("kowalski@mail.com", "kowalski at mail dot com"),
    # every separator of an address is said: query strings, fragments, a drive's colon, a leading dot
    (
        "https://x.com/s?q=a&b=2#top",
        "h t t p s colon slash slash x dot com slash s question mark q equals a ampersand b equals two hash top",
    ),
    ("Did you see www.x.com/page?", "did you see w w w dot x dot com slash page"),  # the question's mark
    ("C:\\Users\\bob", "c colon backslash users backslash bob"),
    ("the .txt file", "the dot t x t file"),
    ("here (4 June 2014).and", "here the fourth of june twenty fourteen and"),  # a sentence's period
    # a user name inside a URL stays the URL's
    ("http://user@host.com/x", "h t t p colon slash slash user at host dot com slash x"),
    ("ftp://me:pw@site.org", "f t p colon slash slash me colon p w at site dot org"),
]


@pytest.mark.parametrize("text,expected", READINGS, ids=[c[0] for c in READINGS])
def test_reading(text, expected):
    form = to_spoken(text)
    assert form.transcript == expected
    check_invariants(form)


def test_user_name_pieces_are_dictionary_words_or_few_letters():
    # Checked against the dictionary itself (english-words' web2, plurals allowed), not the splitter's tables.
    web2 = english_words.get_english_words_set(["web2"], lower=True, alpha=True)
    for name in ["enterpriseservices", "customercare", "helpdesk", "marketingteam", "techsupport", "mikejones"]:
        pieces = split_words(name)
        assert pieces and "".join(pieces) == name, (name, pieces)
        assert all(p in web2 or p[:-1] in web2 for p in pieces), (name, pieces)
    for name in ["asdf", "qwerty", "kowalski", "therapist", "support", "abc"]:
        assert split_words(name) is None, name


def test_words_we_choose_sound_as_people_say_them():
    # Measured with the eSpeak NG library the default engine embeds: the word we feed for "Mrs." sounds as
    # eSpeak says "Mrs" itself, and the "jpeg" of ".jpg" as "jay peg".
    from synth.normalize_letters import espeak_phonemes

    fed_mrs, own_mrs, fed_jpg, jay_peg = espeak_phonemes(
        [to_spoken("Mrs. Norris").spoken.split()[0], "Mrs", to_spoken("image.jpg").spoken.split()[-1], "jay peg"]
    )
    assert fed_mrs == own_mrs
    assert fed_jpg.replace(" ", "") == jay_peg.replace(" ", "")


REJECTIONS = [
    ("[HH AH0 L OW1]", "phonetic notation '[HH AH0 L OW1]' (ARPAbet)"),
    ("[poʊstˌmɑɹk]", "phonetic notation '[poʊstˌmɑɹk]' (IPA)"),
    ("say /ˈhɛloʊ/ now", "phonetic notation '/ˈhɛloʊ/' (IPA)"),
    ("<breathing/>", "markup tag '<breathing/>'"),
]


@pytest.mark.parametrize("text,message", REJECTIONS, ids=[c[0] for c in REJECTIONS])
def test_rejection_names_what_is_not_text(text, message):
    with pytest.raises(NormalizationError, match=re.escape(message)):
        to_spoken(text)


@pytest.mark.parametrize("text", ["[B1] grade", "see [1]", "and/or", "a/b/c"])
def test_brackets_and_slashes_that_are_text_are_read(text):
    check_invariants(to_spoken(text))
