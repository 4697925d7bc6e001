"""Writing files so that a crash leaves the old version or the new, never half of one."""
import os
from contextlib import contextmanager


@contextmanager
def atomic(path, mode="w"):
    """Open a temporary file beside `path`; on success it replaces `path`."""
    tmp = path + ".tmp"
    try:
        with open(tmp, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
