"""MBROLA missing diphones: the share of items each voice repairs and rejects; no accepted render may have a gap.

For every MBROLA voice of the shipped catalog and the built-in prompts, the espeak-ng command
renders the item as it is (with MBROLA's warnings), and the engine renders it (substituting
phonemes where the database lacks a pair, rejecting what it cannot repair; mbrola_diphones.py).
Each render the engine accepts is then checked by a detector that does not read those warnings
(silence_gaps): silence inside the speech where eSpeak NG's phoneme file (``espeak-ng --pho``, what
drives MBROLA, timed by its durations) says there is sound. Pauses and stop closures are silent in
MBROLA too (mb-us1: 14 of the first 40 prompts have a closure of 20 ms or more), which is why the
phoneme file is needed. The raw renders of the items that lack a pair are checked the same way, to
show that the detector sees the gaps the warnings announce; --asr adds pocketsphinx's WER of those
items before and after the repair (are the words back?).

    python benchmarks/mbrola_gaps.py [--prompts N] [--voices mb-us3,mb-de1-en] [--asr] [--no-record]
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
VOWELS = set("aeiouy@EIOUVAQY{369")  # … and these vowels (i:, aI, O2, @U, E:…)
SILENCE_DBFS, VOWEL_OVERLAP_MS = -60.0, 10.0


def phones(text: str, voice: str, rate_wpm: int = 175, pitch: int = 50) -> list[tuple[str, float, float]]:
    """(MBROLA phoneme, start s, end s) for `text` in MBROLA `voice`, from eSpeak NG's phoneme file."""
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
    t, out = 0.0, []
    for line in pho.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[1].isdigit():
            duration = int(fields[1]) / 1000
            out.append((fields[0], t, t + duration))
            t += duration
    return out


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for start, end in spans:
        if out and abs(out[-1][1] - start) < 1e-9:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def silence_gaps(
    audio: np.ndarray, sample_rate: int, spoken: list[tuple[str, float, float]]
) -> list[tuple[float, float]]:
    """Silent runs inside the speech where eSpeak NG's phonemes say there is sound: the gaps.

    Two kinds, each at least MIN_GAP_MS long and not within a pause or stop (TOLERANCE_MS slack):
    runs of exact zeros (what most databases play for a missing pair), and runs of 5 ms frames
    below SILENCE_DBFS that overlap a vowel by VOWEL_OVERLAP_MS or more (sw2 plays its silence
    diphone, faint noise at about -66 dBFS, not zeros; weak consonants such as D or X are that
    quiet in some voices, vowels never).

    :param audio: the render
    :param sample_rate: its rate
    :param spoken: the phonemes that drove MBROLA, timed (phones)
    """
    audio = np.asarray(audio, dtype=np.float64)
    if not np.any(audio):
        return []
    quiet_ok = _merged([(s, e) for name, s, e in spoken if name == "_" or name[0] in STOPS])
    vowels = [(s, e) for name, s, e in spoken if name[0] in VOWELS]
    first, last = np.flatnonzero(audio)[[0, -1]]
    tol, min_len, gaps = TOLERANCE_MS / 1000, MIN_GAP_MS / 1000, []

    def expected(s: float, e: float) -> bool:
        return any(p0 - tol <= s and e <= p1 + tol for p0, p1 in quiet_ok)

    for a, b in _runs(audio == 0):
        s, e = a / sample_rate, b / sample_rate
        if e - s >= min_len and first < a and b <= last and not expected(s, e):
            gaps.append((round(s, 3), round(e, 3)))
    hop = max(1, int(sample_rate * 0.005))
    n = len(audio) // hop
    quiet = np.sqrt((audio[: n * hop].reshape(n, hop) ** 2).mean(axis=1)) < 10 ** (SILENCE_DBFS / 20)
    for a, b in _runs(quiet):
        s, e = a * hop / sample_rate, b * hop / sample_rate
        if e - s < min_len or a * hop <= first or b * hop > last or expected(s, e):
            continue
        if any(min(e, v1) - max(s, v0) >= VOWEL_OVERLAP_MS / 1000 for v0, v1 in vowels):
            if not any(g0 <= s + tol and e - tol <= g1 for g0, g1 in gaps):
                gaps.append((round(s, 3), round(e, 3)))
    return sorted(gaps)


