"""Many speakers from few voices: each catalog voice expanded into N pseudo-speakers by formant and pitch shifts.

``expand(voices, speakers_per_voice)`` turns every :class:`~voices.catalog.Voice` into ``speakers_per_voice``
speakers. Speaker 0 is the base voice itself, unchanged (same id, no perturbation), so ``speakers_per_voice=1``
is exactly the catalog as it was and existing corpora keep their ids. Speaker k >= 1 gets the id
``f"{voice.id}-s{k:02d}"`` and a formant ratio and pitch ratio that depend on ``(voice.id, k)`` alone, never on the
run seed: the same id is the same speaker in every run, corpus and shard, and growing N only adds speakers.

How the parameters are drawn: point k of the two-dimensional R2 low-discrepancy sequence (additive recurrence by
the plastic number), shifted by a BLAKE2b hash of the voice id, mapped log-uniformly into the voice's gender ranges
below. Low discrepancy spreads the N speakers of a voice evenly over the (formant, pitch) plane instead of letting
two of them land next to each other by chance, so they are as distinct as the ranges allow.

Ranges (formant ratio, pitch ratio), narrower on the side that moves a voice towards the other gender:

    male    formant 0.97-1.08   pitch 0.88-1.15
    female  formant 0.93-1.01   pitch 0.89-1.12

A catalog entry can narrow (or move) its own ranges, e.g. for a voice the recognizer is fragile on::

    pseudo_speaker_ranges: {formant_ratio: [1.0, 1.08]}     # Piper joe: see below

Why: pocketsphinx WER (general LM, first 20 built-in prompts) with one factor moved at a time, Praat method:

    voice (base WER)     formant down      formant up       pitch down       pitch up
    Piper joe (0.18)     0.94: 0.39        1.08: 0.15       0.87: 0.18       1.15: 0.22
    RHVoice bdl (0.10)   0.94: 0.09        1.08: 0.08       0.87: 0.10       1.15: 0.10
    Flite slt (0.22)     0.92: 0.17        1.06: 0.29       0.87: 0.28       1.15: 0.24
    RHVoice slt (0.16)   0.92: 0.11        1.06: 0.22       0.87: 0.17       1.15: 0.17

A male voice given a longer vocal tract (Piper joe) and a female voice given a shorter one lose the most words;
so the male formant range starts at 0.97 and the female one ends at 1.01 (with 20 speakers per voice, flite slt
went over the +0.05 guard only at formant 1.022 and 1.026 when the range ended at 1.03). Piper joe is fragile below
1.0: with 0.97-1.08, 5 of its 6 speakers over the guard had formant 0.979-0.987, so its catalog entry should say
``pseudo_speaker_ranges: {formant_ratio: [1.0, 1.08]}``. Inside these ranges a male stays a
male (F0 ~95-125 Hz x 0.88-1.15 stays under ~145 Hz) and a female a female (~170-190 Hz x 0.89-1.12 stays above
~150 Hz); benchmarks/RESULTS.md "Pseudo-speakers" has the WER of 20 speakers per voice against the +0.05 guard.
The values are rounded to 4 decimals and the rounded values are what :func:`apply` uses, so the recorded
perturbation is the applied one.

What a pseudo-speaker carries: ``extra["base_voice"]`` (the base voice's id) and ``extra["perturbation"]`` =
``{"method", "formant_ratio", "pitch_ratio"}``; engine, engine_voice, accent, gender, locale and licence are the base
voice's. The perturbed audio is a modification of that voice's output: its terms apply unchanged, and a voice whose
terms forbid derivatives (e.g. RHVoice lyubov, CC BY-NC-ND) should not be expanded.
The renderer synthesizes with the base voice's engine_voice and then calls :func:`apply` on the clean audio,
before any augmentation; word times from the engine stay valid because the perturbation keeps the timing.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from voices.catalog import CatalogError, Voice
from voices.perturb import FORMANT_LIMITS, METHOD, PITCH_LIMITS, perturb

__all__ = [
    "RANGES",
    "apply",
    "expand",
    "is_pseudo_speaker",
    "pseudo_speaker_id",
    "speaker_fields",
    "speaker_parameters",
    "voice_ranges",
]

# gender -> ((formant low, formant high), (pitch low, pitch high)); see the module docstring for why.
RANGES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "male": ((0.97, 1.08), (0.88, 1.15)),
    "female": ((0.93, 1.01), (0.89, 1.12)),
}
CONFIG_NAME = "voices.speakers_per_voice"
_PLASTIC = 1.324717957244746  # x^3 = x + 1; R2 sequence steps 1/p and 1/p^2
_R2_STEP = (1 / _PLASTIC, 1 / _PLASTIC**2)


def pseudo_speaker_id(voice_id: str, k: int) -> str:
    """The id of speaker k of `voice_id` (k = 0: the base voice itself)."""
    return voice_id if k == 0 else f"{voice_id}-s{k:02d}"


def _offset(voice_id: str) -> tuple[float, float]:
    digest = hashlib.blake2b(f"pseudo-speaker:{voice_id}".encode(), digest_size=16).digest()
    return int.from_bytes(digest[:8], "big") / 2**64, int.from_bytes(digest[8:], "big") / 2**64


def _log_uniform(u: float, low: float, high: float) -> float:
    return math.exp(math.log(low) + u * (math.log(high) - math.log(low)))


def voice_ranges(voice_id: str, gender: str, override: Any = None) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (formant, pitch) ranges of a voice: its gender's, or the catalog's ``pseudo_speaker_ranges`` override."""
    if gender not in RANGES:
        raise CatalogError(
            f"voice {voice_id!r}: gender {gender!r} has no pseudo-speaker ranges; known: {', '.join(RANGES)}"
        )
    ranges = dict(zip(("formant_ratio", "pitch_ratio"), RANGES[gender]))
    if override is None:
        return ranges["formant_ratio"], ranges["pitch_ratio"]
    where = f"voice {voice_id!r}: field 'pseudo_speaker_ranges'"
    if not isinstance(override, dict) or set(override) - set(ranges):
        raise CatalogError(f"{where} must map formant_ratio and/or pitch_ratio to [low, high]; got {override!r}")
    for key, limits in (("formant_ratio", FORMANT_LIMITS), ("pitch_ratio", PITCH_LIMITS)):
        if key not in override:
            continue
        value = override[key]
        ok = isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(x, (int, float)) for x in value)
        if not ok or not limits[0] <= value[0] <= value[1] <= limits[1]:
            raise CatalogError(f"{where}: {key} must be [low, high] within [{limits[0]}, {limits[1]}]; got {value!r}")
        ranges[key] = (float(value[0]), float(value[1]))
    return ranges["formant_ratio"], ranges["pitch_ratio"]


