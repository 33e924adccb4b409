"""Voice perturbation: a vocal-tract-length (formant) warp and a pitch shift that keep every word where it was.

One natural voice becomes many speakers by moving its formants (the resonances set by the length of the vocal
tract) and its pitch. Both must leave the timing alone: the corpus's word times come from the engine, before this
step, so the audio length and the onset of every word must stay put (measured: within a few ms, see the tests).

Why Praat's "Change gender" (praat-parselmouth), not WORLD (pyworld)
--------------------------------------------------------------------
Change gender resamples the sound by the formant ratio (which scales every resonance) and then restores the
duration and sets the new pitch by PSOLA (pitch-synchronous overlap-add) on Praat's own pitch marks. WORLD analyses
F0, spectral envelope and aperiodicity and resynthesizes with a frequency-warped envelope. Measured on the first 12
built-in prompts in three natural voices (Piper joe, Flite slt, RHVoice bdl), pocketsphinx WER, general LM, one thread,
formant/pitch ratios (1.08, 1.12) and (0.92, 0.88):

    voice        base   Praat 1.08/1.12  0.92/0.88   WORLD 1.08/1.12  0.92/0.88   speed (audio s / CPU s)
    piper joe    0.21        0.19          0.45            0.24          0.46       Praat 71-78, WORLD 20-22
    flite slt    0.21        0.46          0.18            0.49          0.18       Praat 88-98, WORLD 19
    rhvoice bdl  0.16        0.16          0.13            0.15          0.11       Praat 68-76, WORLD 14

The two are as intelligible as each other (both lose words when a male voice is pushed lower or a female voice
higher, which is why :mod:`voices.pseudo_speakers` keeps each gender's ranges narrow on that side). Praat is 4-5x
faster, keeps the natural excitation (no vocoder buzz on the breathy parts), and needs no F0 extractor of our own.
pyworld 0.3.5 also fails to import under setuptools >= 81 (its ``__init__`` imports the removed
``pkg_resources``). Licence: praat-parselmouth is GPL-3.0-or-later, compatible with this project's GPL-3.0-or-later.

Parameters and the ranges that are accepted
-------------------------------------------
``formant_ratio`` multiplies every formant frequency (1.1: a vocal tract ~9% shorter, sounds smaller/younger;
0.9: longer, larger). ``pitch_ratio`` multiplies F0 at every voiced frame (the median moves by exactly that factor,
the range in semitones is kept). Accepted: formant_ratio in [FORMANT_LIMITS], pitch_ratio in [PITCH_LIMITS]; beyond
those PSOLA and the resampling artefacts make the speech a caricature. For speech that still sounds like a person of
the same gender, stay within ~0.90-1.10 (formants) and ~0.85-1.18 (pitch). (1.0, 1.0) returns the input unchanged.

Determinism: Praat's PSOLA draws random numbers (for the unvoiced stretches) from Praat's one global generator, so
two identical calls differ (measured: up to 0.07 apart). perturb() seeds that generator (``seed``, default 0) right
before the call, under a lock because the generator is shared by every thread of the process: the same samples,
rate, ratios and seed give the same bytes in any process, whatever ran before (tested, incl. a fresh subprocess).
Output: float32, same length and rate as the input, peak scaled back to the input's peak (PSOLA overlap can raise
it) so a volume factor applied before this step stays true.
"""

from __future__ import annotations

import math
import threading
import warnings

import numpy as np

__all__ = ["FORMANT_LIMITS", "METHOD", "PITCH_LIMITS", "median_f0", "perturb"]

METHOD = "praat-change-gender"  # recorded in Voice.extra["perturbation"]["method"]
FORMANT_LIMITS = (0.8, 1.25)
PITCH_LIMITS = (0.6, 1.6)
PITCH_FLOOR_HZ, PITCH_CEILING_HZ = 75.0, 600.0  # Praat's defaults; cover adult male and female voices
_PRAAT_RANDOM = threading.Lock()  # Praat's random generator is process-wide: seed and use it in one step


def _parselmouth():
    try:
        import parselmouth
        import parselmouth.praat
    except ImportError as exc:
        raise ImportError(f"pseudo-speakers need praat-parselmouth ({exc}); pip install -e '.[voices]'") from exc
    return parselmouth