def row(voice: str, t: dict) -> str:
    n, hit, fixed = t["items"], t["affected"], t["repaired"]
    asr = f" {t['wer_raw'] / fixed:.2f} → {t['wer_repaired'] / fixed:.2f} |" if fixed and t["wer_raw"] else " – |"
    return (
        f"| {voice} | {hit}/{n} ({hit / n:.0%}) | {fixed} ({fixed / n:.0%}) "
        f"| {t['rejected']} ({t['rejected'] / n:.0%}) | {t['raw_gaps']}/{hit} | {t['gaps']}/{n - t['rejected']} |" + asr
    )


def main() -> None:
    from synth.engines import EngineError, Prosody, create_engine
    from synth.engines.mbrola import parse_wav
    from synth.engines.mbrola_diphones import missing_diphones
    from synth.normalize import builtin_spoken_forms
    from voices.catalog import load_catalog

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=0, help="first N built-in prompts (default: all)")
    parser.add_argument("--voices", default="", help="comma-separated engine voices (default: the whole catalog)")
    parser.add_argument("--asr", action="store_true", help="also WER (pocketsphinx) of raw vs repaired renders")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args()
    forms = builtin_spoken_forms()
    forms = forms[: args.prompts] if args.prompts else forms
    texts = [f.spoken for f in forms]
    asr = None
    if args.asr:
        from synth.asr_check import AsrChecker, wer

        asr = AsrChecker(max_wer=None)
    voices = [v.engine_voice for v in load_catalog("mbrola_en")]
    voices = [v for v in voices if v in args.voices.split(",")] if args.voices else voices
    engine = create_engine("mbrola")
    env = {k: v for k, v in os.environ.items() if k != "ESPEAK_DATA_PATH"}
    lines = [
        f"{len(texts)} built-in prompts per voice; gap = silence >= {MIN_GAP_MS:g} ms inside speech where "
        "eSpeak NG's phonemes say there is sound (exact zeros, or < -60 dBFS over a vowel)",
        "",
        "| voice | items lacking a diphone | repaired | rejected | raw renders of those with a gap "
        "| accepted renders with a gap | WER of the repaired items: raw → repaired |",
        "|---|---|---|---|---|---|---|",
    ]
    totals = {"affected": 0, "repaired": 0, "rejected": 0, "gaps": 0, "raw_gaps": 0, "items": 0}
    totals |= {"wer_raw": 0.0, "wer_repaired": 0.0}
    for voice in voices:
        t = dict.fromkeys(totals, 0)
        for seed, text in enumerate(texts):
            spoken = phones(text, voice)
            raw = subprocess.run(
                [engine.command, "-v", voice, "-a", str(engine.amplitude), "-b", "1", "--stdin", "--stdout"],
                input=text.encode(),
                capture_output=True,
                env=env,
            )
            raw_audio, rate = parse_wav(raw.stdout)
            t["items"] += 1
            affected = bool(missing_diphones(raw.stderr))
            if not affected and seed % 10:
                # the engine runs this very command and keeps its output when MBROLA lacks nothing
                # (checked on every tenth such item below): judge the raw render
                out_audio = raw_audio
            else:
                try:
                    out = engine.synthesize(text, voice, Prosody(), seed)
                except EngineError as error:
                    if "lacks the diphone" not in str(error):
                        raise
                    t["affected"] += 1
                    t["rejected"] += 1
                    t["raw_gaps"] += bool(silence_gaps(raw_audio, rate, spoken))
                    print(f"  rejected: {voice} {text!r}: {str(error)[:160]}", flush=True)
                    continue
                out_audio = out.audio
                if not affected:
                    assert np.array_equal(out_audio, raw_audio), f"{voice} {text!r}: engine differs from espeak-ng"
            if affected:
                t["affected"] += 1
                t["repaired"] += 1
                t["raw_gaps"] += bool(silence_gaps(raw_audio, rate, spoken))
                if asr is not None:
                    t["wer_raw"] += wer(forms[seed].transcript, asr.transcribe(raw_audio, rate))
                    t["wer_repaired"] += wer(forms[seed].transcript, asr.transcribe(out_audio, rate))
            gaps = silence_gaps(out_audio, rate, spoken)
            if gaps:
                t["gaps"] += 1
                print(f"  gap in accepted render: {voice} {text!r} {gaps}", flush=True)
        totals = {k: totals[k] + t[k] for k in totals}
        lines.append(row(voice, t))
        print(lines[-1], flush=True)
    lines.append(row("all", totals))
    print("\n".join(lines))
    if not args.no_record:
        append_results("MBROLA missing diphones: repaired and rejected items, gap check", " ".join(sys.argv), lines)


if __name__ == "__main__":
    main()
