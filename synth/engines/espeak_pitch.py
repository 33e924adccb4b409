"""eSpeak NG's pitch setting and the F0 factor it really gives: a measured curve, and its inverse.

The setting (0–99, default 50) is not a factor on F0: eSpeak NG multiplies only the base of its
intonation by a table entry for the setting (wavegen.c SetPitch2) and leaves the range above the
base alone, so setting 60 (asked as 1.2 by the old linear mapping) gave +10 % F0 and 40 gave −9 %.
PITCH_CURVE is the median F0 ratio against setting 50, measured by benchmarks/espeak_pitch_curve.py
(Praat pitch, first 6 built-in prompts, 5 eSpeak NG voices and 3 MBROLA voices through the
espeak-ng command; MBROLA takes its F0 from eSpeak NG's intonation). The voices agree within 1 %
for factors 0.9–1.1 and within 5 % at the ends (0.67 and 1.68), so one curve serves every voice.
A factor is mapped to the whole setting whose F0 ratio is nearest, and that ratio is what the label
records: factors outside 0.67–1.68 are clamped to the ends.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

PITCH_CURVE = {  # setting -> median F0 ratio against setting 50 (spread across the 8 voices)
    0: 0.6657,  # voices 0.635-0.703
    5: 0.6887,  # voices 0.662-0.727
    10: 0.7101,  # voices 0.692-0.742
    15: 0.7366,  # voices 0.719-0.771
    20: 0.7619,  # voices 0.747-0.789
    25: 0.7998,  # voices 0.790-0.830
    30: 0.8314,  # voices 0.823-0.859
    35: 0.8694,  # voices 0.864-0.884
    40: 0.9076,  # voices 0.902-0.922
    45: 0.9514,  # voices 0.950-0.960
    50: 1.0000,  # voices 1.000-1.000
    55: 1.0485,  # voices 1.043-1.051
    60: 1.1074,  # voices 1.091-1.110
    65: 1.1656,  # voices 1.145-1.173
    70: 1.2218,  # voices 1.196-1.235
    75: 1.2879,  # voices 1.259-1.304
    80: 1.3605,  # voices 1.319-1.380
    85: 1.4355,  # voices 1.382-1.459
    90: 1.5169,  # voices 1.454-1.545
    95: 1.6082,  # voices 1.535-1.636
    99: 1.6823,  # voices 1.602-1.711
}
DEFAULT_SETTING, SETTING_LIMITS = 50, (0, 99)


@cache
def _ratios() -> tuple[float, ...]:
    """The F0 ratio of every whole setting 0..99, log-linear between the measured grid points."""
    grid = sorted(PITCH_CURVE)
    out = []
    for setting in range(SETTING_LIMITS[0], SETTING_LIMITS[1] + 1):
        hi = next(g for g in grid if g >= setting)
        lo = max(g for g in grid if g <= setting)
        if hi == lo:
            out.append(PITCH_CURVE[lo])
            continue
        w = (setting - lo) / (hi - lo)
        out.append(math.exp((1 - w) * math.log(PITCH_CURVE[lo]) + w * math.log(PITCH_CURVE[hi])))
    return tuple(out)


@cache
def _log_ratios() -> np.ndarray:
    return np.array([math.log(r) for r in _ratios()])


def pitch_setting(factor: float) -> tuple[int, float]:
    """(eSpeak NG pitch setting, the F0 factor it realizes) for an F0 factor.

    :param factor: the wanted ratio of F0 to the voice's own (1.0: the voice's default)
    """
    if factor == 1.0:
        return DEFAULT_SETTING, 1.0
    wanted = math.log(max(factor, 1e-6))
    # the nearest setting; argmin takes the first of a tie, as min() over the settings did (19 -> 6.5 us a call)
    setting = int(np.argmin(np.abs(_log_ratios() - wanted)))
    return setting + SETTING_LIMITS[0], round(_ratios()[setting], 4)
