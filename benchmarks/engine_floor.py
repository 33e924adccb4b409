"""Engine floor: audio seconds per CPU second of bare eSpeak NG, in-process vs the shipped engine.

Plain in-process calls are the fastest way to drive eSpeak NG but not deterministic (see
DESIGN.md); the engine we ship restores the library's writable state before each item in a voice
process of its own (isolation=restore), or forks a child per item (isolation=fork, the older way).
This script measures the three on the built-in prompts, in one run, and appends to RESULTS.md.

    python benchmarks/engine_floor.py [--prompts N] [--repeats R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results, bare_espeak, builtin_spoken_texts, cpu_seconds  # noqa: E402
from synth.engines import Prosody, create_engine  # noqa: E402

VOICE = "en-us+f3"


def in_process(texts: list[str]) -> tuple[float, float]:
    """Audio seconds and CPU seconds for plain repeated calls into one initialized library."""
    return bare_espeak([(text, VOICE, None) for text in texts])


def shipped(texts: list[str], isolation: str = "restore") -> tuple[float, float]:
    """Audio seconds and CPU seconds (this process + helper + its children) for the shipped engine."""
    start = cpu_seconds()
    engine = create_engine("espeak", isolation=isolation)
    audio = 0.0
    for text in texts:
        out = engine.synthesize(text, VOICE, Prosody())
        audio += len(out.audio) / out.sample_rate
    engine.close()  # waits for the helper, so its CPU time (and its children's) is counted
    return audio, cpu_seconds() - start


def piper_floor(texts: list[str]) -> tuple[float, float] | None:
    """The Piper engine alone (packaged joe voice), or None without the `piper` extra."""
    try:
        engine = create_engine("piper")
    except Exception:
        return None
    engine.synthesize("warm up", "en_US-joe-medium", Prosody(), 0)  # loads the model
    start = cpu_seconds()
    audio = 0.0
    for i, text in enumerate(texts):
        out = engine.synthesize(text, "en_US-joe-medium", Prosody(), i)
        audio += len(out.audio) / out.sample_rate
    used = cpu_seconds() - start
    engine.close()
    return audio, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    texts = builtin_spoken_texts()[: args.prompts]
    modes = {
        "in-process (not deterministic)": in_process,
        "state restored per item (shipped)": shipped,
        "fork per item (isolation=fork)": lambda t: shipped(t, "fork"),
    }
    results = {name: [] for name in modes}
    for _ in range(args.repeats):  # interleaved so machine noise hits all alike
        for name, fn in modes.items():
            audio, cpu = fn(texts)
            results[name].append(audio / cpu)
    rows = [(name, statistics.median(v), min(v), max(v)) for name, v in results.items()]
    lines = [
        f"{len(texts)} built-in prompts, voice {VOICE}, {args.repeats} interleaved repeats; audio seconds per CPU "
        "second",
        "",
        "| engine mode | median | min | max |",
        "|---|---|---|---|",
    ]
    lines += [f"| {n} | {m:.0f} | {lo:.0f} | {hi:.0f} |" for n, m, lo, hi in rows]
    restore, fork = rows[1][1] / rows[0][1], rows[2][1] / rows[0][1]
    lines += ["", f"restore / in-process = {restore:.2f}; fork / in-process = {fork:.2f}"]
    piper = [piper_floor(texts[:40]) for _ in range(args.repeats)]
    if all(piper):
        speeds = [a / c for a, c in piper]
        lines += [
            "",
            "Piper (en_US-joe-medium, 1 thread, first 40 prompts, model loaded before timing): median "
            f"{statistics.median(speeds):.1f} audio s per CPU s",
        ]
    print("\n".join(lines))
    append_results("Engine floor (eSpeak NG)", " ".join(sys.argv), lines)


if __name__ == "__main__":
    main()
