"""Kill -9 soak: one run killed with SIGKILL at N random moments, resumed each time, must end
byte-identical to an uninterrupted run (manifest, rejects and every audio file).

    python benchmarks/kill_soak.py [--kills 20] [--prompts 40] [--seed 0] [augment=default n_jobs=2 ...]

The kill takes the whole process group (parent, loky workers, eSpeak NG helpers and voice servers).
Kill moments: most when the manifest has grown by a random number of rows (1 to a tenth of what
is left, never the last) since the restart, plus a random 0-0.3 s; every fourth one a random 0.5-6 s after
start, whatever
was written (start-up, the duplicate pre-pass, the resume checks, the counting pass).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.common import append_results, corpus_scratch  # noqa: E402
from synth.prompts import Prompt, read_prompts  # noqa: E402


def digest_tree(root: Path) -> dict[str, str]:
    """sha256 of every file the corpus contract covers (manifest, rejects, audio)."""
    files = [root / "manifest.jsonl", root / "rejects.jsonl", *sorted((root / "audio").rglob("*.*"))]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _rows(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def command(prompts: Path, out: Path, overrides: list[str]) -> list[str]:
    return [sys.executable, str(REPO / "generate.py"), "progress=false", f"prompts.path={prompts}",
            f"output.dir={out}", "voices.per_prompt=1", *overrides]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--prompts", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args, overrides = parser.parse_known_args()
    overrides = overrides or ["augment=default", "n_jobs=2"]
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(dir=corpus_scratch()) as tmp:
        tmp = Path(tmp)
        prompts = tmp / "prompts.txt"
        texts = [p.text for p in read_prompts(None) if isinstance(p, Prompt)][: args.prompts]
        prompts.write_text("\n".join(texts) + "\n")
        started = time.perf_counter()
        subprocess.run(command(prompts, tmp / "ref", overrides), check=True, capture_output=True)
        reference_s = time.perf_counter() - started
        total_rows = _rows(tmp / "ref" / "manifest.jsonl")
        out, moments = tmp / "killed", []
        for k in range(args.kills):
            on_file = _rows(out / "manifest.jsonl")  # a few rows further each time, so most kills land mid-render
            target = min(total_rows - 1, on_file + rng.randint(1, max(1, (total_rows - on_file) // 10)))
            by_time = k % 4 == 3
            delay = rng.uniform(0.5, 6.0) if by_time else rng.uniform(0.0, 0.3)
            proc = subprocess.Popen(command(prompts, out, overrides), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
            started = time.monotonic()
            while not by_time and proc.poll() is None and _rows(out / "manifest.jsonl") < target:
                time.sleep(0.005)
            time.sleep(max(0.0, delay - (time.monotonic() - started)) if by_time else delay)
            if proc.poll() is not None:
                moments.append(f"#{k + 1} finished first")
                continue
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            when = f"{delay:.1f} s after start" if by_time else f"row {target}+{delay:.2f} s"
            moments.append(f"#{k + 1} {when}: {_rows(out / 'manifest.jsonl')} rows on file")
        final = subprocess.run(command(prompts, out, overrides), capture_output=True, text=True)
        if final.returncode != 0:
            raise SystemExit(final.stderr[-3000:])
        verify = subprocess.run([sys.executable, "-m", "synth.verify", str(out)], capture_output=True, text=True)
        ref, got = digest_tree(tmp / "ref"), digest_tree(out)
        differing = sorted(k for k in set(ref) | set(got) if ref.get(k) != got.get(k))
    lines = [
        f"- overrides: {' '.join(overrides)}; {args.prompts} prompts; uninterrupted run {reference_s:.1f} s",
        f"- {args.kills} SIGKILLs of the process group: {'; '.join(moments)}",
        f"- files compared: {len(ref)}; differing from the uninterrupted run: {len(differing)} {differing[:5]}",
        f"- verify after the last resume: {(verify.stdout.strip().splitlines() or ['?'])[-1]}",
    ]
    print("\n".join(lines))
    append_results("Kill -9 soak (resume)", " ".join(["benchmarks/kill_soak.py", *sys.argv[1:]]), lines)
    if differing or verify.returncode != 0:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
