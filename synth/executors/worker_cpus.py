"""One CPU per worker process: each joblib worker (or dask local-cluster worker), with the engine helpers it
starts, keeps to one CPU.

Why: a worker and its engine's helper process (eSpeak NG's voice server, a model's helper) hand each
utterance back and forth and never run at the same time. Left to the kernel, two such pairs on two
cores were often placed on one core while the other idled. Measured on this project's 2-core machine
(benchmarks/RESULTS.md, "what two cores give work that shares nothing"): the bare eSpeak NG engine in
two processes on halves of a 2000-item plan took 6.70 s unpinned and 4.89 s with each on its own CPU
(the whole plan in one process: 10.64 s).

How a worker knows which CPU is its own: it claims the lowest free slot of this run, a name in
Linux's abstract socket namespace (bind is atomic and exclusive; the kernel frees the name when the
process ends however it ends, so a worker that loky replaces after a crash frees its slot for the
new one). Nothing is written to any file system. Slot k gets the k-th of the CPUs the parent may
use (os.sched_getaffinity), round robin when there are more workers than CPUs. Processes a worker
starts afterwards (engine helpers, their voice servers) inherit its CPU. The parent is not pinned:
it takes whatever time either core has left. Which CPU runs an item changes no byte of its output.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass

log = logging.getLogger("synth")

_MAX_SLOTS = 4096  # more workers than this on one run: the rest are left unpinned
_claimed: list[dict] = []  # this process's slot, if any: its run, socket (kept open: it holds the name), CPU


@dataclass(frozen=True)
class WorkerCpus:
    """Which CPUs this run's workers are spread over, and the name of its slots."""

    cpus: tuple[int, ...]
    token: str


def plan_worker_cpus(n_jobs: int) -> WorkerCpus | None:
    """The CPUs `n_jobs` worker processes of this run are spread over, or None where pinning would not
    help: one worker, one usable CPU, or a system without CPU affinity or abstract sockets (not Linux)."""
    if n_jobs < 2 or not hasattr(os, "sched_setaffinity") or not hasattr(socket, "AF_UNIX"):
        return None
    try:
        cpus = tuple(sorted(os.sched_getaffinity(0)))
    except OSError:
        return None
    return WorkerCpus(cpus, uuid.uuid4().hex) if len(cpus) >= 2 else None


def _claim_slot(token: str) -> tuple[int, socket.socket] | None:
    for slot in range(_MAX_SLOTS):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(f"\0speechforge-cpu-{token}-{slot}")
        except OSError:  # taken by a live worker of this run (EADDRINUSE)
            sock.close()
            continue
        return slot, sock
    return None


def pin_this_worker(plan: WorkerCpus | None) -> int | None:
    """Keep the calling thread (a loky worker's only one; the thread that runs a dask worker's tasks) and
    the processes it starts from now on to its slot's CPU (Linux's affinity is per thread). Idempotent per plan; a
    worker that loky reuses from an earlier run of this process takes the new run's plan, and with no
    plan it gets back the CPUs it had before it was pinned.

    :returns: the CPU, or None when not pinned (no plan, or the kernel refused)
    """
    if _claimed and plan is not None and _claimed[0]["token"] == plan.token:
        cpu = _claimed[0]["cpu"]
        if os.sched_getaffinity(0) != {cpu}:  # a thread of this worker not pinned yet (dask may run tasks in a new one)
            os.sched_setaffinity(0, {cpu})
        return cpu
    if _claimed:  # pinned for an earlier run: let go of its slot and CPU first
        earlier = _claimed.pop()
        earlier["socket"].close()
        os.sched_setaffinity(0, earlier["before"])
    if plan is None:
        return None
    claim = _claim_slot(plan.token)
    if claim is None:
        return None
    slot, sock = claim
    cpu, before = plan.cpus[slot % len(plan.cpus)], os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as exc:  # a CPU the container no longer lets us use: run where the kernel puts us
        log.debug("worker %d not pinned to CPU %d: %s", os.getpid(), cpu, exc)
        sock.close()
        return None
    _claimed.append({"token": plan.token, "socket": sock, "cpu": cpu, "before": before})
    return cpu


def run_pinned(plan: WorkerCpus | None, fn, *args):
    """fn(*args) in a worker process pinned by `plan` (what the executor sends each worker)."""
    pin_this_worker(plan)
    return fn(*args)
