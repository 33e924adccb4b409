"""What the safety checks of issue 14 cost a run: the start-up walk for symlinks over a large corpus
folder, a symlink-safe audio write against the plain atomic write, and the config check on the
composed config. Medians of several repeats (wall time; the files live in a temporary folder).

    python benchmarks/safety_overhead.py [--files 100000] [--repeats 5] [--no-record]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results, corpus_scratch  # noqa: E402
from synth.audio_io import write_atomic  # noqa: E402
from synth.config_guard import check_config  # noqa: E402
from synth.safe_paths import refuse_symlinks, write_under  # noqa: E402


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000, help="audio files in the walked corpus folder")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    data = bytes(32_000)  # about 1 s of 16 kHz 16-bit audio
    with tempfile.TemporaryDirectory(dir=corpus_scratch()) as tmp:
        root = Path(tmp) / "corpus"
        for i in range(args.files):
            folder = root / "audio" / f"voice{i % 200:03d}"
            if i < 200:
                folder.mkdir(parents=True)
            (folder / f"{i:07d}.flac").touch()
        walk = _median(lambda: refuse_symlinks(root), args.repeats)
        n = 2000
        plain = _median(lambda: [write_atomic(root / "w1" / f"{i}.flac", data) for i in range(n)], args.repeats) / n
        safe = _median(lambda: [write_under(root, f"audio/w2/{i}.flac", data) for i in range(n)], args.repeats) / n
    from hydra import compose, initialize_config_dir

    from synth.cli import config_dir

    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose("config", overrides=["augment=default"], return_hydra_config=True)
    guard = _median(lambda: check_config(cfg), args.repeats)
    lines = [
        f"- start-up symlink walk over {args.files} files in 200 folders: {walk:.3f} s (median of {args.repeats})",
        f"- audio write of 32 kB: plain atomic {plain * 1e6:.0f} us, symlink-safe {safe * 1e6:.0f} us per file",
        f"- config check of the composed config (augment=default, hydra node included): {guard * 1e3:.1f} ms",
    ]
    print("\n".join(lines))
    if not args.no_record:
        append_results("Safety checks of issue 14: their cost", " ".join(sys.argv), lines)


if __name__ == "__main__":
    main()
