"""Writing files so that a crash leaves the old version or the new, never half of one."""
import os
import shutil
from contextlib import contextmanager

from aezoo.errors import UsageError


@contextmanager
def atomic(path, mode="w", sync=True, links=()):
    """Open a temporary file beside `path`; on success it replaces `path`.

    The rename alone survives a killed process; `sync` also waits for the disk,
    for files that must survive a power cut (checkpoints, config). Snapshots
    skip it: losing the last one costs a frame, and the wait costs time every epoch.
    `links` are other names that get the same bytes (a hard link, no second write),
    each atomically and before `path` itself.
    """
    tmp = path + ".tmp"
    try:
        with open(tmp, mode) as f:
            yield f
            if sync:
                f.flush()
                os.fsync(f.fileno())
        for other in links:
            link(tmp, other)
        os.replace(tmp, path)
    except OSError as e:  # a full disk: say which file could not be written
        if e.filename:
            raise
        raise OSError(e.errno, e.strerror, path) from e
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def link(source, path):
    """`path` becomes the same bytes as `source`, atomically: a hard link renamed into place
    (a copy where the file system has no hard links)."""
    tmp = path + ".tmp"
    try:
        if os.path.lexists(tmp):
            os.remove(tmp)
        try:
            os.link(source, tmp)
        except OSError:  # FAT, some network file systems: the bytes once more
            shutil.copyfile(source, tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.remove(tmp)


def check_writable(path, flag):
    """A UsageError now, before the work, unless a file can be written at `path` at its end:
    its folder exists and may be written, and `path` is not a folder."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"{flag} {path} is a folder; expected a file name")
    if not os.path.isdir(folder):
        raise UsageError(f"{flag} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{flag} {path}: folder {folder} cannot be written")
    return path
