"""Markdown that says what the data says: values from the manifest or the config (a folder name,
an accent, a step name, the config file) are escaped before they go into the dataset card, so a
value cannot end a code block, open an HTML tag, or become a link, a table column or a heading."""

from __future__ import annotations

import html
import re

# Backslash-escaped (CommonMark allows it before any ASCII punctuation): what could start inline
# markup here. "_" only at a word's edge: inside a word (en_us, bg_noise) it never emphasises.
_INLINE = re.compile(r"[\\`*\[\]|#~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def text(value: object) -> str:
    """`value` as one line of literal Markdown text (a heading, a sentence, a table cell).

    :param value: anything; str() of it is escaped
    """
    flat = _LINE_BREAKS.sub(" ", str(value))
    escaped = _INLINE.sub(lambda m: "\\" + m.group(0), flat)
    return html.escape(escaped, quote=False)  # & < > as entities: no raw HTML reaches the renderer


def fenced(body: str, info: str = "") -> list[str]:
    """`body` verbatim in a fenced code block whose fence is longer than any backtick run in it,
    so no line of `body` can close the block early.

    :param body: the text, shown as is
    :param info: the fence's language word, e.g. "yaml"
    """
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *body.rstrip("\n").split("\n"), fence]
