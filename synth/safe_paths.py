"""Nothing is written through a symlink inside output.dir.

A link inside the corpus folder would carry writes outside it (a linked voice folder receives audio
elsewhere) or onto another file (a linked rejects.jsonl is truncated through the link). So a run
refuses a folder that holds a symlink before it writes anything, and its own writes open each path
component without following links (O_NOFOLLOW, relative to an open folder), so a link planted
while it runs makes that write fail instead of landing elsewhere.

The one kind of link a corpus holds by design: the Hugging Face export's per-utterance links under
exports/ to audio files of the same corpus (synth/exporters/hf.py); those are accepted.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


def _expected_link(root_real: str, path: str) -> bool:
    """A link of our own: a file link under exports/ that resolves to a regular file inside the corpus."""
    parts = Path(os.path.relpath(path, root_real)).parts
    if "exports" not in parts[:-1] or os.path.isdir(path):
        return False
    target = os.path.realpath(path)
    return os.path.commonpath([target, root_real]) == root_real and os.path.isfile(target)


def refuse_symlinks(root: str | os.PathLike) -> None:
    """Refuse a corpus folder that holds a symlink (other than the export's own links to its audio).

    :param root: the corpus folder (output.dir, or a shard's folder); it may itself be a link the user named
    :raises CorpusError: naming the first link found, where it points, and what to do
    """
    from synth.corpus import CorpusError  # here: render (in every worker) imports this module, not the corpus

    root_real = os.path.realpath(root)
    folders = [root_real]
    # scandir's entries know their type: no stat per file (100k files: 0.06 s, against 0.6 s with a stat each)
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                    continue
                path = entry.path
                if not entry.is_symlink() or _expected_link(root_real, path):
                    continue
                raise CorpusError(
                    f"output.dir {str(root)!r} holds a symlink, {os.path.relpath(path, root_real)} -> "
                    f"{os.readlink(path)}: a run writes only real files and folders inside its output.dir, never "
                    "through a link; replace the link with a real file or folder, or choose another output.dir"
                )


def _open_folder(root: Path, parts: tuple[str, ...]) -> int:
    """An fd of root/parts..., each component made if missing and opened without following a link."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts:
            flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
            try:  # the folder is there for all but a voice's first file: open first, make it only if missing
                child = os.open(part, flags, dir_fd=fd)
            except FileNotFoundError:
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:  # another worker made it in between
                    pass
                child = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def write_under(root: str | os.PathLike, relpath: str, data: bytes) -> None:
    """Write `data` to root/relpath atomically (a hidden temporary, then a rename) without following
    any link below `root`: a linked folder on the way fails with ELOOP or ENOTDIR.

    :param root: the corpus folder
    :param relpath: a relative path inside it, e.g. audio/<voice>/<id>.flac
    :param data: the file's bytes
    :raises OSError: the write failed (disk full, read-only, a link on the way)
    """
    *folders, name = Path(relpath).parts
    if Path(relpath).is_absolute() or ".." in folders or name in ("", "..", "."):
        raise OSError(errno.EINVAL, f"not a path inside the corpus: {relpath!r}")
    dir_fd = _open_folder(Path(root), tuple(folders))
    tmp = f".{name}.{os.getpid()}.tmp"
    try:
        try:
            os.unlink(tmp, dir_fd=dir_fd)  # left by a killed process that had our pid
        except FileNotFoundError:
            pass
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dir_fd)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)  # replaces a link named `name`, not its target
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except OSError:
            pass
        raise
    finally:
        os.close(dir_fd)