def speaker_parameters(voice_id: str, gender: str, k: int, override: Any = None) -> tuple[float, float]:
    """(formant_ratio, pitch_ratio) of speaker k >= 1 of a voice: a function of (voice_id, ranges, k) only."""
    if k < 1:
        raise ValueError(f"speaker index must be >= 1 (0 is the base voice); got {k}")
    (f_lo, f_hi), (p_lo, p_hi) = voice_ranges(voice_id, gender, override)
    base = _offset(voice_id)
    u = [(base[i] + k * _R2_STEP[i]) % 1.0 for i in range(2)]
    return round(_log_uniform(u[0], f_lo, f_hi), 4), round(_log_uniform(u[1], p_lo, p_hi), 4)


def is_pseudo_speaker(voice: Voice) -> bool:
    return isinstance(voice.extra.get("perturbation"), dict)


def _check_count(speakers_per_voice: Any) -> int:
    if isinstance(speakers_per_voice, bool) or not isinstance(speakers_per_voice, (int, np.integer)):
        raise CatalogError(f"{CONFIG_NAME} must be an integer >= 1; got {speakers_per_voice!r}")
    if speakers_per_voice < 1:
        raise CatalogError(
            f"{CONFIG_NAME} must be an integer >= 1 (1: the catalog voices only); got {speakers_per_voice}"
        )
    return int(speakers_per_voice)


def expand(voices: Sequence[Voice], speakers_per_voice: int) -> list[Voice]:
    """Every voice followed by its pseudo-speakers 1..N-1 (catalog order kept); ids checked unique."""
    n = _check_count(speakers_per_voice)
    out: list[Voice] = []
    for voice in voices:
        if not isinstance(voice, Voice):
            raise CatalogError(f"expand() takes voices.catalog.Voice entries; got {type(voice).__name__}")
        if is_pseudo_speaker(voice):
            raise CatalogError(
                f"voice {voice.id!r} is already a pseudo-speaker of {voice.extra.get('base_voice')!r}; "
                "expand the catalog's base voices once"
            )
        out.append(voice)
        for k in range(1, n):
            formant_ratio, pitch_ratio = speaker_parameters(
                voice.id, voice.gender, k, voice.extra.get("pseudo_speaker_ranges")
            )
            extra = {
                **voice.extra,
                "base_voice": voice.id,
                "perturbation": {"method": METHOD, "formant_ratio": formant_ratio, "pitch_ratio": pitch_ratio},
            }
            out.append(replace(voice, id=pseudo_speaker_id(voice.id, k), extra=extra))
    seen: dict[str, int] = {}
    for i, voice in enumerate(out):
        if voice.id in seen:
            raise CatalogError(
                f"pseudo-speaker id {voice.id!r} collides with another voice of that id; rename the catalog voice "
                f"(ids ending in -sNN are reserved for pseudo-speakers when {CONFIG_NAME} > 1)"
            )
        seen[voice.id] = i
    return out


def speaker_fields(voice: Voice) -> dict[str, Any]:
    """Keys to add to the manifest's ``speaker`` object: the same keys for every row, so the schema is fixed.

    ``base_voice``: the catalog voice the speaker was made from (its own id for a catalog voice);
    ``perturbation``: ``{"method", "formant_ratio", "pitch_ratio"}``, or None for an unperturbed voice.
    """
    if not is_pseudo_speaker(voice):
        return {"base_voice": voice.id, "perturbation": None}
    base = str(voice.extra.get("base_voice", voice.id))
    return {"base_voice": base, "perturbation": dict(voice.extra["perturbation"])}


def apply(voice: Voice, audio: np.ndarray, sample_rate: int, seed: int = 0) -> np.ndarray:
    """The voice's perturbation applied to its clean render; `audio` itself when it has none.

    `seed` (e.g. the item's seed) feeds PSOLA's noise for unvoiced stretches; any fixed value is deterministic."""
    if not is_pseudo_speaker(voice):
        return audio
    p = voice.extra["perturbation"]
    if p.get("method") != METHOD:
        raise CatalogError(f"voice {voice.id!r}: unknown perturbation method {p.get('method')!r}; known: {METHOD}")
    return perturb(audio, sample_rate, float(p["formant_ratio"]), float(p["pitch_ratio"]), seed=seed)
