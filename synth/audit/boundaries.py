"""Word times of the label against the forced aligner's, on the same audio and transcript.

Only engine word times are tested: rows whose words came from this same aligner (`source:
aligner`) would be compared with themselves, so they are reported as not independent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.audit.alignment import Scored
from synth.letter_runs import join_aligned
from synth.manifest import Word


@dataclass(frozen=True)
class Boundaries:
    start_errors: list[float]  # label − aligner, seconds, one per word
    end_errors: list[float]

    @property
    def offset(self) -> float:
        """Median signed start error: a row's words all late (positive) or early."""
        return float(np.median(self.start_errors))


def independent(words: list[Word] | None) -> bool:
    """Whether the row's word times came from the engine, not from the forced aligner."""
    return bool(words) and not any(w.source == "aligner" for w in words)


def compare(words: list[Word], alignment: Scored) -> Boundaries | None:
    """Per-word start and end errors; None when the two do not spell the same words."""
    aligned = alignment.spoken()
    if [w.word for w in words] != [a.word for a in aligned]:
        # normalize.letters=joined: the aligner's letter names, merged into the row's initialisms ("PM")
        aligned = join_aligned(aligned, [w.word for w in words])
        if aligned is None:
            return None
    return Boundaries(
        [round(w.start - a.start, 4) for w, a in zip(words, aligned)],
        [round(w.end - a.end, 4) for w, a in zip(words, aligned)],
    )
