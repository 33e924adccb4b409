"""MBROLA missing diphones: the share of items each voice rejects, and a check that no accepted render has a gap.

For every MBROLA voice of the shipped catalog and every built-in prompt, the engine renders the
item (synth.engines.mbrola rejects it when MBROLA warns that a diphone is missing). Each render
the engine accepts is then checked by a detector that does not read those warnings: a gap is a run
of digital silence (exact zero samples, at least MIN_GAP_MS) inside the speech that does not fall
in a stretch where silence is expected: one of eSpeak NG's pauses or a stop consonant (its closure)
in the phoneme file that drives MBROLA (``espeak-ng --pho``, timed by its durations, with
TOLERANCE_MS either side). MBROLA's pauses and stop closures are digital silence too (mb-us1: 14 of
the first 40 prompts have a closure of 20 ms or more), which is why the phoneme file is needed. The
rejected items are checked the same way, to show that the detector sees the gaps the warnings announce.

    python benchmarks/mbrola_gaps.py [--prompts N] [--voices mb-us3,mb-de1-en] [--no-record]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from benchmarks.common import append_results  # noqa: E402

MIN_GAP_MS = 20.0
TOLERANCE_MS = 25.0
STOPS = set("pbtdkg?")  # MBROLA SAMPA names starting with these are stops or affricates (t_h, tS, dZ…)


def pause_intervals(text: str, voice: str, rate_wpm: int = 175, pitch: int = 50) -> list[tuple[float, float]]:
    """Where eSpeak NG expects silence for `text` in MBROLA `voice` (pauses, stops), in seconds, merged."""
    from synth.engines.mbrola import espeak_ng_info

    command, _data = espeak_ng_info()
    env = {k: v for k, v in os.environ.items() if k != "ESPEAK_DATA_PATH"}
    pho = subprocess.run(
        [command, "-v", voice, "-s", str(rate_wpm), "-p", str(pitch), "-b", "1", "-q", "--pho", "--stdin"],
        input=text.encode(),
        capture_output=True,
        check=True,
        env=env,
    ).stdout.decode("utf-8", "replace")
    t, pauses = 0.0, []
    for line in pho.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[1].isdigit():
            duration = int(fields[1]) / 1000
            if fields[0] == "_" or fields[0][0] in STOPS:
                if pauses and abs(pauses[-1][1] - t) < 1e-9:
                    pauses[-1] = (pauses[-1][0], t + duration)
                else:
                    pauses.append((t, t + duration))
            t += duration
    return pauses


def silence_gaps(audio: np.ndarray, sample_rate: int, pauses: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Runs of exact zeros (>= MIN_GAP_MS) between the first and last sound that lie outside every pause.

    :param audio: the render
    :param sample_rate: its rate
    :param pauses: the (start, end) seconds where silence is expected (pause_intervals)
    """
    sounding = np.flatnonzero(audio != 0)
    if not len(sounding):
        return []
    zero = np.concatenate([[0], (audio == 0).astype(np.int8), [0]])
    edges = np.diff(zero)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    tol, gaps = TOLERANCE_MS / 1000, []
    for a, b in zip(starts, ends):
        if b - a < MIN_GAP_MS / 1000 * sample_rate or a <= sounding[0] or b > sounding[-1]:
            continue
        s, e = a / sample_rate, b / sample_rate
        if not any(p0 - tol <= s and e <= p1 + tol for p0, p1 in pauses):
            gaps.append((round(s, 3), round(e, 3)))
    return gaps


def main() -> None:
    from synth.engines import EngineError, Prosody, create_engine
    from synth.engines.mbrola import parse_wav
    from synth.normalize import builtin_spoken_texts
    from voices.catalog import load_catalog

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=0, help="first N built-in prompts (default: all)")
    parser.add_argument("--voices", default="", help="comma-separated engine voices (default: the whole catalog)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args()
    texts = builtin_spoken_texts()
    texts = texts[: args.prompts] if args.prompts else texts
    voices = [v.engine_voice for v in load_catalog("mbrola_en")]
    voices = [v for v in voices if v in args.voices.split(",")] if args.voices else voices
    engine = create_engine("mbrola")
    env = {k: v for k, v in os.environ.items() if k != "ESPEAK_DATA_PATH"}
    lines = [
        f"{len(texts)} built-in prompts per voice; gap = digital silence >= {MIN_GAP_MS:g} ms inside speech, "
        "outside eSpeak NG's pauses",
        "",
        "| voice | rejected (missing diphones) | accepted renders with a gap "
        "| rejected items whose raw render has a gap |",
        "|---|---|---|---|",
    ]
    totals = [0, 0, 0]
    for voice in voices:
        rejected = accepted_gaps = rejected_gaps = 0
        for seed, text in enumerate(texts):
            pauses = pause_intervals(text, voice)
            try:
                out = engine.synthesize(text, voice, Prosody(), seed)
            except EngineError as error:
                if "lacks the diphone" not in str(error):
                    raise
                rejected += 1
                raw = subprocess.run(
                    [engine.command, "-v", voice, "-a", str(engine.amplitude), "-b", "1", "--stdin", "--stdout"],
                    input=text.encode(),
                    capture_output=True,
                    env=env,
                ).stdout
                audio, rate = parse_wav(raw)
                rejected_gaps += bool(silence_gaps(audio, rate, pauses))
                continue
            gaps = silence_gaps(out.audio, out.sample_rate, pauses)
            if gaps:
                accepted_gaps += 1
                print(f"  gap in accepted render: {voice} {text!r} {gaps}", flush=True)
        n = len(texts)
        totals = [totals[0] + rejected, totals[1] + accepted_gaps, totals[2] + rejected_gaps]
        share = f"{rejected}/{n} ({rejected / n:.1%})"
        lines.append(f"| {voice} | {share} | {accepted_gaps}/{n - rejected} | {rejected_gaps}/{rejected} |")
        print(lines[-1], flush=True)
    lines.append(f"| all | {totals[0]}/{len(texts) * len(voices)} | {totals[1]} | {totals[2]}/{totals[0]} |")
    print("\n".join(lines))
    if not args.no_record:
        append_results("MBROLA missing diphones: rejected items and gap check", " ".join(sys.argv), lines)


if __name__ == "__main__":
    main()
