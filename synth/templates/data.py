"""Word lists shipped under synth/data/ (plain text, one entry per line, '#' starts a comment).

Shared by the template slots (names, places) and the PII scrubber (which must recognise the same
names the templates can produce, and draws its replacements from lists of its own).
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import pathlib


def data_path(*parts: str) -> pathlib.Path:
    return pathlib.Path(os.fspath(importlib.resources.files("synth").joinpath("data", *parts)))


@functools.cache
def data_lines(*parts: str) -> tuple[str, ...]:
    """Non-blank, non-comment lines of synth/data/<parts...>, stripped, in file order."""
    path = data_path(*parts)
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(" ".join(line.split()))
    return tuple(lines)


@functools.cache
def gendered_names(*parts: str) -> tuple[tuple[str, str], ...]:
    """(name, gender) pairs from a '<Name> <f|m|u>' list."""
    pairs = []
    for line in data_lines(*parts):
        name, _, gender = line.rpartition(" ")
        if gender not in ("f", "m", "u") or not name:
            raise ValueError(f"synth/data/{'/'.join(parts)}: bad line {line!r}; expected '<Name> <f|m|u>'")
        pairs.append((name, gender))
    return tuple(pairs)


def first_names() -> tuple[str, ...]:
    return tuple(n for n, _ in gendered_names("pii", "first_names.txt"))


def last_names() -> tuple[str, ...]:
    return data_lines("pii", "last_names.txt")


def places() -> tuple[str, ...]:
    return data_lines("domains", "places.txt")