def _sound(audio: np.ndarray, sample_rate: int):
    parselmouth = _parselmouth()
    return parselmouth.Sound(np.asarray(audio, dtype=np.float64), sampling_frequency=float(sample_rate))


def _pitch(sound, floor: float = PITCH_FLOOR_HZ, ceiling: float = PITCH_CEILING_HZ):
    return sound.to_pitch(pitch_floor=floor, pitch_ceiling=ceiling)


def _median(pitch) -> float:
    call = _parselmouth().praat.call
    return float(call(pitch, "Get quantile", 0, 0, 0.5, "Hertz"))  # nan (undefined) when nothing is voiced


def median_f0(
    audio: np.ndarray, sample_rate: int, floor: float = PITCH_FLOOR_HZ, ceiling: float = PITCH_CEILING_HZ
) -> float:
    """Median F0 in Hz over voiced frames (Praat's autocorrelation tracker); nan when nothing is voiced."""
    return _median(_pitch(_sound(audio, sample_rate), floor, ceiling))


def _check(name: str, value: float, limits: tuple[float, float]) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [{limits[0]}, {limits[1]}]; got {value!r}") from None
    if not (math.isfinite(value) and limits[0] <= value <= limits[1]):
        raise ValueError(f"{name} must be in [{limits[0]}, {limits[1]}]; got {value}")
    return value


def perturb(audio: np.ndarray, sample_rate: int, formant_ratio: float, pitch_ratio: float, seed: int = 0) -> np.ndarray:
    """`audio` (float32 mono) with formants scaled by `formant_ratio` and F0 by `pitch_ratio`; same length.

    Audio with no voiced frame (silence, noise) gets the formant warp only: there is no pitch to move.
    `seed` seeds Praat's generator for PSOLA's unvoiced stretches; the same inputs and seed give the same bytes.
    """
    praat = _parselmouth().praat
    formant_ratio = _check("formant_ratio", formant_ratio, FORMANT_LIMITS)
    pitch_ratio = _check("pitch_ratio", pitch_ratio, PITCH_LIMITS)
    if not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive integer; got {sample_rate!r}")
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError(f"audio must be mono (1-D); got shape {audio.shape}")
    if (formant_ratio == 1.0 and pitch_ratio == 1.0) or len(audio) == 0:
        return audio.copy()
    # Praat needs a few pitch periods to analyse; a shorter clip is returned as it is.
    if len(audio) < int(0.05 * sample_rate):
        return audio.copy()
    sound = _sound(audio, sample_rate)
    # One pitch analysis serves both the median and the PSOLA marks ("Change gender" on Sound + Pitch), so the
    # new median is exactly pitch_ratio times the median Praat itself moves from.
    pitch = _pitch(sound)
    median = _median(pitch)
    new_median = median * pitch_ratio if math.isfinite(median) else 0.0  # 0: Praat keeps the pitch as it is
    # Pitch range factor 1.0 (every frame scaled by the same factor), duration factor 1.0 (timing kept).
    with _PRAAT_RANDOM, warnings.catch_warnings():
        # "no voiced segments": expected for silence or noise, where only the formant warp applies.
        warnings.filterwarnings("ignore", message="There were no voiced segments found")
        praat.run(f"random_initializeWithSeedUnsafelyButPredictably ({int(seed) % 2**32})")
        out = praat.call([sound, pitch], "Change gender", formant_ratio, new_median, 1.0, 1.0)
    if round(out.sampling_frequency) != sample_rate:  # Change gender returns the input's rate; be sure
        out = praat.call(out, "Resample", float(sample_rate), 50)
    y = np.asarray(out.values[0], dtype=np.float64)
    # Praat's output can differ from the input by a few samples (frame rounding): trim or pad at the end.
    y = y[: len(audio)] if len(y) >= len(audio) else np.pad(y, (0, len(audio) - len(y)))
    # Praat subtracts the mean of the sound; put the input's offset back, or silence would gain a DC step.
    y += float(np.mean(audio, dtype=np.float64)) - float(np.mean(y))
    peak_in, peak_out = float(np.max(np.abs(audio))), float(np.max(np.abs(y)))
    if peak_out > 0:
        y *= peak_in / peak_out
    return np.clip(y, -1.0, 1.0).astype(np.float32)
