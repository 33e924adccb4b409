"""E-mail addresses, URLs and file paths as spoken English ("a dot b at c dot com").

Every separator is said ("dot", "slash", "colon", "dash", "underscore", "at"), so nothing of the address
is dropped; digits inside an address are read one by one ("asdf123" -> "asdf one two three"), since they
are part of a name, not a quantity. The run-together words of a user name are said apart
("enterpriseservices@" -> "enterprise services at", synth.normalize_wordsplit). A URL is recognised by a
scheme ("https://", "file:///"), by "www.", or by a known top-level domain (".com", ".org", ...),
optionally followed by a country code (".com.sm").
"""

from __future__ import annotations

import re

from synth.normalize_spell import code_digits
from synth.normalize_wordsplit import split_words

_TLD = r"(?:com|org|net|edu|gov|mil|io|uk|de|fr|info|dev|app|biz)"
_PATH = r"(?:/[\w./%~+?=&#-]*[\w/])?"  # with a query string and a fragment ("?q=1&x=2#top")
EMAIL = re.compile(rf"(?<![\w./:])[A-Za-z0-9][A-Za-z0-9._%+&-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+{_PATH}")
URL = re.compile(
    r"(?<![\w@.])(?:"
    r"[A-Za-z][A-Za-z0-9+.-]*://[\w./%~+:@?=&#-]*[\w/]"  # any scheme
    r"|www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    + _PATH  # www.
    + r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\."
    + _TLD
    + r"(?:\.[a-z]{2})?\b"
    + _PATH
    + r")",
    re.I,
)
SEPARATORS = {
    ".": "dot",
    "/": "slash",
    ":": "colon",
    "@": "at",
    "_": "underscore",
    "-": "dash",
    "%": "percent",
    "+": "plus",
    "&": "ampersand",
    "~": "tilde",
    "?": "question mark",
    "=": "equals",
    "#": "hash",
    "\\": "backslash",
}
# A Windows path ("C:\\Users\\bob"): the drive's colon is said, as every other separator.
WINDOWS_PATH = re.compile(r"(?<![\w\\])[A-Za-z]:\\(?:[\w.-]+\\?)*")
# A name written with a leading dot (".NET", "the .txt file", "a .com"): the dot is said.
DOT_NAME = re.compile(r"(?<![^\s(\[\"'])\.(?=[A-Za-z][A-Za-z0-9]{1,5}\b)")  # at a word's start: not ").and"
_SPLIT = r"([./:@_%+&~?=#\\-])"


def _part(p: str, user: bool = False) -> str:
    if p in SEPARATORS:
        return SEPARATORS[p]
    if user:  # "enterpriseservices" -> "enterprise services"
        p = re.sub(r"[A-Za-z]+", lambda m: f" {' '.join(split_words(m.group(0)) or [m.group(0)])} ", p)
    return re.sub(r"[0-9]+", lambda m: f" {code_digits(m.group(0))} ", p)


def _web(m: re.Match) -> str:
    address = m.group(0)
    user, at, host = address.partition("@") if EMAIL.fullmatch(address) else ("", "", address)
    parts = [_part(p, True) for p in re.split(_SPLIT, user) if p]
    if at:
        parts.append(SEPARATORS[at])
    parts += [_part(p) for p in re.split(_SPLIT, host) if p]
    return " " + " ".join(parts) + " "


def expand_web(text: str) -> str:
    """``text`` with e-mail addresses and URLs said separator by separator."""
    text = URL.sub(_web, EMAIL.sub(_web, text))
    return DOT_NAME.sub(" dot ", WINDOWS_PATH.sub(_web, text))
