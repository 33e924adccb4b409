"""Augmentation cost: audio seconds per CPU second, engine alone vs engine + the default augment chain.

Both modes render the same built-in prompts with the shipped eSpeak NG engine (state restored per item,
as in a run) and resample to the corpus rate, as the renderer does; the second also applies the
chain of an augment profile (default: `augment=default`) to every item, seeded per item.
The chain is prepared (banks built or loaded from the cache) and built before timing starts,
as it is once per worker in a run. CPU time counts this process, the engine's helper and its
children. Repeats are interleaved so machine noise hits both modes alike; medians are reported
and appended to RESULTS.md.

    python benchmarks/augment_throughput.py [--prompts N] [--repeats R] [--profile default] [--steps]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results, builtin_spoken_texts, cpu_seconds  # noqa: E402

VOICE = "en-us+f3"
RATE = 16000


def load_profile(name: str, overrides: list[str]) -> dict:
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from synth.cli import config_dir

    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(config_name="config", overrides=[f"augment={name}", *overrides])
    return OmegaConf.to_container(cfg.augment, resolve=True)


def run(texts: list[str], chain) -> tuple[float, float, dict]:
    """Audio seconds, CPU seconds, and how often each device was drawn."""
    from synth.audio_io import resample
    from synth.engines import Prosody, create_engine

    devices: dict = {}
    start = cpu_seconds()
    engine = create_engine("espeak")
    audio_s = 0.0
    for i, text in enumerate(texts):
        out = engine.synthesize(text, VOICE, Prosody(), i)
        audio = resample(out.audio, out.sample_rate, RATE)
        if chain is not None:
            result = chain.apply(audio, RATE, i)
            audio = result.audio
            devices[result.device] = devices.get(result.device, 0) + 1
        audio_s += len(audio) / RATE
    engine.close()  # waits for the helper, so its CPU time (and its children's) is counted
    return audio_s, cpu_seconds() - start, devices


def step_costs(texts: list[str], chain) -> list[str]:
    """CPU milliseconds per audio second for each step (device steps: per profile), forced to apply."""
    from augment.chain import step_rng
    from augment.device import Device
    from synth.audio_io import resample
    from synth.engines import Prosody, create_engine

    engine = create_engine("espeak")
    clips = [
        resample(o.audio, o.sample_rate, RATE)
        for o in (engine.synthesize(t, VOICE, Prosody(), i) for i, t in enumerate(texts[:40]))
    ]
    engine.close()
    total_s = sum(len(c) for c in clips) / RATE
    rows = []

    def time_steps(label, steps):
        for spec, step in steps:
            start = time.process_time()
            for i, clip in enumerate(clips):
                step.apply(clip, RATE, step_rng(i, spec.path))
            rows.append(f"| {label}{spec.name} | {(time.process_time() - start) / total_s * 1000:.2f} |")

    for spec, step in chain.steps:
        if isinstance(step, Device):
            for name, sub in step.profiles.items():
                time_steps(f"device {name}: ", sub)  # on corpus-rate audio: an upper bound for steps after a downsample
        else:
            time_steps("", [(spec, step)])
    return ["| step | CPU ms per audio s |", "|---|---|", *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", default="default")
    parser.add_argument(
        "--override",
        action="append",
        default=[],
        help="Hydra override for the augment node, e.g. augment.steps.room.p=1",
    )
    parser.add_argument("--steps", action="store_true", help="also time each step alone")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args()

    import augment

    texts = builtin_spoken_texts()[: args.prompts]
    started = time.perf_counter()
    prepared = augment.prepare(load_profile(args.profile, args.override), RATE, 1234)
    prepare_s = time.perf_counter() - started
    chain = prepared.build()
    modes = {"engine alone": None, f"engine + augment={args.profile}": chain}
    speeds: dict[str, list[float]] = {name: [] for name in modes}
    devices = {}
    for _ in range(args.repeats):
        for name, mode_chain in modes.items():
            audio_s, cpu_s, drawn = run(texts, mode_chain)
            speeds[name].append(audio_s / cpu_s)
            devices = drawn or devices
    rows = [(name, statistics.median(v), min(v), max(v)) for name, v in speeds.items()]
    ratio = rows[1][1] / rows[0][1]
    lines = [
        f"{len(texts)} built-in prompts, voice {VOICE}, {RATE} Hz, {args.repeats} interleaved repeats; audio seconds "
        "per CPU second "
        f"(this process + engine helper + its children); chain prepared in {prepare_s:.1f} s before timing (banks "
        "cached after the first run)",
        "",
        "| mode | median | min | max |",
        "|---|---|---|---|",
    ]
    lines += [f"| {n} | {m:.0f} | {lo:.0f} | {hi:.0f} |" for n, m, lo, hi in rows]
    lines += [
        "",
        f"augmented / engine alone = {ratio:.2f} (target >= 0.40)",
        "devices drawn per run: "
        f"{', '.join(f'{k}: {v}' for k, v in sorted(devices.items(), key=lambda kv: str(kv[0])))}",
    ]
    if args.steps:
        lines += ["", *step_costs(texts, chain)]
    print("\n".join(lines))
    if not args.no_record:
        append_results(
            f"Augmentation throughput (augment={args.profile})",
            " ".join(["benchmarks/augment_throughput.py", *sys.argv[1:]]),
            lines,
        )


if __name__ == "__main__":
    main()
