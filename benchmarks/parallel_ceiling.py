"""Issue 17's 1 -> 2 workers target against what this machine gives work that shares nothing.

The pipeline's speed-up from n_jobs=1 to n_jobs=2 can be no better than that of the same work split
into two independent processes. Four tracks, each once with one process and then with two at the
same time, the same total work; --repeats interleaved rounds, medians of wall time:
1. a pure-Python loop (no memory traffic beyond the caches), split in two halves;
2. numpy FFT round trips on 64 k samples (what audio work does to memory), split in two halves;
3. the engine alone (benchmarks/bare_engine.py: create_engine + synthesize, the pipeline's own
   eSpeak NG engine with its voice servers), on the run's plan items, then on its two halves
   (alternate items, so each half has every voice, as each joblib worker does), start-up included;
   the two halves left to the kernel's placement, then each kept to a CPU of its own (taskset);
4. the pipeline: `generate.py` with augment=none, n_jobs=1, then n_jobs=2 with
   executor.pin_workers=false (the kernel places the workers) and =true (the default: one CPU each).

    python benchmarks/parallel_ceiling.py [--prompts N] [--repeats R] [--no-record]
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.common import append_results  # noqa: E402
from benchmarks.default_run import one_run  # noqa: E402
from benchmarks.engine_throughput import bare_requests  # noqa: E402
from benchmarks.pipeline_2000 import write_prompts  # noqa: E402

# Each control's total work: a few seconds on one core of this machine.
_LOOP = "s = 0\nfor i in range({n}): s += i * i\n"
_FFT = (
    "import numpy as np\na = np.random.default_rng(0).standard_normal(1 << 16)\n"
    "for _ in range({n}): a = np.fft.irfft(np.fft.rfft(a))\n"
)
CONTROLS = {"Python loop": (_LOOP, 25_000_000), "numpy FFT": (_FFT, 3_000)}


def split_requests(requests: Path, parts: int) -> list[Path]:
    """The engine-alone child's request file cut into `parts`: item k goes to part k % parts."""
    name, options, items = pickle.loads(requests.read_bytes())
    paths = []
    for k in range(parts):
        path = requests.with_name(f"{requests.stem}.{k}of{parts}.pickle")
        path.write_bytes(pickle.dumps((name, options, items[k::parts])))
        paths.append(path)
    return paths


def wall_of(commands: list[list[str]]) -> float:
    """Wall seconds from starting every command at once until the last one exits."""
    started = time.perf_counter()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in commands]
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(proc.args[:3])} ...: exit {proc.returncode}\n{err[-3000:]}")
    return time.perf_counter() - started


def control(code: str, total: int, parts: int) -> float:
    return wall_of([[sys.executable, "-c", code.format(n=total // parts)] for _ in range(parts)])


def engine_alone(parts: list[Path], scratch: Path, pinned: bool = False) -> float:
    """Wall time of one bare_engine.py per request file, all at once; pinned: part k on CPU k (taskset)."""
    rows = [scratch / f"rows{k}.jsonl" for k in range(len(parts))]
    for r in rows:
        r.unlink(missing_ok=True)
    bare = str(REPO / "benchmarks" / "bare_engine.py")
    cpus = sorted(os.sched_getaffinity(0))
    return wall_of(
        [
            [*(["taskset", "-c", str(cpus[k % len(cpus)])] if pinned else []), sys.executable, bare, str(p), str(r)]
            for k, (p, r) in enumerate(zip(parts, rows))
        ]
    )


def speedup(one: list[float], two: list[float]) -> tuple[float, float, float, list[float]]:
    """(median wall with 1 process, with 2, ratio of the medians, each round's own ratio)."""
    med = statistics.median
    return med(one), med(two), med(one) / med(two), [a / b for a, b in zip(one, two)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    runs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        prompts = scratch / "prompts.txt"
        write_prompts(prompts, args.prompts)
        common = [f"prompts.path={prompts}", "voices.per_prompt=1"]
        requests = scratch / "requests.pickle"
        items = bare_requests(common, requests)
        halves = split_requests(requests, 2)
        one_run([*common, "augment=none", "n_jobs=1", "output.report=false"])  # warm the page cache
        for _ in range(args.repeats):  # interleaved: the machine's drift hits every track alike
            for name, (code, total) in CONTROLS.items():
                for k in (1, 2):
                    runs.setdefault(f"{name} {k}", []).append(control(code, total, k))
            runs.setdefault("engine 1", []).append(engine_alone([requests], scratch))
            runs.setdefault("engine 2", []).append(engine_alone(halves, scratch))
            runs.setdefault("engine 2 pinned", []).append(engine_alone(halves, scratch, pinned=True))
            for key, extra in (
                ("1", ["n_jobs=1"]),
                ("2", ["n_jobs=2", "executor.pin_workers=false"]),
                ("2 pinned", ["n_jobs=2"]),
            ):
                overrides = [*common, "augment=none", "output.report=false", *extra]
                runs.setdefault(f"pipeline {key}", []).append(one_run(overrides)["wall_s"])
    lines = [
        f"the same total work in one process, then in two at once; {args.repeats} interleaved rounds, medians of "
        f"wall time; {items} plan items ({args.prompts} prompts, voices.per_prompt=1 of the default catalog); "
        f"{os.cpu_count()} cores, load average {load_at_start:.1f} when it started",
        "",
        "| work | wall s, 1 process | wall s, 2 processes | speed-up (of the medians) | each round's speed-up |",
        "|---|---|---|---|---|",
    ]
    rows = {name: (f"{name} 1", f"{name} 2") for name in CONTROLS}
    rows |= {
        "engine alone (bare_engine.py; 2: alternate items each), start-up included, placed by the kernel": (
            "engine 1",
            "engine 2",
        ),
        "the same, each of the two on a CPU of its own (taskset)": ("engine 1", "engine 2 pinned"),
        "pipeline, augment=none, n_jobs=1 vs 2, whole run, executor.pin_workers=false": ("pipeline 1", "pipeline 2"),
        "the same, executor.pin_workers=true (the default)": ("pipeline 1", "pipeline 2 pinned"),
    }
    for label, (key1, key2) in rows.items():
        one, two, ratio, each = speedup(runs[key1], runs[key2])
        lines.append(
            f"| {label} | {one:.2f} | {two:.2f} | {ratio:.2f} | {', '.join(f'{r:.2f}' for r in sorted(each))} |"
        )
    print("\n".join(lines))
    if not args.no_record:
        append_results(
            "Issue 17: what two cores give work that shares nothing",
            " ".join(["benchmarks/parallel_ceiling.py", *sys.argv[1:]]),
            lines,
        )


if __name__ == "__main__":
    main()
