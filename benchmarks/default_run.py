"""The README's first command, measured: audio seconds per CPU second and per wall second.

Runs `python generate.py` (the built-in prompts, default config) several times, each in a fresh
output folder under benchmarks.common.corpus_scratch (tmpfs where there is one: see there why); CPU
time is that of the whole process tree (workers and engine helpers are waited for, so their time is
counted). Appends the medians to RESULTS.md.

    python benchmarks/default_run.py [--repeats R] [overrides ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.common import append_results, children_cpu, corpus_scratch  # noqa: E402


def one_run(overrides: list[str], split: bool = False) -> dict:
    """One run in a fresh folder. split: also how its CPU divides between the generate process and
    its children (benchmarks/generate_split.py)."""
    with tempfile.TemporaryDirectory(dir=corpus_scratch()) as tmp:
        out = Path(tmp) / "corpus"
        script = (
            [str(REPO / "benchmarks" / "generate_split.py"), str(Path(tmp) / "split.json")]
            if split
            else [str(REPO / "generate.py")]
        )
        cpu0, wall0 = children_cpu(), time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *script, "progress=false", f"output.dir={out}", *overrides],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        first_file = None
        while proc.poll() is None:
            if first_file is None and (out / "manifest.jsonl").exists() and (out / "manifest.jsonl").stat().st_size:
                first_file = time.perf_counter() - wall0
            time.sleep(0.005)
        wall, cpu = time.perf_counter() - wall0, children_cpu() - cpu0
        if proc.returncode != 0:
            raise SystemExit(proc.stderr.read())
        summary = json.loads((out / "summary.json").read_text())
        parts = json.loads((Path(tmp) / "split.json").read_text()) if split else {}
    audio = summary["seconds"]
    return {
        "utterances": summary["utterances"],
        "audio_s": audio,
        "wall_s": wall,
        "cpu_s": cpu,
        "per_cpu_s": audio / cpu,
        "per_wall_s": audio / wall,
        "first_file_s": first_file,
        **parts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    runs = [one_run(args.overrides) for _ in range(args.repeats)]
    med = {k: statistics.median(r[k] for r in runs if r[k] is not None) for k in runs[0]}
    lines = [
        f"`generate.py {' '.join(args.overrides) or '(defaults)'}`, {args.repeats} runs, medians:",
        "",
        "| utterances | audio s | wall s | CPU s (whole tree) | audio s per CPU s | audio s per wall s | time to "
        "first row s |",
        "|---|---|---|---|---|---|---|",
        f"| {med['utterances']:.0f} | {med['audio_s']:.0f} | {med['wall_s']:.2f} | {med['cpu_s']:.2f} | "
        f"{med['per_cpu_s']:.0f} | {med['per_wall_s']:.0f} | {med['first_file_s']:.2f} |",
    ]
    print("\n".join(lines))
    append_results("Default run (README quick start)", " ".join(["benchmarks/default_run.py", *sys.argv[1:]]), lines)


if __name__ == "__main__":
    main()
