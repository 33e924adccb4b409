"""eSpeak NG's pitch setting against the F0 it gives: the curve synth/engines/espeak_pitch.py holds.

eSpeak NG scales only the base of its intonation by the pitch setting (wavegen.c SetPitch2: base ×
pitch_adjust_tab[setting]), not the range above it, so F0 moves by about the square root of the
setting's ratio. This script measures, for each setting on a grid, the median F0 (Praat, through
parselmouth) over the first N built-in prompts relative to the same prompt at the default setting
50, in several eSpeak NG and MBROLA voices (both take their pitch from eSpeak NG's intonation), and
prints the median ratio per setting as the Python table to paste, with the spread across voices.
Renders go through Debian's `espeak-ng` command (`-p SETTING`), not through our engines, so the
curve is measured apart from the code that uses it; benchmarks/prosody_slopes.py then checks the
engines' labels against the audio.

    python benchmarks/espeak_pitch_curve.py [--prompts 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.prosody_slopes import f0_of  # noqa: E402
from synth.engines.base import Prosody, Synthesis  # noqa: E402
from synth.engines.mbrola import espeak_ng_info, parse_wav  # noqa: E402
from synth.normalize import builtin_spoken_texts  # noqa: E402

GRID = (0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 99)
VOICES = ["en-us", "en-us+f1", "en+f5", "en-gb-scotland+m3", "en-gb-x-rp+m7", "mb-us1", "mb-en1", "mb-de4-en"]


def render(text: str, voice: str, setting: int) -> Synthesis:
    """`text` in `voice` at eSpeak NG pitch `setting`, by the espeak-ng command."""
    command, _data = espeak_ng_info()
    env = {k: v for k, v in os.environ.items() if k != "ESPEAK_DATA_PATH"}
    done = subprocess.run(
        [command, "-v", voice, "-p", str(setting), "-b", "1", "--stdin", "--stdout"],
        input=text.encode(),
        capture_output=True,
        check=True,
        env=env,
    )
    audio, rate = parse_wav(done.stdout)
    return Synthesis(audio=audio, sample_rate=rate, prosody=Prosody(), word_events=None, boundaries=[])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=6)
    args = parser.parse_args()
    texts = builtin_spoken_texts()[: args.prompts]
    by_setting: dict[int, list[float]] = {p: [] for p in GRID}
    for voice in VOICES:
        per_voice = {p: [f0_of(render(text, voice, p)) for text in texts] for p in GRID}
        for p in GRID:
            by_setting[p].append(statistics.median(a / b for a, b in zip(per_voice[p], per_voice[50])))
        print(voice, {p: round(by_setting[p][-1], 3) for p in GRID}, flush=True)
    print("PITCH_CURVE = {")
    for p in GRID:
        values = by_setting[p]
        print(f"    {p}: {statistics.median(values):.4f},  # voices {min(values):.3f}-{max(values):.3f}")
    print("}")


if __name__ == "__main__":
    main()
