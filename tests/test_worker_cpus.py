"""executor.pin_workers (synth/executors/worker_cpus.py): each joblib worker, and the processes it
starts, on a CPU of its own; slots freed when a worker dies; off means the kernel's placement again.
Real loky workers, real child processes, real SIGKILL; affinities read back from the kernel."""

import multiprocessing
import os
import signal
import subprocess
import sys

import pytest

from synth.executors.joblib_executor import JoblibExecutor
from synth.executors.worker_cpus import WorkerCpus, pin_this_worker, plan_worker_cpus

CPUS = sorted(os.sched_getaffinity(0))
needs_two_cpus = pytest.mark.skipif(len(CPUS) < 2, reason="pinning needs two usable CPUs (CI has two)")


def where_i_run(_task) -> tuple[int, list[int], list[int]]:
    """In a worker: (its pid, its CPUs, the CPUs of a process it starts now)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return os.getpid(), sorted(os.sched_getaffinity(0)), eval(child.stdout)  # noqa: S307 - our own list


def _by_worker(results) -> dict[int, tuple[list[int], list[int]]]:
    return {pid: (mine, child) for pid, mine, child in results}


@needs_two_cpus
def test_two_workers_get_a_cpu_each_and_their_children_follow():
    executor = JoblibExecutor(2)
    assert executor.cpus is not None and executor.cpus.cpus == tuple(CPUS)
    workers = _by_worker(executor.map(where_i_run, range(40)))
    assert len(workers) == 2, f"both workers should have taken tasks: {workers}"
    cpus = [mine for mine, _ in workers.values()]
    assert all(len(c) == 1 for c in cpus), cpus
    assert cpus[0] != cpus[1], f"the two workers share a CPU: {cpus}"
    assert all(child == mine for mine, child in workers.values()), "a process a worker starts keeps its CPU"


@needs_two_cpus
def test_pin_workers_false_gives_the_kernel_back_its_choice_even_in_reused_workers():
    list(JoblibExecutor(2).map(where_i_run, range(10)))  # loky keeps these workers, pinned, for the next call
    workers = _by_worker(JoblibExecutor(2, pin_workers=False).map(where_i_run, range(40)))
    assert all(mine == CPUS and child == CPUS for mine, child in workers.values()), workers


def test_one_worker_is_not_pinned():
    assert plan_worker_cpus(1) is None
    assert JoblibExecutor(1).cpus is None


def _claim_and_report(plan: WorkerCpus, out, hold: bool) -> None:
    pin_this_worker(plan)
    out.send((os.getpid(), sorted(os.sched_getaffinity(0))))  # what the kernel says, not what we asked
    if hold:
        signal.pause()  # keep the slot until killed


def _report_from(ctx, plan: WorkerCpus, hold: bool):
    """A spawned process that claims a slot of `plan`, and the end of the pipe it reports on.

    A pipe of its own, not a shared Queue: a Queue's writers share one lock, and a holder SIGKILLed
    between sending its report and releasing that lock (it may be preempted by the reader it just woke)
    leaves the lock taken for ever, so the newcomer's report never left (the test's old flake: 120 s)."""
    reader, writer = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_claim_and_report, args=(plan, writer, hold))
    process.start()
    writer.close()  # the child has its copy; ours closed, a dead child reads as EOF
    return process, reader


def _report(conn) -> tuple[int, list[int]]:
    assert conn.poll(60), "a spawned process did not report its CPU within 60 s"
    return conn.recv()


@needs_two_cpus
def test_a_killed_workers_slot_goes_to_the_next_worker():
    plan = WorkerCpus(tuple(CPUS[:2]), f"test-killed-slot-{os.getpid()}")
    ctx = multiprocessing.get_context("spawn")
    holders = [_report_from(ctx, plan, hold=True) for _ in range(2)]
    try:
        cpu_of = dict(_report(conn) for _, conn in holders)
        assert sorted(cpu_of.values()) == [[c] for c in CPUS[:2]], "two live workers hold the two slots, a CPU each"
        dead = holders[0][0]
        dead.kill()  # SIGKILL: the kernel drops its socket name, nothing cleans up after it
        dead.join()
        newcomer, conn = _report_from(ctx, plan, hold=False)
        _, taken = _report(conn)
        newcomer.join(60)
        assert taken == cpu_of[dead.pid], "the newcomer takes the dead worker's CPU, not the survivor's"
    finally:
        for p, _ in holders:
            p.kill()
            p.join()


def test_an_engine_with_threads_turns_pinning_off():
    from hydra import compose, initialize_config_dir

    from synth.run_parts import build_parts

    conf = os.path.join(os.path.dirname(__file__), "..", "conf")
    with initialize_config_dir(os.path.abspath(conf), version_base=None):
        threaded = compose("config", ["n_jobs=2", "engines.piper.threads=2"])
        plain = compose("config", ["n_jobs=2"])
        dask_threaded = compose("config", ["n_jobs=2", "executor=dask", "engines.piper.threads=2"])
        dask_remote = compose("config", ["n_jobs=2", "executor=dask", "executor.address=tcp://127.0.0.1:9"])
    assert build_parts(threaded).executor.cpus is None
    assert (build_parts(plain).executor.cpus is None) == (len(CPUS) < 2)
    assert build_parts(dask_threaded).executor.cpus is None
    assert build_parts(dask_remote).executor.cpus is None, "a scheduler's workers are on machines we cannot see"


def where_and_how_i_run(task) -> tuple[int, list[int], list[int], str | None]:
    """In a dask worker's task thread: where_i_run, and the MALLOC_TRIM_THRESHOLD_ its process got."""
    return (*where_i_run(task), os.environ.get("MALLOC_TRIM_THRESHOLD_"))


def _dask_workers(pin_workers: bool) -> dict[int, tuple[list[int], list[int], str | None]]:
    from synth.executors.dask_executor import DaskExecutor

    executor = DaskExecutor(2, batch_size=1, pin_workers=pin_workers)
    return {pid: rest for pid, *rest in executor.map(where_and_how_i_run, range(40))}


@needs_two_cpus
def test_a_dask_local_clusters_workers_get_a_cpu_each_and_glibcs_own_trim_threshold():
    workers = _dask_workers(pin_workers=True)
    assert len(workers) == 2, f"both dask workers should have taken tasks: {workers}"
    cpus = [mine for mine, _, _ in workers.values()]
    assert all(len(c) == 1 for c in cpus) and cpus[0] != cpus[1], f"not a CPU each: {cpus}"
    assert all(child == mine for mine, child, _ in workers.values()), "a process a task starts keeps its CPU"
    # dask would set 65536, which also fixes glibc's mmap threshold: ~1 ms of page faults an item (RESULTS.md)
    assert all(trim is None for _, _, trim in workers.values()), workers


@needs_two_cpus
def test_dask_pin_workers_false_leaves_the_kernel_its_choice():
    workers = _dask_workers(pin_workers=False)
    assert workers and all(mine == CPUS and child == CPUS for mine, child, _ in workers.values()), workers
