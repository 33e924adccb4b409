"""Throughput, scaling and time to first file, side by side in one run (issue: benchmarks).

1. engine floor: the shipped eSpeak NG engine alone (state restored per item), built-in prompts, one process;
2. full pipeline: `generate.py augment=default n_jobs=1` (render + room + noise + device + QC +
   resample + FLAC + manifest + card), whole process tree, as a ratio to the floor: per whole run
   (start-up included) and at steady state (the marginal cost: runs with 2 and 4 voices per
   prompt, difference of CPU over difference of audio);
3. naive baseline a user would write: `espeak-ng --stdout` per prompt, then audiomentations
   RoomSimulator + AddBackgroundNoise + BandPassFilter per clip, soundfile writes the file;
4. scaling: wall time of the full pipeline with n_jobs=1, n_jobs=2 and a dask LocalCluster of 2;
5. time to first row from the command start;
6. with Piper (when the `piper` extra is installed): the pipeline's overhead over Piper's own
   engine time, on the first --piper-prompts prompts (one Piper voice, augment=none).
Medians of --repeats runs; appended to RESULTS.md. Needs Debian's `espeak-ng` for the baseline.
--floor-only measures 1 and 2 alone, and also splits each run's CPU between the pipeline and the
engine (benchmarks/generate_split.py): the engine's share of the whole is the pipeline's
throughput as a fraction of the engine's, from the same run, which this noisy machine moves less.

    python benchmarks/pipeline.py [--repeats R] [--naive-prompts N]
    python benchmarks/pipeline.py --floor-only [--repeats R] [--more-voices V]
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results, builtin_spoken_texts, corpus_scratch, cpu_seconds  # noqa: E402
from benchmarks.default_run import one_run  # noqa: E402
from benchmarks.engine_floor import shipped  # noqa: E402


def naive(texts: list[str]) -> tuple[float, float]:
    """Audio seconds and CPU seconds of the loop a user would write first."""
    from audiomentations import AddBackgroundNoise, BandPassFilter, Compose, RoomSimulator

    with tempfile.TemporaryDirectory(dir=corpus_scratch()) as tmp:
        rng = np.random.default_rng(0)
        for i in range(4):  # a small noise folder, as the user would have
            sf.write(Path(tmp) / f"noise{i}.wav", (rng.standard_normal(22050 * 5) * 0.1).astype(np.float32), 22050)
        out = Path(tmp) / "out"
        out.mkdir()
        random.seed(0)
        np.random.seed(0)
        chain = Compose([RoomSimulator(p=1.0), AddBackgroundNoise(sounds_path=tmp, p=1.0), BandPassFilter(p=1.0)])
        start, audio_s = cpu_seconds(), 0.0
        for i, text in enumerate(texts):
            wav = subprocess.run(
                ["espeak-ng", "-v", "en-us+f3", "--stdout", text], capture_output=True, check=True
            ).stdout
            audio, rate = sf.read(io.BytesIO(wav), dtype="float32")
            audio = chain(samples=audio, sample_rate=rate)
            sf.write(out / f"{i}.flac", audio, rate)
            audio_s += len(audio) / rate
        return audio_s, cpu_seconds() - start


def piper_engine_alone(texts: list[str]) -> tuple[float, float]:
    from synth.engines import Prosody, create_engine

    start = cpu_seconds()
    engine = create_engine("piper")
    audio = 0.0
    for i, text in enumerate(texts):
        out = engine.synthesize(text, "en_US-joe-medium", Prosody(), i)
        audio += len(out.audio) / out.sample_rate
    engine.close()
    return audio, cpu_seconds() - start


def piper_overhead(texts: list[str]) -> dict:
    """Engine-alone CPU vs whole-pipeline CPU for the same utterances, start-up cost removed by
    differencing two run sizes (the engine's model load is in both)."""
    half = texts[: len(texts) // 2]
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for name, subset in (("half", half), ("all", texts)):
            path = Path(tmp) / f"{name}.txt"
            path.write_text("\n".join(subset) + "\n")
            runs[name] = one_run(
                ["voices=piper_en", "voices.per_prompt=1", "n_jobs=1", f"prompts.path={path}", "output.report=false"]
            )
    engine_half, engine_all = piper_engine_alone(half), piper_engine_alone(texts)
    engine_cpu = engine_all[1] - engine_half[1]
    pipeline_cpu = runs["all"]["cpu_s"] - runs["half"]["cpu_s"]
    return {
        "engine": (engine_all[0] - engine_half[0]) / engine_cpu,
        "pipeline": (runs["all"]["audio_s"] - runs["half"]["audio_s"]) / pipeline_cpu,
        "overhead": pipeline_cpu / engine_cpu - 1,
    }


def piper_only(args) -> None:
    from synth.prompts import Prompt, read_prompts

    written = [p.text for p in read_prompts(None) if isinstance(p, Prompt)][: args.piper_prompts]
    runs = [piper_overhead(written) for _ in range(args.repeats)]
    each = ", ".join(f"{r['overhead']:+.1%}" for r in runs)
    lines = [
        f"first {len(written)} built-in prompts, en_US-joe-medium, augment=none, n_jobs=1; marginal "
        f"({len(written) // 2} vs {len(written)} prompts); "
        f"{args.repeats} repeats, medians",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| Piper engine alone, audio s per CPU s | {statistics.median([r['engine'] for r in runs]):.1f} | |",
        f"| Piper through the pipeline, audio s per CPU s | {statistics.median([r['pipeline'] for r in runs]):.1f} | |",
        f"| pipeline overhead over Piper's engine time (each run: {each}) | "
        f"{statistics.median([r['overhead'] for r in runs]):+.1%} | <= 5% |",
    ]
    print("\n".join(lines))
    append_results("Pipeline overhead with Piper", " ".join(["benchmarks/pipeline.py", *sys.argv[1:]]), lines)


def pipeline_vs_floor(texts: list[str], more_voices: int) -> dict:
    """One interleaved repeat: engine floor, a whole default-augmented run, and its marginal cost."""
    audio, cpu = shipped(texts)
    run = one_run(["augment=default", "n_jobs=1"], split=True)
    more = one_run(["augment=default", f"voices.per_prompt={more_voices}", "n_jobs=1"], split=True)
    engine = more["children_cpu_s"] - run["children_cpu_s"]
    return {
        "floor": audio / cpu,
        "full": run["per_cpu_s"],
        "wall": run["wall_s"],
        "first": run["first_file_s"],
        "marginal": (more["audio_s"] - run["audio_s"]) / (more["cpu_s"] - run["cpu_s"]),
        "engine_share": engine / (engine + more["self_cpu_s"] - run["self_cpu_s"]),
        "engine_share_whole": run["children_cpu_s"] / (run["children_cpu_s"] + run["self_cpu_s"]),
    }


def floor_only(args) -> None:
    texts = builtin_spoken_texts()
    one_run(["augment=default", "n_jobs=1"])  # builds the RIR and babble banks once, outside the timing
    runs = [pipeline_vs_floor(texts, args.more_voices) for _ in range(args.repeats)]
    med = statistics.median
    floor, full, marginal = (med([r[k] for r in runs]) for k in ("floor", "full", "marginal"))
    each = ", ".join(f"{r['marginal'] / r['floor']:.2f}" for r in runs)
    shares = ", ".join(f"{r['engine_share']:.2f}" for r in runs)
    lines = [
        f"{len(texts)} built-in prompts; {args.repeats} interleaved repeats; medians",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| engine floor, eSpeak NG shipped (state restored per item), audio s per CPU s | {floor:.0f} | |",
        f"| full default pipeline (augment=default, n_jobs=1, whole process tree), audio s per CPU s | {full:.0f} | |",
        f"| full pipeline / engine floor (whole run) | {full / floor:.2f} | >= 0.4 |",
        f"| full pipeline at steady state (marginal: {args.more_voices} vs 2 voices per prompt), audio s per CPU s | "
        f"{marginal:.0f} | |",
        f"| full pipeline / engine floor (steady state; each repeat: {each}) | {marginal / floor:.2f} | >= 0.4 |",
        "| same runs, engine CPU / whole CPU (pipeline throughput / the engine's own on the same utterances), "
        "steady state; "
        f"each repeat: {shares} | {med([r['engine_share'] for r in runs]):.2f} | >= 0.4 |",
        f"| same, whole run (start-up and card included) | {med([r['engine_share_whole'] for r in runs]):.2f} | |",
        f"| wall s / time to first row s, n_jobs=1 | {med([r['wall'] for r in runs]):.1f} / "
        f"{med([r['first'] for r in runs]):.2f} | |",
    ]
    print("\n".join(lines))
    append_results("Full pipeline against the engine floor", " ".join(["benchmarks/pipeline.py", *sys.argv[1:]]), lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-prompts", type=int, default=40)
    parser.add_argument("--piper-prompts", type=int, default=60)
    parser.add_argument("--piper-only", action="store_true", help="measure only the pipeline overhead with Piper")
    parser.add_argument(
        "--floor-only", action="store_true", help="measure only the full pipeline against the engine floor"
    )
    parser.add_argument(
        "--more-voices",
        type=int,
        default=6,
        help="--floor-only: voices per prompt of the larger run (the default run has 2)",
    )
    args = parser.parse_args()
    if args.piper_only:
        return piper_only(args)
    if args.floor_only:
        return floor_only(args)
    if shutil.which("espeak-ng") is None:
        raise SystemExit("the naive baseline needs the espeak-ng command: apt-get install espeak-ng")
    texts = builtin_spoken_texts()
    one_run(["augment=default", "n_jobs=1"])  # builds the RIR and babble banks once, outside the timing
    floor, full, marginal, base, wall = [], [], [], [], {"n_jobs=1": [], "n_jobs=2": [], "dask, 2 workers": []}
    first = []
    for _ in range(args.repeats):
        audio, cpu = shipped(texts)
        floor.append(audio / cpu)
        audio, cpu = naive(texts[: args.naive_prompts])
        base.append(audio / cpu)
        for name, overrides in (
            ("n_jobs=1", ["n_jobs=1"]),
            ("n_jobs=2", ["n_jobs=2"]),
            ("dask, 2 workers", ["n_jobs=2", "executor=dask"]),
        ):
            run = one_run(["augment=default", *overrides])
            wall[name].append(run["wall_s"])
            if name == "n_jobs=1":
                full.append(run["per_cpu_s"])
                more = one_run(["augment=default", "voices.per_prompt=4", *overrides])
                marginal.append((more["audio_s"] - run["audio_s"]) / (more["cpu_s"] - run["cpu_s"]))
            if name == "n_jobs=2":
                first.append(run["first_file_s"])
    piper = None
    try:
        import piper as _piper_installed  # noqa: F401

        from synth.prompts import Prompt, read_prompts

        written = [p.text for p in read_prompts(None) if isinstance(p, Prompt)][: args.piper_prompts]
        piper = [piper_overhead(written) for _ in range(args.repeats)]
    except ImportError:
        pass
    med = statistics.median
    lines = [
        f"{len(texts)} built-in prompts (naive baseline: first {args.naive_prompts}); {args.repeats} interleaved "
        "repeats; medians",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| engine floor, eSpeak NG shipped (state restored per item), audio s per CPU s | {med(floor):.0f} | |",
        "| full default pipeline (augment=default, n_jobs=1, whole process tree), audio s per CPU s | "
        f"{med(full):.0f} | |",
        f"| full pipeline / engine floor (whole run) | {med(full) / med(floor):.2f} | >= 0.4 |",
        "| full pipeline at steady state (marginal: 4 vs 2 voices per prompt), audio s per CPU s | "
        f"{med(marginal):.0f} | |",
        f"| full pipeline / engine floor (steady state) | {med(marginal) / med(floor):.2f} | >= 0.4 |",
        "| naive baseline (espeak-ng CLI + RoomSimulator + AddBackgroundNoise + BandPassFilter), audio s per CPU s "
        f"| {med(base):.1f} | |",
        f"| full pipeline / naive (whole run; steady state) | {med(full) / med(base):.1f}; "
        f"{med(marginal) / med(base):.1f} | >= 20 |",
        f"| wall s, n_jobs=1 / n_jobs=2 / dask 2 workers | {med(wall['n_jobs=1']):.1f} / {med(wall['n_jobs=2']):.1f} "
        f"/ {med(wall['dask, 2 workers']):.1f} | |",
        f"| speed-up 1 -> 2 workers (joblib) | {med(wall['n_jobs=1']) / med(wall['n_jobs=2']):.2f} | >= 1.8 |",
        f"| speed-up 1 -> 2 workers (dask) | {med(wall['n_jobs=1']) / med(wall['dask, 2 workers']):.2f} | |",
        f"| time to first row, n_jobs=2, s | {med(first):.2f} | |",
    ]
    if piper:
        lines += [
            "| Piper engine alone (en_US-joe-medium, marginal), audio s per CPU s | "
            f"{med([p['engine'] for p in piper]):.1f} | |",
            "| Piper through the pipeline (augment=none, marginal), audio s per CPU s | "
            f"{med([p['pipeline'] for p in piper]):.1f} | |",
            f"| pipeline overhead over Piper's engine time | {med([p['overhead'] for p in piper]):+.1%} | <= 5% |",
        ]
    print("\n".join(lines))
    append_results(
        "Pipeline vs floor vs naive; scaling; time to first file",
        " ".join(["benchmarks/pipeline.py", *sys.argv[1:]]),
        lines,
    )


if __name__ == "__main__":
    main()
