"""executor=dask with a real `dask scheduler` and `dask worker` (separate processes), killed mid-run
with SIGKILL: losing the only worker or the scheduler ends the run with a clear message and the
finished work kept; a worker that comes back within executor.max_restarts lets the run finish; the
same command afterwards completes the corpus."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synth.prompts import Prompt, read_prompts
from tests.conftest import REPO, check_corpus, run_cli

DASK = Path(sys.executable).with_name("dask")
N_PROMPTS = 100


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A dask scheduler and workers, each its own process group so SIGKILL takes the nanny and worker."""

    def __init__(self, tmp_path: Path):
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.tmp, self.procs = tmp_path, []
        self.scheduler = self._spawn("scheduler", ["scheduler", "--port", self.address.rsplit(":", 1)[1]])
        self.workers = []

    def _spawn(self, name, args):
        log = open(self.tmp / f"{name}-{len(self.procs)}.log", "w")
        proc = subprocess.Popen(
            [str(DASK), *args, "--no-dashboard"], stdout=log, stderr=log, start_new_session=True, cwd=self.tmp
        )
        self.procs.append(proc)
        return proc

    def add_worker(self):
        self.workers.append(self._spawn("worker", ["worker", self.address, "--nworkers", "1", "--nthreads", "1"]))
        from distributed import Client

        with Client(self.address, timeout="30s") as client:  # until the worker has joined
            client.wait_for_workers(len([w for w in self.workers if w.poll() is None]), timeout=60)

    @staticmethod
    def kill(proc):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def close(self):
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc)


@pytest.fixture
def cluster(tmp_path):
    made = Cluster(tmp_path)
    yield made
    made.close()


@pytest.fixture(scope="module")
def prompts_file(tmp_path_factory):
    texts = [p.text for p in read_prompts(None) if isinstance(p, Prompt)][:N_PROMPTS]
    path = tmp_path_factory.mktemp("p") / "prompts.txt"
    path.write_text("\n".join(texts) + "\n")
    return path


def _rows(out: Path) -> int:
    try:
        return (out / "manifest.jsonl").read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _run(cluster, prompts_file, out, **executor):
    args = [f"prompts.path={prompts_file}", f"output.dir={out}", "executor=dask", f"executor.address={cluster.address}"]
    args += ["voices.per_prompt=1", "executor.batch_size=4", "progress=false"]
    args += [f"executor.{k}={v}" for k, v in executor.items()]
    return [sys.executable, str(REPO / "generate.py"), *args]


def _start_then(cluster, prompts_file, out, after_rows, action, **executor):
    """Start a run, do `action` once it has written `after_rows` rows, return the finished process."""
    proc = subprocess.Popen(
        _run(cluster, prompts_file, out, **executor),
        cwd=out.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 180
    while _rows(out) < after_rows and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before the cluster could be broken; use more prompts"
    action()
    output, _ = proc.communicate(timeout=300)
    return proc.returncode, output


def _assert_clear_end(rc, output, out):
    assert rc == 2, output[-3000:]
    kept = re.search(r"(\d+) utterances kept; run the same command to resume", output)
    assert kept, output[-3000:]
    assert int(kept.group(1)) == _rows(out) > 0  # the count it names is what is on file
    assert "FutureCancelledError" not in output and "Traceback" not in output, output[-3000:]
    check_corpus(out)  # every row kept is whole and matches its audio


@pytest.mark.slow
def test_losing_the_only_worker_ends_clearly_and_the_rerun_completes(cluster, prompts_file, tmp_path):
    cluster.add_worker()
    out = tmp_path / "corpus"
    rc, output = _start_then(
        cluster, prompts_file, out, 8, lambda: cluster.kill(cluster.workers[0]), worker_wait_s=3, max_restarts=1
    )
    _assert_clear_end(rc, output, out)
    assert _rows(out) < N_PROMPTS
    cluster.add_worker()
    again = run_cli(_run(cluster, prompts_file, out)[2:], cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(check_corpus(out)) == N_PROMPTS


@pytest.mark.slow
def test_losing_the_scheduler_ends_clearly(cluster, prompts_file, tmp_path):
    cluster.add_worker()
    out = tmp_path / "corpus"
    rc, output = _start_then(
        cluster, prompts_file, out, 8, lambda: cluster.kill(cluster.scheduler), worker_wait_s=3, max_restarts=1
    )
    _assert_clear_end(rc, output, out)
    assert "the dask scheduler at" in output and "is gone" in output


@pytest.mark.slow
def test_a_worker_that_comes_back_within_max_restarts_lets_the_run_finish(cluster, prompts_file, tmp_path):
    cluster.add_worker()
    out = tmp_path / "corpus"

    def replace_worker():
        cluster.kill(cluster.workers[0])
        cluster.add_worker()  # takes a few seconds: the run waits (worker_wait_s) and reconnects

    rc, output = _start_then(cluster, prompts_file, out, 8, replace_worker, worker_wait_s=60, max_restarts=3)
    assert rc == 0, output[-3000:]
    assert "restarting the remaining items" in output
    assert len(check_corpus(out)) == N_PROMPTS
