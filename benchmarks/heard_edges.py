"""Fit and check how Kokoro's and hibari's heard speech span follows their duration frames.

Both engines record the rate as a heard ratio predicted from the frames (synth/engines/kokoro_frames.py):
heard = speech frames + lead × leading pad frames + offset, per model call. This renders built-in
prompts at model speeds 0.8-1.25 through the engine's own calls, measures the heard span of each
render pair (speed 1 and the speed) with the audit's own measurement (synth.audit.prosody.heard_ratio:
spans from the first to the last 10 ms frame at several ranges below the loudest, median of their
ratios; at 16 kHz), fits (lead, offset) on the fit prompts (least squared log error), and reports,
on fit and held-out prompts, the error of the predicted ratio (heard at speed 1 over heard at the
speed) against the measured one, and the log-log slope of measured on predicted at 0.9/1.1 alone
(the default jitter) and over all speeds: with the fitted edges, with the engine's current edges,
and with the rule it replaced (the speech-frame ratio ** gamma). Single-call prompts only (the fit is per call).

    python benchmarks/heard_edges.py --engine kokoro --voice jf_nezumi --fit 0-23,200-223 --test 110-133
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

SPEEDS = (0.8, 0.9, 1.0, 1.1, 1.25)
FRAME_S = 0.025  # one duration frame in both models (600 samples at 24 kHz)
RATE_HZ = 16000  # the corpus rate the audit hears (the default config's)
GAMMA_BEFORE = {"kokoro": 1.12, "hibari": 1.08}  # the rule this replaced: heard ratio = frame ratio ** gamma


def kokoro_calls(voice: str):
    """A function (text, speed) -> (audio as the engine joins it, [(frames per padded token, speech span)])."""
    from synth.engines import create_engine
    from synth.engines import kokoro as k

    engine = create_engine("kokoro")
    engine._start()
    pack = engine._pack(voice)

    def render(text: str, speed: float):
        chunks = k.split_phonemes(engine._phonemize([text])[0])
        parts = [engine._render(chunk, pack, speed) for chunk in chunks]
        return np.concatenate([p.audio for p in parts]), [(p.frames, k.speech_span(c)) for p, c in zip(parts, chunks)]

    return render, k.EDGES


def hibari_calls(voice: str):
    from hibari import dsp

    from synth.engines import create_engine
    from synth.engines import hibari as h

    engine = create_engine("hibari")
    front, model = engine._load(voice)

    def render(text: str, speed: float):
        chunks, _ = engine._chunks(front, text)
        pieces, calls = [], []
        for index, chunk in enumerate(chunks):
            (lh, th, ln, lr, phi, f0), _, units = engine._run(model, chunk.ids, speed)
            rng = np.random.Generator(np.random.PCG64([0, index]))
            pieces.append(np.asarray(dsp.synth(lh, th, ln, lr, phi, f0, rng), dtype=np.float32))
            calls.append((units, h.speech_span(chunk.phonemes)))
        return np.concatenate(pieces), calls

    return render, h.EDGES


def prompt_range(spec: str) -> list[int]:
    out = []
    for part in filter(None, spec.split(",")):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def collect(render, texts: list[str], indices: list[int]) -> list[tuple]:
    """(prompt, speed, heard ratio measured, speech and leading pad frames at 1.0 and at the speed, tail frames
    at 1.0 and at the speed)
    per single-call prompt and speed != 1: the ratio is the audit's own (synth.audit.prosody.heard_ratio)
    on both renders resampled to RATE_HZ, as the audit hears a corpus row."""
    from synth.audio_io import resample
    from synth.audit.prosody import heard_ratio

    rows = []
    for i in indices:
        renders = {}
        for speed in SPEEDS:
            audio, calls = render(texts[i], speed)
            if len(calls) != 1:
                break
            frames, span = calls[0]
            tail = float(frames[span.stop :].sum())  # the last sounding phoneme and what follows (saved, not fitted)
            renders[speed] = (
                resample(audio, 24000, RATE_HZ),
                float(frames[span].sum()),
                float(frames[: span.start].sum()),
                tail,
            )
        if len(renders) < len(SPEEDS):
            continue
        base = renders[1.0]
        for speed, (audio, speech, pad, tail) in renders.items():
            if speed != 1.0:
                rows.append(
                    (i, speed, heard_ratio(base[0], audio, RATE_HZ), base[1], base[2], speech, pad, base[3], tail)
                )
    return rows


def predicted(rows: np.ndarray, lead: float, offset: float) -> np.ndarray:
    """The heard ratio the edges predict (kokoro_frames.heard_frames at 1.0 over at the speed)."""
    return (rows[:, 3] + lead * rows[:, 4] + offset) / (rows[:, 5] + lead * rows[:, 6] + offset)


def fit_edges(rows: np.ndarray) -> tuple[float, float]:
    """(lead, offset) minimizing the squared log error of the predicted ratio (grid steps 0.01 and 0.1 frame)."""
    best = None
    for lead in np.arange(0.0, 1.001, 0.01):
        for offset in np.arange(-20.0, 5.001, 0.1):
            err = float(np.sum(np.log(rows[:, 2] / predicted(rows, lead, offset)) ** 2))
            if best is None or err < best[0]:
                best = (err, round(float(lead), 2), round(float(offset), 1))
    return best[1], best[2]


def report(name: str, rows: np.ndarray, label: np.ndarray) -> str:
    """Errors of the predicted heard ratio against the measured one; slopes at 0.9/1.1 and over all speeds."""
    errors = np.abs(np.log(rows[:, 2] / label))
    x, y = np.log(label), np.log(rows[:, 2])
    jitter = np.isin(rows[:, 1], (0.9, 1.1))
    return (
        f"| {name} | {len(errors)} | {100 * np.median(errors):.2f} | {100 * np.quantile(errors, 0.9):.2f} "
        f"| {100 * errors.max():.2f} | {np.polyfit(x[jitter], y[jitter], 1)[0]:.3f} | {np.polyfit(x, y, 1)[0]:.3f} |"
    )


def main() -> None:
    from synth.normalize import builtin_spoken_texts

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("kokoro", "hibari"), required=True)
    parser.add_argument("--voice", required=True)
    parser.add_argument(
        "--fit", default="", help="prompt indices to fit on (0-based, e.g. 0-23,200-223); none: check only"
    )
    parser.add_argument("--test", default="110-133", help="held-out prompt indices")
    parser.add_argument("--save", default="", help="write the measured rows here (.npz: fit, test)")
    args = parser.parse_args()
    render, current = (kokoro_calls if args.engine == "kokoro" else hibari_calls)(args.voice)
    texts = builtin_spoken_texts()
    fit_rows = np.asarray(collect(render, texts, prompt_range(args.fit))) if args.fit else None
    test_rows = np.asarray(collect(render, texts, prompt_range(args.test)))
    if args.save:
        np.savez(args.save, fit=fit_rows if fit_rows is not None else np.zeros((0, 9)), test=test_rows)
    gamma = GAMMA_BEFORE[args.engine]
    models = {
        f"current edges (lead {current.lead}, offset {current.offset})": lambda r: predicted(
            r, current.lead, current.offset
        ),
        f"before: speech-frame ratio ** {gamma}": lambda r: (r[:, 3] / r[:, 5]) ** gamma,
    }
    if fit_rows is not None:
        lead, offset = fit_edges(fit_rows)
        print(f"fitted: lead {lead}, offset {offset} frames ({len(fit_rows)} renders against their 1.0)")
        models = {f"fitted (lead {lead}, offset {offset})": lambda r: predicted(r, lead, offset), **models}
    print(f"{args.engine} {args.voice}; speeds {SPEEDS}; |log error| of the predicted heard ratio in %")
    print("| model | set | renders | median % | p90 % | max % | slope at 0.9/1.1 | slope 0.8-1.25 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, predict in models.items():
        for set_name, rows in (("fit", fit_rows), ("held out", test_rows)):
            if rows is not None and len(rows):
                print(report(f"{name} | {set_name}", rows, predict(rows)), flush=True)


if __name__ == "__main__":
    main()
