"""Which Kokoro style blends make intelligible, distinct English speakers (for voices/kokoro_en.yaml).

For each voice (a pack name or a blend ``a:w+b:w``): pocketsphinx WER on clean renders of the first N
built-in prompts, speed (audio s per CPU s, one thread), median F0 (parselmouth) and the mean of
its MFCCs (librosa, 20 coefficients without c0, on 16 kHz audio). Distinctness: for each voice, the
nearest other voice by MFCC-mean distance, and the F0 gap to it in semitones.

    python benchmarks/kokoro_blends.py [--prompts 30] [--jobs 2] [--voices V ...] [--catalog]
    python benchmarks/kokoro_blends.py --calibrate [--prompts 8]     # recorded rate vs measured

--catalog measures the voices of voices/kokoro_en.yaml instead of the candidate list below.
--calibrate checks the rate control: for several rates, the rate the engine records against the
measured ratio of speech durations (trimmed audio less its fixed pads) to the rate-1.0 renders.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from benchmarks.common import cpu_seconds  # noqa: E402

BASE = ["jm_kumo", "jf_gongitsune", "jf_nezumi"]
CANDIDATES = BASE + [
    "jm_kumo:0.8+jf_nezumi:0.2",
    "jm_kumo:0.7+jf_gongitsune:0.3",
    "jm_kumo:0.75+jf_alpha:0.25",
    "jm_kumo:0.75+jf_tebukuro:0.25",
    "jf_gongitsune:0.5+jf_nezumi:0.5",
    "jf_nezumi:0.7+jf_alpha:0.3",
    "jf_gongitsune:0.7+jf_tebukuro:0.3",
    "jf_nezumi:0.6+jf_tebukuro:0.4",
    "jf_gongitsune:0.6+jf_alpha:0.4",
    "jf_gongitsune:0.6+jm_kumo:0.4",
]
ASR_RATE = 16000


def builtin_items(n: int) -> list[tuple[str, str]]:
    """(spoken text for the engine, transcript) of the first n built-in prompts that normalize."""
    from synth.normalize import NormalizationError, to_spoken
    from synth.prompts import PromptRejection, read_prompts

    out = []
    for prompt in read_prompts(None, max_chars=500):
        if isinstance(prompt, PromptRejection):
            continue
        try:
            spoken = to_spoken(prompt.text)
        except NormalizationError:
            continue
        out.append((spoken.spoken, spoken.transcript))
        if len(out) == n:
            break
    return out


def measure(voice: str, items: list[tuple[str, str]]) -> dict:
    """Render every item in `voice` (in a worker of its own), then transcribe and describe the voice."""
    import librosa
    import parselmouth

    from synth.asr_check import AsrChecker, word_errors
    from synth.audio_io import resample
    from synth.engines.base import Prosody
    from synth.engines.kokoro import KokoroEngine

    engine = KokoroEngine()
    engine.synthesize("warm up.", voice, Prosody())  # model load is not rendering time
    start, seconds, renders = cpu_seconds(), 0.0, []
    for spoken, _ in items:
        out = engine.synthesize(spoken, voice, Prosody())
        renders.append(resample(out.audio, out.sample_rate, ASR_RATE))
        seconds += len(out.audio) / out.sample_rate
    used = cpu_seconds() - start
    engine.close()
    checker = AsrChecker(max_wer=None)
    errors = words = 0
    f0s, mfccs = [], []
    for audio, (_, transcript) in zip(renders, items):
        e, w = word_errors(transcript, checker.transcribe(audio, ASR_RATE))
        errors, words = errors + e, words + w
        pitch = parselmouth.Sound(audio.astype(np.float64), ASR_RATE).to_pitch().selected_array["frequency"]
        f0s += list(pitch[pitch > 0])
        mfccs.append(librosa.feature.mfcc(y=audio, sr=ASR_RATE, n_mfcc=21)[1:])
    return {
        "voice": voice,
        "wer": errors / words,
        "speed": seconds / used,
        "f0": float(np.median(f0s)),
        "mfcc": np.concatenate(mfccs, axis=1).mean(axis=1),
    }


def table(results: list[dict]) -> list[str]:
    lines = [
        "| voice | WER | speed | median F0 Hz | nearest voice | MFCC dist | F0 gap st |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        others = [o for o in results if o is not r]
        near = min(others, key=lambda o: float(np.linalg.norm(r["mfcc"] - o["mfcc"]))) if others else None
        dist = float(np.linalg.norm(r["mfcc"] - near["mfcc"])) if near else float("nan")
        gap = 12 * np.log2(r["f0"] / near["f0"]) if near else float("nan")
        lines.append(
            f"| {r['voice']} | {r['wer']:.3f} | {r['speed']:.2f} | {r['f0']:.0f} | "
            f"{near['voice'] if near else '-'} | {dist:.1f} | {gap:+.1f} |"
        )
    return lines


def calibrate(items: list[tuple[str, str]], rates=(0.7, 0.8, 0.9, 0.95, 1.05, 1.1, 1.25, 1.5)) -> None:
    """Requested rate, recorded rate and the measured ratio of speech durations (trimmed audio less its pads)."""
    from synth.engines import kokoro
    from synth.engines.base import Prosody

    engine = kokoro.KokoroEngine(word_times=False)
    pads = int((kokoro.LEAD_PAD_S + kokoro.TRAIL_PAD_S) * kokoro.SAMPLE_RATE)
    print("| voice | requested | recorded (mean) | measured duration ratio |\n|---|---|---|---|")
    for voice in BASE:
        base = [len(engine.synthesize(s, voice, Prosody()).audio) - pads for s, _ in items]
        for rate in rates:
            outs = [engine.synthesize(s, voice, Prosody(rate=rate)) for s, _ in items]
            ratio = sum(base) / sum(len(o.audio) - pads for o in outs)
            recorded = float(np.mean([o.prosody.rate for o in outs]))
            print(f"| {voice} | {rate:.2f} | {recorded:.3f} | {ratio:.3f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--voices", nargs="*", default=None)
    parser.add_argument("--catalog", action="store_true", help="measure the voices of voices/kokoro_en.yaml")
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    items = builtin_items(args.prompts)
    if args.calibrate:
        calibrate(items)
        return 0
    voices = args.voices or CANDIDATES
    if args.catalog:
        from voices.catalog import load_catalog

        voices = [v.engine_voice for v in load_catalog("voices/kokoro_en.yaml")]
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(measure, voices, [items] * len(voices)))
    print(f"Kokoro voices, first {len(items)} built-in prompts (pocketsphinx WER; speed = audio s per CPU s)")
    print("\n".join(table(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
