"""The regression corpus: a small, fixed config whose every byte is committed as sha256 (tests/golden/).

    python -m synth.golden            # render it and compare with the committed list (exit 1 on a difference)
    python -m synth.golden --write    # render it and write the list (after a deliberate change of output)

"Same config + seed gives the same bytes" is then tested across runs, commits and clean machines, not
only within one test session. The list holds the versions it was made with (synth/versions.py): a
difference on a machine with other versions says which, so a changed library is not taken for a bug.
The engines are those whose bytes depend only on pinned packages: eSpeak NG through espeakng-loader
(pip), with the default augmentation chain (audiomentations, pyroomacoustics) and paired clean rows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "espeak_augmented.json"
PROMPTS = [
    "Set a timer for 15 minutes.",
    "Call Dr. Patel at 555-0123.",
    "Transfer $3.50 to Maria.",
    "Turn the volume down to 40%.",
    "",  # a rejection too
]
OVERRIDES = ["seed=20261202", "voices.per_prompt=2", "augment=default", "augment.paired=true", "output.report=false"]


def render(workdir: Path, n_jobs: int = 2) -> Path:
    """Render the regression corpus into `workdir`/corpus with a real generate.py process."""
    prompts = workdir / "golden_prompts.txt"
    prompts.write_text("\n".join(PROMPTS) + "\n")
    out = workdir / "corpus"
    command = [sys.executable, str(REPO / "generate.py"), "progress=false", f"prompts.path={prompts}"]
    subprocess.run(
        [*command, f"output.dir={out}", f"n_jobs={n_jobs}", *OVERRIDES],
        check=True,
        capture_output=True,
        cwd=workdir,
    )
    return out


def digests(root: Path) -> dict[str, str]:
    """sha256 of the label files and every audio file, by path relative to the corpus."""
    files = [root / "manifest.jsonl", root / "rejects.jsonl", *sorted((root / "audio").rglob("*.*"))]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def recorded_versions(root: Path) -> dict:
    return (yaml.safe_load((root / "config.yaml").read_text()) or {}).get("versions") or {}


def compare(root: Path, golden: dict) -> list[str]:
    """What differs between the corpus at `root` and the committed list; [] when every byte agrees."""
    from synth.versions import differences

    got, want = digests(root), golden["sha256"]
    problems = [
        f"{path}: {got.get(path, 'missing')} != committed {want.get(path, 'absent')}"
        for path in sorted(set(got) | set(want))
        if got.get(path) != want.get(path)
    ]
    if problems:
        changed = differences(golden.get("versions"), recorded_versions(root))
        problems.append(
            "versions differ from the list's: " + "; ".join(changed)
            if changed
            else "same versions as the list: the output changed "
            "(a bug, or a deliberate change: python -m synth.golden --write)"
        )
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m synth.golden", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the list instead of comparing with it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = render(Path(tmp))
        if args.write:
            body = {"overrides": OVERRIDES, "versions": recorded_versions(root), "sha256": digests(root)}
            GOLDEN.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")
            print(f"wrote {GOLDEN} ({len(body['sha256'])} files)")
            return 0
        problems = compare(root, json.loads(GOLDEN.read_text()))
    for problem in problems:
        print(problem)
    print("golden corpus: " + ("OK" if not problems else f"{len(problems)} difference(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
