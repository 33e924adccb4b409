"""Shared by the benchmark scripts: the prompts they use and how results are written down."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def cpu_seconds() -> float:
    """CPU seconds of this process and its waited-for children (engine helpers, workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def builtin_spoken_texts() -> list[str]:
    from synth.normalize import builtin_spoken_texts as spoken

    return spoken()


def machine() -> str:
    try:
        cpu = next(row.split(":", 1)[1].strip() for row in open("/proc/cpuinfo") if row.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def append_results(title: str, command: str, lines: list[str]) -> None:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=RESULTS.parent
        ).stdout.strip()
    except OSError:
        commit = "?"
    block = [
        f"## {title}",
        "",
        f"- when: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit or '?'}",
        f"- machine: {machine()}",
        f"- command: `python {command}`",
        "",
        *lines,
        "",
        "",
    ]
    with open(RESULTS, "a", encoding="utf-8") as handle:
        handle.write("\n".join(block))


def engine_benchmark_parser(doc: str, prompts: int):
    """The options every per-engine benchmark takes: --prompts N, --engines a,b, --no-record."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=prompts)
    parser.add_argument("--engines", default="", help="comma-separated engine names to run (default: all)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    return parser
