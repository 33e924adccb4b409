"""Duplicate detection in fixed memory: a Bloom filter on a first pass, exact bookkeeping on the second.

Remembering every distinct prompt text to spot duplicates grows with the file (~130 bytes per prompt
as a dict of digests: 130 MB for a million prompts). Instead a first streaming pass puts each text's
digest into a Bloom filter of fixed size; the digests that were (apparently) seen before are the
only candidates for a duplicate. The real pass then remembers, exactly, the first line of those
candidates only: every true duplicate is among them (its second sighting hits the filter), and a
false positive costs one dict entry, never a wrong rejection. Memory: the filter (8 MiB) plus one
entry per candidate, whatever the number of prompts.
"""

from __future__ import annotations

BLOOM_BITS = 1 << 26  # at most 8 MiB; at 1M distinct texts and 7 probes, ~1e-7 false positives per text
PROBES = 7


def bloom_bits(file_bytes: int) -> int:
    """A filter size for a file: about one bit per byte (>= 8 bits per prompt of a dozen characters), a
    power of two between 64 Kibit and BLOOM_BITS: a small file gets a small filter."""
    bits = 1 << 16
    while bits < file_bytes and bits < BLOOM_BITS:
        bits <<= 1
    return bits


class Bloom:
    """A fixed-size Bloom filter over digests (at least 16 bytes, e.g. sha1)."""

    def __init__(self, bits: int = BLOOM_BITS, probes: int = PROBES):
        self.bits, self.probes = bits, probes
        self.table = bytearray(bits // 8)

    def add(self, digest: bytes) -> bool:
        """Add `digest`; True if it was (probably) there already."""
        h1 = int.from_bytes(digest[:8], "little")
        h2 = int.from_bytes(digest[8:16], "little") | 1
        table, present = self.table, True
        for i in range(self.probes):
            bit = (h1 + i * h2) % self.bits
            byte, mask = bit >> 3, 1 << (bit & 7)
            if not table[byte] & mask:
                present = False
                table[byte] |= mask
        return present


class FirstSeen:
    """Where each candidate key was first seen. On the first pass (candidates=None) it only feeds the
    filter and collects candidates; on the second it answers exactly for the candidates."""

    def __init__(self, candidates: frozenset[bytes] | None, bits: int = BLOOM_BITS):
        self.candidates, self.bits = candidates, bits
        self.bloom = None  # made on first use: a .txt file never asks about ids
        self.found: set[bytes] = set()  # first pass: keys seen (probably) twice
        self.first: dict[bytes, int] = {}  # second pass: candidate -> its first line

    def first_line(self, key: bytes) -> int | None:
        """The line `key` was remembered on, or None. On the first pass: always None, and the key
        goes into the filter (a key it already held becomes a candidate)."""
        if self.candidates is None:
            if self.bloom is None:
                self.bloom = Bloom(self.bits)
            if self.bloom.add(key):
                self.found.add(key)
            return None
        return self.first.get(key) if key in self.candidates else None

    def remember(self, key: bytes, line: int) -> None:
        """Note that `key` is taken from `line` on (kept only for candidates: no other key can repeat)."""
        if self.candidates is not None and key in self.candidates:
            self.first.setdefault(key, line)
