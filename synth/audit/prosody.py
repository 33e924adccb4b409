"""Prosody labels against the audio: the same text rendered again at factor 1.0, then compared.

A factor is relative to the voice's neutral rendering, so the audit renders the row's text again
with the same engine and voice at rate = pitch = volume = 1.0 (through synth.engines, as a user
would) and measures the ratios the row's audio realizes:
- pitch: F0 of the row over the neutral render's, from Praat's autocorrelation pitch tracker
  (praat-parselmouth): the median, over the voiced frames' deciles (10 %...90 %), of the row's decile
  over the neutral's. A contour with two plateaus (a rise, a fall) has a median that jumps from one
  to the other: MBROLA mb-nl2 "Call the pharmacy." at pitch 0.98 read 1.23 by the medians while
  every quartile moved by 0.97-0.99. Deciles compare like with like; their median ignores the few
  that fall on such a jump, and the tails where octave errors live;
- rate: the neutral span between the first and last speech frame over the row's, at several
  speech ranges (SPAN_RANGES_DB below the loudest frame), median of those ratios. One range alone
  can sit on a quiet plateau (Festival rab's final "t" of "Not yet." holds 8 frames at 38-41 dB below
  the peak: a pitch change that lowers the peak by 1.7 dB moved that range's span by 12 %, with
  the file's length unchanged);
- volume: RMS over speech frames, row against neutral.
Same text, same voice: the ratios measure the factor alone, not the text's own melody or length.
A pseudo-speaker's neutral render gets its warp (speaker.perturbation) too: the warp is the voice.
Across a group's rows, the slope of log(realized) on log(label) says whether the factor is applied
at all and at what strength (1.0: as labelled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from synth.audio_io import frame_energy, resample
from synth.engines.base import Engine, EngineError, Prosody, create_engine
from synth.manifest import Utterance
from synth.normalize import to_spoken

FRAME_S = 0.01
SPEECH_RANGE_DB = 40.0  # a frame is speech within this many dB of the loudest frame
SPEECH_FLOOR_DBFS = -60.0
SPAN_RANGES_DB = (30.0, 35.0, 40.0, 45.0, 50.0)  # speech ranges the heard span is measured at (rate)
F0_QUANTILES = tuple(q / 10 for q in range(1, 10))  # voiced frames' deciles compared (pitch)


@dataclass(frozen=True)
class Realized:
    """Realized factors (None where not measurable) and what the labels expect."""

    pitch: float | None
    rate: float | None
    volume: float | None
    expected_pitch: float
    expected_rate: float
    expected_volume: float


def voiced_f0(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """F0 in Hz of the voiced 10 ms frames (Praat autocorrelation, 50–600 Hz)."""
    import parselmouth

    sound = parselmouth.Sound(np.asarray(audio, dtype=np.float64), sampling_frequency=sample_rate)
    f0 = sound.to_pitch_ac(time_step=FRAME_S, pitch_floor=50.0, pitch_ceiling=600.0).selected_array["frequency"]
    return f0[f0 > 0]


def median_f0(audio: np.ndarray, sample_rate: int) -> float | None:
    """Median F0 in Hz over voiced 10 ms frames, or None (fewer than 5)."""
    voiced = voiced_f0(audio, sample_rate)
    return float(np.exp(np.median(np.log(voiced)))) if len(voiced) >= 5 else None


def pitch_ratio(audio: np.ndarray, neutral: np.ndarray, sample_rate: int) -> float | None:
    """F0 of `audio` over `neutral`'s: the median of their voiced frames' decile ratios (None: under 5 voiced)."""
    f0, f0_neutral = voiced_f0(audio, sample_rate), voiced_f0(neutral, sample_rate)
    if len(f0) < 5 or len(f0_neutral) < 5:
        return None
    return float(np.median(np.quantile(f0, F0_QUANTILES) / np.quantile(f0_neutral, F0_QUANTILES)))


def _frame_db(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    return 10 * np.log10(np.maximum(frame_energy(audio, sample_rate, FRAME_S), 1e-12))


def _speech(db: np.ndarray, range_db: float = SPEECH_RANGE_DB) -> np.ndarray:
    return db >= max(float(db.max()) - range_db, SPEECH_FLOOR_DBFS) if len(db) else db.astype(bool)


def speech_span(audio: np.ndarray, sample_rate: int, range_db: float = SPEECH_RANGE_DB) -> float | None:
    """Seconds from the first to the last speech frame (within `range_db` of the loudest), or None."""
    speech = np.flatnonzero(_speech(_frame_db(audio, sample_rate), range_db))
    return (speech[-1] - speech[0] + 1) * FRAME_S if len(speech) else None


def heard_ratio(neutral: np.ndarray, audio: np.ndarray, sample_rate: int) -> float | None:
    """How much faster `audio` is heard than `neutral`: the median over SPAN_RANGES_DB of their span ratios."""
    ratios = []
    for range_db in SPAN_RANGES_DB:
        span, span_neutral = speech_span(audio, sample_rate, range_db), speech_span(neutral, sample_rate, range_db)
        if span and span_neutral:
            ratios.append(span_neutral / span)
    return float(np.median(ratios)) if ratios else None


def speech_level_db(audio: np.ndarray, sample_rate: int) -> float | None:
    """Mean power of the speech frames in dB, or None."""
    db = _frame_db(audio, sample_rate)
    speech = _speech(db)
    return float(10 * np.log10(np.mean(10 ** (db[speech] / 10)))) if speech.any() else None


class NeutralRenderer:
    """Renders a row's text again at factor 1.0; one engine per (name, options), reused."""

    def __init__(self, engine_options: dict | None = None, timeout_s: float = 60.0):
        """:param engine_options: the corpus config's `engines` mapping (engine name -> options)
        :param timeout_s: per render"""
        self.options = engine_options or {}
        self.timeout_s = timeout_s
        self._engines: dict[str, Engine] = {}

    def render(self, row: Utterance) -> tuple[np.ndarray, int]:
        """The row's text in its voice at rate = pitch = volume = 1.0, at the row's sample rate.
        Raises EngineError when the engine or voice is not available here."""
        name = row.speaker.engine
        if name not in self._engines:
            self._engines[name] = create_engine(name, timeout_s=self.timeout_s, **dict(self.options.get(name) or {}))
        spoken = to_spoken(row.text).spoken
        synthesis = self._engines[name].synthesize(spoken, row.speaker.voice, Prosody(), row.seed)
        audio = synthesis.audio
        warp = row.speaker.perturbation
        if warp:  # a pseudo-speaker: its warp is part of the voice, so the neutral render gets it too
            from voices.perturb import perturb

            audio = perturb(
                audio, synthesis.sample_rate, float(warp["formant_ratio"]), float(warp["pitch_ratio"]), seed=row.seed
            )
        return resample(audio, synthesis.sample_rate, row.sample_rate), row.sample_rate

    def close(self) -> None:
        while self._engines:
            self._engines.popitem()[1].close()


