"""Per-voice intelligibility and speed: pocketsphinx WER on clean renders of the built-in prompts,
and audio seconds per CPU second of the bare engine (one thread; the engine's helper processes
included), for every voice of the given catalogs that this machine can render.

pocketsphinx (general English LM) is a weak, old recognizer: the figure ranks voices by how well a
recognizer trained on human speech hears them; it is not a naturalness score.

    python benchmarks/voices_wer.py [CATALOG ...] [--prompts N] [--jobs J] [--max-wer 0.35]

Default catalogs: the ones behind `voices=natural_en`. Appends the table to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from benchmarks.common import append_results, cpu_seconds  # noqa: E402

NATURAL = ["natural_en"]


def builtin_items(n: int) -> list[tuple[str, str]]:
    """(spoken text for the engine, transcript) of the first n built-in prompts that can be spoken."""
    from synth.normalize import builtin_spoken_forms

    return [(form.spoken, form.transcript) for form in builtin_spoken_forms()[:n]]


def measure_voice(voice, items: list[tuple[str, str]]) -> dict:
    """Render every item in `voice` (in a worker of its own), then transcribe."""
    from synth.asr_check import AsrChecker, word_errors
    from synth.engines.base import Prosody, create_engine

    engine = create_engine(voice.engine, timeout_s=120)
    renders, seconds = [], 0.0
    start = cpu_seconds()
    try:
        for i, (spoken, _) in enumerate(items):
            out = engine.synthesize(spoken, voice.engine_voice, Prosody(), seed=i)
            renders.append((out.audio, out.sample_rate))
            seconds += len(out.audio) / out.sample_rate
    finally:
        engine.close()
    used = cpu_seconds() - start
    checker = AsrChecker(max_wer=None)
    errors = words = 0
    for (audio, rate), (_, transcript) in zip(renders, items):
        e, w = word_errors(transcript, checker.transcribe(audio, rate))
        errors, words = errors + e, words + w
    return {
        "id": voice.id,
        "engine": voice.engine,
        "accent": voice.accent,
        "gender": voice.gender,
        "commercial": voice.commercial_use,
        "wer": errors / words if words else None,
        "speed": seconds / used if used > 0 else None,
        "audio_s": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("catalogs", nargs="*", default=NATURAL)
    parser.add_argument("--prompts", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--max-wer", type=float, default=0.35)
    args = parser.parse_args()

    from joblib import Parallel, delayed

    from synth.engines.base import voice_available
    from voices.catalog import CatalogError, load_catalog

    voices, missing = [], []
    for name in args.catalogs:
        try:
            catalog = load_catalog(name)
        except CatalogError as exc:
            missing.append(f"catalog {name}: {exc}")
            continue
        for v in catalog:
            ok, why = voice_available(v.engine, v.engine_voice)
            (voices.append(v) if ok else missing.append(f"{v.id}: {why}"))
    items = builtin_items(args.prompts)
    results = Parallel(n_jobs=args.jobs)(delayed(measure_voice)(v, items) for v in voices)
    good = [r for r in results if r["wer"] is not None and r["wer"] <= args.max_wer]
    lines = [
        f"{len(items)} built-in prompts per voice, clean renders, pocketsphinx 5 general LM; speed = audio s per "
        "CPU s of the bare engine (its helper processes included), one thread.",
        "",
        "| voice | engine | accent | gender | commercial use | WER | speed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in sorted(results, key=lambda r: (r["engine"], r["id"])):
        lines.append(
            f"| {r['id']} | {r['engine']} | {r['accent']} | {r['gender']} | "
            f"{'yes' if r['commercial'] else 'no'} | {r['wer']:.3f} | {r['speed']:.1f} |"
        )
    accents, genders = Counter(r["accent"] for r in good), Counter(r["gender"] for r in good)
    lines += [
        "",
        f"Voices with WER <= {args.max_wer}: **{len(good)}** of {len(results)} measured, "
        f"{len(accents)} accents ({', '.join(f'{a} {n}' for a, n in sorted(accents.items()))}), "
        f"genders: {', '.join(f'{g} {n}' for g, n in sorted(genders.items()))}.",
    ]
    if missing:
        lines += ["", "Not measured (not available here): " + "; ".join(missing)[:2000]]
    print("\n".join(lines))
    command = "benchmarks/voices_wer.py " + " ".join(sys.argv[1:])
    append_results("Natural voices: per-voice WER and speed", command.strip(), lines)


if __name__ == "__main__":
    main()
