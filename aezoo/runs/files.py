"""Writing files so that a crash leaves the old version or the new, never half of one."""
import os
from contextlib import contextmanager

from aezoo.errors import UsageError


@contextmanager
def atomic(path, mode="w", sync=True):
    """Open a temporary file beside `path`; on success it replaces `path`.

    The rename alone survives a killed process; `sync` also waits for the disk,
    for files that must survive a power cut (checkpoints, config). Snapshots
    skip it: losing the last one costs a frame, and the wait costs time every epoch.
    """
    tmp = path + ".tmp"
    try:
        with open(tmp, mode) as f:
            yield f
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:  # a full disk: say which file could not be written
        if e.filename:
            raise
        raise OSError(e.errno, e.strerror, path) from e
    finally:
        if os.path.exists(tmp):
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
