"""A real run killed with SIGKILL, then started again, ends with the uninterrupted corpus."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from synth.prompts import Prompt, read_prompts
from tests.conftest import REPO, check_corpus, corpus_fingerprint, run_cli


@pytest.fixture(scope="module")
def prompts_file(tmp_path_factory):
    texts = [p.text for p in read_prompts(None) if isinstance(p, Prompt)][:60]
    path = tmp_path_factory.mktemp("p") / "prompts.txt"
    path.write_text("\n".join(texts + ["", "\u4f60\u597d"]) + "\n")  # two rejections too
    return path


@pytest.fixture(scope="module")
def reference(prompts_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "corpus"
    result = run_cli([f"prompts.path={prompts_file}", f"output.dir={out}"], cwd=out.parent)
    assert result.returncode == 0, result.stderr
    return out


def _lines(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.mark.parametrize("kill_after_rows", [0, 5, 37, 90])
def test_sigkill_then_resume_matches_uninterrupted(prompts_file, reference, tmp_path, kill_after_rows):
    out = tmp_path / "corpus"
    args = [
        sys.executable,
        str(REPO / "generate.py"),
        "progress=false",
        f"prompts.path={prompts_file}",
        f"output.dir={out}",
    ]
    # its own process group, so the kill takes the workers and engine helpers down with it
    proc = subprocess.Popen(
        args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    jitter = random.Random(kill_after_rows).uniform(0, 0.05)
    while _lines(out / "manifest.jsonl") < kill_after_rows and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(jitter)
    assert proc.poll() is None, "the run finished before it could be killed; use more prompts"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    result = run_cli([f"prompts.path={prompts_file}", f"output.dir={out}"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check_corpus(out)
    assert corpus_fingerprint(out) == corpus_fingerprint(reference)
    assert (out / "manifest.jsonl").read_bytes() == (reference / "manifest.jsonl").read_bytes()
    assert (out / "rejects.jsonl").read_bytes() == (reference / "rejects.jsonl").read_bytes()
    assert not list(out.rglob("*.tmp")), "a half-written file survived the resume"


def test_a_killed_worker_process_is_replaced(prompts_file, reference, tmp_path):
    """SIGKILL one loky worker mid-run: the run goes on and ends with the uninterrupted corpus."""
    out = tmp_path / "corpus"
    args = [
        sys.executable,
        str(REPO / "generate.py"),
        "progress=false",
        f"prompts.path={prompts_file}",
        f"output.dir={out}",
    ]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline, killed = time.monotonic() + 120, False
    while not killed and proc.poll() is None and time.monotonic() < deadline:
        if _lines(out / "manifest.jsonl") >= 10:
            for pid in _children(proc.pid):
                if "LokyProcess" in open(f"/proc/{pid}/cmdline").read().replace("\0", " "):
                    os.kill(pid, signal.SIGKILL)
                    killed = True
                    break
        time.sleep(0.005)
    output = proc.communicate(timeout=300)[0]
    assert killed, "no worker process found to kill"
    assert proc.returncode == 0, output[-3000:]
    assert "a worker process died" in output and "Traceback" not in output
    assert corpus_fingerprint(out) == corpus_fingerprint(reference)
    assert (out / "manifest.jsonl").read_bytes() == (reference / "manifest.jsonl").read_bytes()


def _children(pid):
    kids = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            kids += [int(c) for c in handle.read().split()]
    return kids
