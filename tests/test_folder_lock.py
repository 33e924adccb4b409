"""One run per folder: a second real run on a folder in use is refused with the holder's pid, host and
start time, and the first ends with each utterance once; a holder killed with SIGKILL leaves no lock
that stops the next run."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from synth.folder_lock import LOCK_NAME
from synth.prompts import Prompt, read_prompts
from tests.conftest import REPO, check_corpus, run_cli


@pytest.fixture(scope="module")
def prompts_file(tmp_path_factory):
    texts = [p.text for p in read_prompts(None) if isinstance(p, Prompt)][:40]
    path = tmp_path_factory.mktemp("p") / "prompts.txt"
    path.write_text("\n".join(texts) + "\n")
    return path


def _start(out, prompts_file, cwd):
    args = [sys.executable, str(REPO / "generate.py"), "progress=false", "n_jobs=1"]
    args += [f"prompts.path={prompts_file}", f"output.dir={out}"]
    return subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def _wait_until_rendering(proc, out, rows=1):
    """Until the run holds the lock (its pid is in the lock file) and has written `rows` rows."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            holder = json.loads((out / LOCK_NAME).read_text() or "{}")
            written = (out / "manifest.jsonl").read_bytes().count(b"\n")
        except (OSError, ValueError):
            holder, written = {}, 0
        if holder.get("pid") == proc.pid and written >= rows:
            return holder
        time.sleep(0.01)
    raise AssertionError(f"the first run did not start rendering (rc={proc.poll()})")


@pytest.mark.slow
def test_a_second_run_on_a_folder_in_use_is_refused(prompts_file, tmp_path):
    out = tmp_path / "corpus"
    first = _start(out, prompts_file, tmp_path)
    try:
        holder = _wait_until_rendering(first, out)
        second = run_cli([f"prompts.path={prompts_file}", f"output.dir={out}"], cwd=tmp_path)
        assert first.poll() is None, "the first run ended before the second started; give it more prompts"
    finally:
        rc = first.wait(timeout=300)
    assert second.returncode == 2, second.stderr
    assert f"output.dir {str(out)!r} is in use by pid {first.pid} on host {socket.gethostname()}" in second.stderr
    assert f"started {holder['started']}" in second.stderr and "generate.py" in second.stderr
    assert rc == 0, first.stderr.read()
    rows = check_corpus(out)  # each id once
    assert len(rows) == 40 * 2  # voices.per_prompt=2: every utterance of the plan, none twice
    assert not (out / LOCK_NAME).exists()  # the lock file goes with the run that held it


@pytest.mark.slow
def test_sigkill_of_the_holder_leaves_no_stale_lock(prompts_file, tmp_path):
    out = tmp_path / "corpus"
    first = _start(out, prompts_file, tmp_path)
    _wait_until_rendering(first, out, rows=3)
    os.killpg(first.pid, signal.SIGKILL)  # its workers and engine helpers too
    first.wait()
    assert json.loads((out / LOCK_NAME).read_text())["pid"] == first.pid  # the file stays; the lock does not
    again = run_cli([f"prompts.path={prompts_file}", f"output.dir={out}"], cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(check_corpus(out)) == 40 * 2
    assert not (out / LOCK_NAME).exists()


def test_in_process_holder_refuses_another_process(tmp_path):
    """The lock is the kernel's: a separate process sees it while this one holds it, and not after."""
    from synth.folder_lock import folder_lock

    probe = (
        "import sys; from synth.folder_lock import folder_lock, FolderInUse\n"
        "try:\n    with folder_lock(sys.argv[1]): print('got it')\n"
        "except FolderInUse as e: print(e)\n"
    )

    def other():
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        return subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path / "c")], capture_output=True, text=True, env=env
        )

    with folder_lock(tmp_path / "c"):
        refused = other()
        assert f"is in use by pid {os.getpid()} on host {socket.gethostname()}" in refused.stdout, refused.stderr
    assert other().stdout.strip() == "got it"
    assert not (tmp_path / "c").exists()  # made by the lock, left empty: removed with it
