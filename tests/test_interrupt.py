"""Ctrl-C on a real run: the terminal sends SIGINT to the whole process group (the generator, its
loky workers and eSpeak NG helpers). Expected: one line saying what is kept and how to resume, exit
130, no traceback; the rerun says how many items are left and ends with the uninterrupted corpus."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _generate(out: Path, *extra: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(ROOT / "generate.py"), f"output.dir={out}", "progress=false", "n_jobs=2", *extra]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _rows(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line) if path.exists() else 0


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["joblib", "serial", "dask"])
def test_ctrl_c_prints_one_line_exits_130_and_the_rerun_finishes(tmp_path, executor):
    out = tmp_path / "corpus"
    run = _generate(out, "voices.per_prompt=4", f"executor={executor}", start_new_session=True)
    deadline = time.monotonic() + 120
    while _rows(out / "manifest.jsonl") < 30:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "no rows appeared"
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr + stdout, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    kept = _rows(out / "manifest.jsonl")
    assert lines[-1] == f"interrupted: {kept} utterances kept in {out}; run the same command to resume", stderr
    assert len(lines) == 1, stderr
    assert 30 <= kept < 1256
    if executor != "joblib":
        return  # the rerun is the same for every executor

    rerun = _generate(out, "voices.per_prompt=4")
    stdout, stderr = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, stderr
    total = 628 * 2  # 314 built-in prompts x 4 voices
    assert f"{kept} finished rows kept; 0 items to redo; {total - kept} items left to render" in stderr + stdout
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == total and len({r["id"] for r in rows}) == total
    assert f"{out.resolve()}: {total} utterances" in stderr + stdout
