"""Shared by the benchmark scripts: the prompts they use and how results are written down."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def cpu_seconds() -> float:
    """CPU seconds of this process and its waited-for children (engine helpers, workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def children_cpu() -> float:
    """CPU seconds of this process's waited-for children: the whole tree of each finished command."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def composed_plan(overrides: list[str]):
    """(config, the plan's WorkItems) of `generate.py overrides`, composed as the command line would."""
    from hydra import compose, initialize_config_dir

    from synth.plan import WorkItem
    from synth.run_parts import build_planning

    with initialize_config_dir(str(RESULTS.parent.parent / "conf"), version_base=None):
        cfg = compose("config", overrides)
    return cfg, [task for task in build_planning(cfg).plan_factory() if isinstance(task, WorkItem)]


def bare_espeak(requests: list[tuple[str, str, dict | None]]) -> tuple[float, float]:
    """(audio s, CPU s) of plain in-process eSpeak NG calls: the engine's own speed, not deterministic.

    :param requests: (spoken text, engine voice, eSpeak NG parameters rate/pitch/volume or None for the
        library's defaults); rendered grouped by voice, one voice selection per voice
    """
    import ctypes

    import espeakng_loader

    from synth.engines.espeak_zygote import (
        AUDIO_OUTPUT_SYNCHRONOUS,
        CALLBACK,
        ESPEAK_CHARS_UTF8,
        PARAM_PITCH,
        PARAM_RATE,
        PARAM_VOLUME,
        POS_CHARACTER,
    )

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_SetSynthCallback.argtypes = [CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    by_voice: dict[str, list] = {}
    for text, voice, params in requests:
        by_voice.setdefault(voice, []).append((text, params))
    samples = [0]

    def on_synth(wav, n, events):
        samples[0] += max(n, 0)
        return 0

    callback = CALLBACK(on_synth)
    start = cpu_seconds()
    rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0x8000)
    lib.espeak_SetSynthCallback(callback)
    for voice, items in by_voice.items():
        lib.espeak_SetVoiceByName(voice.encode())
        for text, params in items:
            if params is not None:
                lib.espeak_SetParameter(PARAM_RATE, params["rate"], 0)
                lib.espeak_SetParameter(PARAM_PITCH, params["pitch"], 0)
                lib.espeak_SetParameter(PARAM_VOLUME, params["volume"], 0)
            data = text.encode() + b"\0"
            lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
    used = cpu_seconds() - start
    lib.espeak_Terminate()
    return samples[0] / rate, used


def builtin_spoken_texts() -> list[str]:
    from synth.normalize import builtin_spoken_texts as spoken

    return spoken()


def corpus_scratch() -> str | None:
    """The folder a benchmark's corpora are written under: $BENCH_CORPUS_DIR, else /dev/shm (tmpfs)
    when it is there, else the system's temporary folder (None).

    Why not /tmp: this machine's root file system is ext4 without a journal, and there a new file
    costs the kernel a scan of every inode deleted in the last few minutes (ext4's
    `recently_deleted`). A benchmark deletes a 2000-file corpus and at once writes the next: on /tmp
    a new file then cost 220-280 us against 23 us in a folder with no recent deletes (/root), and the
    2000-item run's generate process took 11.5 against 10.2 CPU s on /dev/shm (medians of 3,
    interleaved, 3 Dec 2026): the disk's state, not the pipeline's work.
    """
    chosen = os.environ.get("BENCH_CORPUS_DIR")
    if chosen:
        return chosen
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def machine() -> str:
    try:
        cpu = next(row.split(":", 1)[1].strip() for row in open("/proc/cpuinfo") if row.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"corpora written under {corpus_scratch() or tempfile.gettempdir()}"
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
        handle.write(_blank_line_before(RESULTS) + "\n".join(block))


def _blank_line_before(path: Path) -> str:
    """What puts one blank line between the file's last line and a new section: a read written by hand
    after the last block usually ends in a single newline, and a heading glued to it reads as its text."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(handle.seek(0, 2) - 2, 0))
            ending = handle.read()
    except FileNotFoundError:
        return ""
    if not ending or ending.endswith(b"\n\n"):
        return ""
    return "\n" if ending.endswith(b"\n") else "\n\n"


def engine_benchmark_parser(doc: str, prompts: int):
    """The options every per-engine benchmark takes: --prompts N, --engines a,b, --no-record."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=prompts)
    parser.add_argument("--engines", default="", help="comma-separated engine names to run (default: all)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    return parser
