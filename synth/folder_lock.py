"""One run per corpus folder: an exclusive lock on a file in it, held for the whole run.

Two runs on one folder would both append every row (the corpus then holds each utterance twice).
The lock is `flock` on `<folder>/.speechforge.lock`: the kernel drops it when the holding process
ends in any way (kill -9 included), so a crashed run never leaves a stale lock to clear by hand.
The file holds the holder's pid, host, start time and command, for the message the next run prints.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

from synth.corpus import CorpusError

LOCK_NAME = ".speechforge.lock"


class FolderInUse(CorpusError):
    """Another live process holds the folder's lock; the message names it."""


def _holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return {}


def _describe(holder: dict) -> str:
    if not holder.get("pid"):
        return "another process (it has not written its details yet)"
    command = " ".join(holder.get("argv") or [])
    return f"pid {holder['pid']} on host {holder.get('host', '?')}, started {holder.get('started', '?')}" + (
        f" ({command})" if command else ""
    )


def _open_locked(path: Path) -> int:
    """Open and lock the lock file; retry if the holder removed it between our open and our lock
    (we would hold a lock on a file no one else can see)."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise FolderInUse(
                f"output.dir {str(path.parent)!r} is in use by {_describe(holder)}; "
                "wait for that run to end (or stop it), or choose another output.dir"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike) -> Iterator[Path]:
    """Hold the exclusive lock of `folder` (made if missing) for the body of the `with`.

    :param folder: the corpus folder (a shard's own folder in a sharded run)
    :raises FolderInUse: another live process holds it; the message gives its pid, host, start time
    :raises CorpusError: the folder is a file, or it cannot be made or locked (the OS's reason)
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise CorpusError(f"output.dir {str(folder)!r} exists and is not a folder")
    created = not folder.exists()
    path = folder / LOCK_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = _open_locked(path)
    except OSError as exc:
        raise CorpusError(f"cannot write to output.dir {str(folder)!r}: {exc.strerror or exc}") from exc
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "argv": [os.path.basename(sys.argv[0]), *sys.argv[1:]][:64],
    }
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)
        yield path
    finally:
        if os.getpid() == me["pid"]:  # not in a forked child that leaves through this frame
            with contextlib.suppress(OSError):
                os.unlink(path)  # while still locked: a run that opened it meanwhile sees it gone and retries
            if created:  # a run refused before writing anything leaves no empty folder behind
                with contextlib.suppress(OSError):
                    folder.rmdir()
        os.close(fd)
