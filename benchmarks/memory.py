"""Peak memory against the number of prompts: streaming must keep it flat.

Writes N distinct synthetic prompts, runs `generate.py` on them (one voice per prompt), and
samples the high-water mark (VmHWM) of the main process and of its worker processes while it
runs. Appends the figures for each N to RESULTS.md.

    python benchmarks/memory.py [--sizes 1000 20000] [--stop-after-rows K]

--stop-after-rows K ends each run (SIGKILL of its process group) once K rows are written: the parent's peak then covers
reading, the duplicate pre-pass, the counting pass and the start of rendering, which is where a
large prompt file costs memory (1M prompts take hours to render, minutes to plan).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.common import append_results, corpus_scratch  # noqa: E402

NAMES = ["Maria", "Olu", "Priya", "Sean", "Mei", "Tomasz", "Aroha", "Jonas", "Fatima", "Diego"]
THINGS = ["kitchen lights", "garage door", "thermostat", "living room speaker", "porch light", "dishwasher"]


def write_prompts(path: Path, n: int) -> None:
    with open(path, "w") as handle:
        for i in range(n):
            handle.write(f"Tell {NAMES[i % 10]} that the {THINGS[i % 6]} needs check number {i + 1}.\n")


def high_water_kb(pid: int) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    kids = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                kids += [int(child), *descendants(int(child))]
    except OSError:
        pass
    return kids


def _rows(path: Path) -> int:
    try:
        with open(path, "rb") as handle:
            return handle.read().count(b"\n")
    except FileNotFoundError:
        return 0


def measure(n: int, stop_after_rows: int | None = None) -> dict:
    with tempfile.TemporaryDirectory(dir=corpus_scratch()) as tmp:
        prompts = Path(tmp) / "prompts.txt"
        write_prompts(prompts, n)
        started = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "generate.py"),
                "progress=false",
                "voices.per_prompt=1",
                f"prompts.path={prompts}",
                f"output.dir={Path(tmp) / 'corpus'}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: a stop takes the workers with it
        )
        main_kb, worker_kb, stopped = 0, 0, False
        manifest = Path(tmp) / "corpus" / "manifest.jsonl"
        while proc.poll() is None:
            main_kb = max(main_kb, high_water_kb(proc.pid))
            for kid in descendants(proc.pid):
                worker_kb = max(worker_kb, high_water_kb(kid))
            if stop_after_rows is not None and _rows(manifest) >= stop_after_rows:
                os.killpg(proc.pid, signal.SIGKILL)
                stopped = True
            time.sleep(0.2)
        proc.wait()
        if proc.returncode != 0 and not stopped:
            raise SystemExit(proc.stderr.read())
        rows = _rows(manifest)
    return {
        "prompts": n,
        "rows": rows,
        "main_mb": main_kb / 1024,
        "worker_mb": worker_kb / 1024,
        "wall_s": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--stop-after-rows", type=int, default=None)
    args = parser.parse_args()
    results = [measure(n, args.stop_after_rows) for n in args.sizes]
    lines = [
        "| prompts | rows | main process peak RSS MB | largest worker/helper peak RSS MB | wall s |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['prompts']} | {r['rows']} | {r['main_mb']:.1f} | {r['worker_mb']:.1f} | {r['wall_s']:.0f} |"
        for r in results
    ]
    first, last = results[0], results[-1]
    lines += [
        "",
        f"main process: {last['main_mb'] / first['main_mb'] - 1:+.1%} from {first['prompts']} to {last['prompts']} "
        "prompts; "
        f"largest worker: {last['worker_mb'] / first['worker_mb'] - 1:+.1%}",
    ]
    print("\n".join(lines))
    append_results("Memory against prompt count (streaming)", " ".join(["benchmarks/memory.py", *sys.argv[1:]]), lines)


if __name__ == "__main__":
    main()
