"""One piece of personal data found in a text, as every detector reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    """``type`` is one of synth.pii.detect.TYPES; ``parts`` are the (role, start, end) spans a replacement
    rewrites (the digits of a phone, the first and last name), so the rest ("Dr.", "+44") stays."""

    type: str
    start: int
    end: int
    parts: tuple[tuple[str, int, int], ...]

    @classmethod
    def whole(cls, type_: str, start: int, end: int, role: str | None = None) -> Found:
        """A finding replaced as one piece (role defaults to the type)."""
        return cls(type_, start, end, ((role or type_, start, end),))
