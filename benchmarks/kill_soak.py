"""Kill -9 soak: one run killed with SIGKILL at N random moments, resumed each time, must end
byte-identical to an uninterrupted run (manifest, rejects and every audio file).

    python benchmarks/kill_soak.py [--kills 20] [--prompts 40] [--seed 0] [augment=default n_jobs=2 ...]

The kill takes the whole process group (parent, loky workers, eSpeak NG helpers and voice servers).
Kill moments are drawn uniformly over [0.5 s, 1.2 x the uninterrupted run's wall time]: during
start-up, planning, resume checks, rendering, the final reorder, exports and the card.
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

from benchmarks.common import append_results  # noqa: E402
from synth.prompts import Prompt, read_prompts  # noqa: E402


def digest_tree(root: Path) -> dict[str, str]:
    """sha256 of every file the corpus contract covers (manifest, rejects, audio)."""
    files = [root / "manifest.jsonl", root / "rejects.jsonl", *sorted((root / "audio").rglob("*.*"))]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


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
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        prompts = tmp / "prompts.txt"
        texts = [p.text for p in read_prompts(None) if isinstance(p, Prompt)][: args.prompts]
        prompts.write_text("\n".join(texts) + "\n")
        started = time.perf_counter()
        subprocess.run(command(prompts, tmp / "ref", overrides), check=True, capture_output=True)
        reference_s = time.perf_counter() - started
        out, moments = tmp / "killed", []
        for _ in range(args.kills):
            delay = rng.uniform(0.5, 1.2 * reference_s)
            proc = subprocess.Popen(command(prompts, out, overrides), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
            try:
                proc.wait(timeout=delay)
                moments.append(f"{delay:.1f}s (finished first)")
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                lines = (out / "manifest.jsonl").read_bytes().count(b"\n") if (out / "manifest.jsonl").exists() else 0
                moments.append(f"{delay:.1f}s ({lines} rows)")
        final = subprocess.run(command(prompts, out, overrides), capture_output=True, text=True)
        if final.returncode != 0:
            raise SystemExit(final.stderr[-3000:])
        verify = subprocess.run([sys.executable, "-m", "synth.verify", str(out)], capture_output=True, text=True)
        ref, got = digest_tree(tmp / "ref"), digest_tree(out)
        differing = sorted(k for k in set(ref) | set(got) if ref.get(k) != got.get(k))
    lines = [
        f"- overrides: {' '.join(overrides)}; {args.prompts} prompts; uninterrupted run {reference_s:.1f} s",
        f"- {args.kills} SIGKILLs of the process group at: {', '.join(moments)}",
        f"- files compared: {len(ref)}; differing from the uninterrupted run: {len(differing)} {differing[:5]}",
        f"- verify after the last resume: {(verify.stdout.strip().splitlines() or ['?'])[-1]}",
    ]
    print("\n".join(lines))
    append_results("Kill -9 soak (resume)", " ".join(["benchmarks/kill_soak.py", *sys.argv[1:]]), lines)
    if differing or verify.returncode != 0:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
