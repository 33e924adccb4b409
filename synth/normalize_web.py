"""E-mail addresses, URLs and file paths as spoken English ("a dot b at c dot com").

Every separator is said ("dot", "slash", "colon", "dash", "underscore", "at"), so nothing of the address
is dropped; digits inside an address are read one by one ("asdf123" -> "asdf one two three"), since they
are part of a name, not a quantity. A URL is recognised by a scheme ("https://", "file:///"), by "www.",
or by a known top-level domain (".com", ".org", ...), optionally followed by a country code (".com.sm").
"""

from __future__ import annotations

import re

from synth.normalize_spell import code_digits

_TLD = r"(?:com|org|net|edu|gov|mil|io|uk|de|fr|info|dev|app|biz)"
_PATH = r"(?:/[\w./%~+-]*[\w/])?"
EMAIL = re.compile(rf"(?<![\w.])[A-Za-z0-9][A-Za-z0-9._%+&-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+{_PATH}")
URL = re.compile(
    r"(?<![\w@.])(?:"
    r"[A-Za-z][A-Za-z0-9+.-]*://[\w./%~+:@-]*[\w/]"  # any scheme
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
}


def _part(p: str) -> str:
    if p in SEPARATORS:
        return SEPARATORS[p]
    return re.sub(r"[0-9]+", lambda m: f" {code_digits(m.group(0))} ", p)


def _web(m: re.Match) -> str:
    parts = re.split(r"([./:@_%+&~-])", m.group(0))
    return " " + " ".join(_part(p) for p in parts if p) + " "


def expand_web(text: str) -> str:
    """``text`` with e-mail addresses and URLs said separator by separator."""
    return URL.sub(_web, EMAIL.sub(_web, text))