def realized(row: Utterance, audio: np.ndarray, neutral: np.ndarray, sample_rate: int) -> Realized:
    """The row's realized factors against its neutral re-render (both at `sample_rate`)."""
    level, level_neutral = speech_level_db(audio, sample_rate), speech_level_db(neutral, sample_rate)
    return Realized(
        pitch=pitch_ratio(audio, neutral, sample_rate),
        rate=heard_ratio(neutral, audio, sample_rate),
        volume=10 ** ((level - level_neutral) / 20) if level is not None and level_neutral is not None else None,
        expected_pitch=float(row.prosody.pitch),
        expected_rate=float(row.prosody.rate),
        expected_volume=float(row.prosody.volume),
    )


def log_error(realized_value: float | None, expected: float) -> float | None:
    """log(realized / expected): 0 when the label is exact; None when not measured."""
    if realized_value is None or realized_value <= 0 or expected <= 0:
        return None
    return math.log(realized_value / expected)


def slope(labels: list[float], realized_values: list[float]) -> float | None:
    """Least-squares slope of log(realized) on log(label); None without spread in the labels."""
    x, y = np.log(np.asarray(labels)), np.log(np.asarray(realized_values))
    if len(x) < 2 or np.ptp(x) == 0:
        return None
    return float(np.polyfit(x, y, 1)[0])


__all__ = ["EngineError", "NeutralRenderer", "Realized", "log_error", "realized", "slope"]
