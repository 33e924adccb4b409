"""Memory does not grow with the prompt count (issue 14, item 10): duplicates are found in fixed memory,
and the passes over the plan before rendering show their progress."""

import subprocess
import sys
import tracemalloc

import pytest

from synth.prompts import Prompt, PromptRejection, read_prompts
from tests.conftest import REPO


def _peak_reading(path) -> tuple[int, int, list]:
    tracemalloc.start()
    try:
        count, rejected = 0, []
        for entry in read_prompts(path):
            count += 1
            if isinstance(entry, PromptRejection):
                rejected.append(entry)
        return tracemalloc.get_traced_memory()[1], count, rejected
    finally:
        tracemalloc.stop()


@pytest.mark.slow  # tracemalloc makes reading ~5x slower: ~25 s on a loaded 2-core machine
def test_duplicate_detection_holds_no_entry_per_prompt(tmp_path):
    n = 40_000
    path = tmp_path / "many.txt"
    with open(path, "w") as handle:
        for i in range(n):
            handle.write(f"Please check item number {i} in the list.\n")
        handle.write("please CHECK item number 7   in the list.\n")  # a duplicate of line 8, far away
    peak, count, rejected = _peak_reading(path)
    assert count == n + 1
    assert [(r.line, r.reason) for r in rejected] == [(n + 1, "duplicate of line 8 (same text)")]
    # a dict of digests held ~130 bytes per prompt (5 MB here); the filter takes ~1 bit per file byte (256 KiB)
    assert peak < 1.5 * 1024 * 1024, peak


def test_counting_pass_shows_progress(tmp_path):
    prompts = tmp_path / "p.txt"
    prompts.write_text("Set a timer for 15 minutes.\nTurn the volume down to 40%.\n")
    done = subprocess.run(
        [sys.executable, str(REPO / "generate.py"), f"prompts.path={prompts}", f"output.dir={tmp_path / 'c'}"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "planning:" in done.stderr and "rendering:" in done.stderr
    assert isinstance(next(read_prompts(prompts)), Prompt)
