"""Which regular expressions can only match text that holds a digit: a rule that needs one is
skipped, exactly, on text that has none (most prompts), instead of scanning it once more.

The answer is read from the parsed pattern and errs on the side of "may match without": a
look-around, a back-reference or anything else not listed below counts as needing no digit.
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as c
    from re import _parser as parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as c
    import sre_parse as parser

_DIGITS = range(ord("0"), ord("9") + 1)
_REPEATS = tuple(getattr(c, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(c, name))


def _class_is_digits(items) -> bool:
    for op, av in items:
        if op is c.LITERAL and av in _DIGITS:
            continue
        if op is c.RANGE and av[0] in _DIGITS and av[1] in _DIGITS:
            continue
        if op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            continue
        return False
    return True


def _needs_digit(items) -> bool:
    """Whether every match of this parsed sequence consumes a digit."""
    for op, av in items:
        if op is c.LITERAL and av in _DIGITS:
            return True
        if op is c.IN and _class_is_digits(av):
            return True
        if op is c.SUBPATTERN and _needs_digit(av[-1]):
            return True
        if op is c.BRANCH and all(_needs_digit(alt) for alt in av[1]):
            return True
        if op in _REPEATS and av[0] >= 1 and _needs_digit(av[2]):
            return True
        if op is getattr(c, "ATOMIC_GROUP", None) and _needs_digit(av):
            return True
    return False


def needs_digit(pattern: re.Pattern) -> bool:
    """True when `pattern` cannot match a string without a digit: an ASCII one ([0-9]) or any
    Unicode decimal digit (``\\d``), all of which has_digit finds."""
    return _needs_digit(parser.parse(pattern.pattern, pattern.flags))


has_digit = re.compile(r"\d").search
