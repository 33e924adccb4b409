"""Balanced, deterministic assignment of voices to prompts.

Each prompt gets ``per_prompt`` distinct voices.  Think of an infinite stream of
*slots*: prompt ``i`` owns slots ``n = i * per_prompt + j`` for
``j = 0 .. per_prompt - 1``, and slot ``n`` is filled by

* accent ``accent_order[n % A]`` (a seeded permutation of the ``A`` accents), so
  over any run of ``N`` consecutive slots each accent occurs ``N / A`` times
  rounded up or down (balance within +-1, regardless of how many voices each
  accent has);
* within that accent, voice ``order[accent][(n // A) % k]``, where ``order`` is a
  seeded per-accent order of its ``k`` voices that interleaves the genders
  (female/male alternate when the accent has as many of each), so genders are
  balanced within each accent and every voice of an accent is used equally.
  Accents at even positions of ``accent_order`` start with female, odd ones
  with male, which also keeps the overall gender count balanced.

A voice repeats within a prompt only if one accent has to fill more slots of
the prompt than it has voices (``ceil(per_prompt / A) > k``); in that case the
prompt keeps its first distinct voices and fills the rest from the following
slots of the stream, skipping voices it already has.  Everything is computed
from ``(seed, prompt_index)`` alone with SHA-256 derived orders (not Python's
per-process salted ``hash()``), so results are reproducible across processes,
machines, call orders and shards.  The input order of ``voices`` does not
matter either.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from voices.catalog import GENDERS, CatalogError, Voice

__all__ = ["VoiceAssigner"]


def _key(seed: int, *parts: str) -> bytes:
    return hashlib.sha256("\x1f".join((str(seed), *parts)).encode("utf-8")).digest()


def _interleave(voices: list[Voice], first_gender: str) -> list[Voice]:
    """Spread each gender's voices evenly over the sequence (F M F M ... when equal)."""
    groups: dict[str, list[Voice]] = {}
    for v in voices:
        groups.setdefault(v.gender, []).append(v)
    rank = {g: (0 if g == first_gender else 1 + i) for i, g in enumerate(GENDERS)}
    keyed = []
    for g, members in groups.items():
        c = len(members)
        for r, v in enumerate(members):
            keyed.append(((2 * r + 1) / (2 * c), rank.get(g, len(GENDERS) + 1), g, v))
    keyed.sort(key=lambda t: t[:3])
    return [t[3] for t in keyed]


class VoiceAssigner:
    """Assign ``per_prompt`` distinct voices to each prompt index, balanced by accent and gender."""

    def __init__(self, voices: Sequence[Voice], per_prompt: int, seed: int) -> None:
        voices = list(voices)
        if not voices:
            raise CatalogError("cannot assign voices: the voice list is empty")
        ids = [v.id for v in voices]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise CatalogError(f"cannot assign voices: duplicate voice ids {', '.join(dup)}")
        if isinstance(per_prompt, bool) or not isinstance(per_prompt, int):
            raise CatalogError(f"voices per prompt must be an integer, got {per_prompt!r}")
        if per_prompt < 1 or per_prompt > len(voices):
            raise CatalogError(
                f"voices per prompt must be between 1 and the number of selected voices "
                f"({len(voices)}), got {per_prompt}"
            )
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise CatalogError(f"seed must be an integer, got {seed!r}")

        self.voices = voices
        self.per_prompt = per_prompt
        self.seed = seed

        by_accent: dict[str, list[Voice]] = {}
        for v in voices:
            by_accent.setdefault(v.accent, []).append(v)
        self.accent_order: list[str] = sorted(by_accent, key=lambda a: (_key(seed, "accent", a), a))
        self.voice_order: dict[str, list[Voice]] = {}
        for pos, accent in enumerate(self.accent_order):
            members = sorted(by_accent[accent], key=lambda v: (_key(seed, "voice", accent, v.id), v.id))
            first = GENDERS[pos % len(GENDERS)]
            self.voice_order[accent] = _interleave(members, first)
        self._n_accents = len(self.accent_order)
        # Upper bound on how far past a prompt's own slots the fallback may need to look:
        # within n_accents * max_k consecutive slots every voice occurs at least once.
        self._lookahead = self._n_accents * max(len(vs) for vs in self.voice_order.values())

    @property
    def accents(self) -> list[str]:
        """Accents in their seeded slot order."""
        return list(self.accent_order)

    def voice_at(self, slot: int) -> Voice:
        """The voice of global slot ``slot`` (``prompt_index * per_prompt + j``)."""
        if slot < 0:
            raise ValueError(f"slot must be >= 0, got {slot}")
        a = self._n_accents
        order = self.voice_order[self.accent_order[slot % a]]
        return order[(slot // a) % len(order)]

    def voices_for(self, prompt_index: int) -> list[Voice]:
        """The ``per_prompt`` distinct voices of prompt ``prompt_index`` (a pure function of seed and index)."""
        if isinstance(prompt_index, bool) or not isinstance(prompt_index, int) or prompt_index < 0:
            raise ValueError(f"prompt_index must be a non-negative integer, got {prompt_index!r}")
        start = prompt_index * self.per_prompt
        chosen: list[Voice] = []
        seen: set[str] = set()
        slot = start
        limit = start + self.per_prompt + self._lookahead
        while len(chosen) < self.per_prompt and slot < limit:
            v = self.voice_at(slot)
            if v.id not in seen:
                seen.add(v.id)
                chosen.append(v)
            slot += 1
        if len(chosen) < self.per_prompt:  # pragma: no cover - impossible by construction
            raise AssertionError("voice assignment could not find enough distinct voices")
        return chosen

    def __repr__(self) -> str:
        return (
            f"VoiceAssigner(voices={len(self.voices)}, accents={self._n_accents}, "
            f"per_prompt={self.per_prompt}, seed={self.seed})"
        )
