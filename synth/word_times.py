"""Turn an engine's word events into honest per-word times for the transcript's words.

eSpeak NG emits one event per word it speaks, at the sample where the word begins, but it merges
some short words into their neighbour ("of the" gives one event) and may emit several events for
one written token. Each transcript word gets a start and an end: words with an event of their own
are timed from it; words the engine spoke as one unit with a neighbour share that unit's span,
split by letter count, and are marked `"estimated": true` so nobody mistakes them for measurements.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

import numpy as np

from synth.engines.base import WordEvent

FRAME_S = 0.005
SILENCE_DB = -45.0  # frames this far below the loudest frame count as pause, not speech

_TOKEN = re.compile(r"\S+")


def _voiced_frames(audio: np.ndarray, sample_rate: int) -> tuple[list[int], int, int]:
    """Indices of the 5 ms frames that hold speech, the hop, and the number of frames."""
    hop = max(1, int(sample_rate * FRAME_S))
    n = len(audio) // hop
    if n == 0:
        return [], hop, 0
    frames = audio[: n * hop].reshape(n, hop)
    energy = (
        np.einsum("ij,ij->i", frames, frames, dtype=np.float64) + 1e-24
    )  # Σx² per frame; no float64 copy of the audio
    # loud = 20·log10(rms / max rms) > SILENCE_DB, compared in energy: rms ratios square
    return np.flatnonzero(energy > energy.max() * 10 ** (SILENCE_DB / 10)).tolist(), hop, n


def _trim(start: int, end: int, voiced: list[int], hop: int, n: int) -> tuple[int, int]:
    """Shrink [start, end) to the speech inside it; keep it unchanged if there is none."""
    first, last = start // hop, min(n, -(-end // hop))
    lo, hi = bisect_left(voiced, first), bisect_left(voiced, last) - 1
    if lo > hi:
        return start, end
    return max(start, voiced[lo] * hop), min(end, (voiced[hi] + 1) * hop)


def _token_of(char_start: int, char_len: int, starts: list[int], ends: list[int]) -> int | None:
    """The first token an event touches: the one it starts in, else the next one it runs into."""
    i = bisect_right(starts, char_start) - 1
    if i >= 0 and char_start < ends[i]:
        return i
    j = i + 1
    return j if j < len(starts) and char_start + char_len > starts[j] else None


def word_times(
    spoken: str,
    words: list[str],
    events: list[WordEvent],
    boundaries: list[int],
    audio: np.ndarray,
    sample_rate: int,
) -> list[dict]:
    """`words` are the transcript words, one per whitespace token of `spoken` (the engine's input)."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(spoken)]
    if len(tokens) != len(words):
        raise ValueError(f"{len(words)} transcript words but {len(tokens)} spoken tokens in {spoken!r}")
    total = len(audio)
    # The first event that falls inside each token marks where that token starts.
    token_start: list[int | None] = [None] * len(tokens)
    starts, ends = [a for a, _ in tokens], [b for _, b in tokens]
    for event in events:
        i = _token_of(event.char_start, event.char_len, starts, ends)
        if i is not None and token_start[i] is None:
            token_start[i] = min(max(event.sample, 0), total)
    # Group untimed tokens with the timed token before them (or after, at the very start).
    groups: list[list[int]] = []
    for i, start in enumerate(token_start):
        if start is not None or not groups:
            groups.append([i])
        else:
            groups[-1].append(i)
    if token_start[groups[0][0]] is None:
        first_timed = next((g for g in groups[1:] if token_start[g[0]] is not None), None)
        if first_timed is None:
            return (
                [{"word": w, "start": 0.0, "end": round(total / sample_rate, 3), "estimated": True} for w in words]
                if total
                else []
            )
        first_timed[:0] = groups.pop(0)
        token_start[first_timed[0]] = 0
    voiced, hop, n_frames = _voiced_frames(audio, sample_rate)
    cuts = sorted(set(boundaries))
    result: list[dict] = []
    for g, members in enumerate(groups):
        start = token_start[members[0]] if token_start[members[0]] is not None else token_start[members[-1]]
        limit = token_start[groups[g + 1][0]] if g + 1 < len(groups) else total
        limit = next((c for c in cuts if start < c < limit), limit)  # a clause end closes the word early
        if limit <= start:
            limit = min(total, start + hop)
        start, end = _trim(start, limit, voiced, hop, n_frames)
        letters = list(accumulate((max(1, len(words[i])) for i in members), initial=0))
        edges = [start + (end - start) * count / letters[-1] for count in letters]
        for k, i in enumerate(members):
            entry = {
                "word": words[i],
                "start": round(edges[k] / sample_rate, 3),
                "end": round(edges[k + 1] / sample_rate, 3),
            }
            if len(members) > 1:
                entry["estimated"] = True
            result.append(entry)
    for entry in result:  # millisecond rounding must not make a word empty
        if entry["end"] <= entry["start"]:
            entry["end"] = round(entry["start"] + 0.001, 3)
    return result
