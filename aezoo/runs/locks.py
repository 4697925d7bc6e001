"""The one way aezoo locks a file or folder against another process: flock, exclusive.

    if not locks.exclusive(handle): ...       # another process holds it: refuse, one line
    locks.exclusive(f, wait=True)             # take turns (an MLflow SQLite store)
    locks.held(path)                          # whether a process holds it now (a run trains)

The lock lasts while the handle is open, and the system drops it when the process ends,
however it ends (kill -9 included), so a crash never leaves a stale lock. Used for a run
folder being trained (rundir.py), a folder a command writes (owner.py) and an MLflow
SQLite store written by several runs at once (loggers/mlflow.py).
"""
import fcntl


def exclusive(handle, wait=False):
    """Lock `handle` (an open file or a descriptor) for this process; False when another
    process holds it and `wait` is False."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def held(path):
    """Whether a process holds the lock of the file `path` now (no file: nobody does)."""
    try:
        handle = open(path)
    except OSError:
        return False
    with handle:  # closing it drops the lock taken here, if one was
        return not exclusive(handle)
