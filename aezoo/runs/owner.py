"""Folders that a command owns: export's OUT_DIR, compare's and sweep's --out.

A command writes only into a folder that is new, empty, or marked as its own by an earlier
run of the same command: the marker `.aezoo` (JSON: {"made_by": "aezoo export"}) is written
before anything else, so a folder is recognized by it, never by the names of the files in it
(a user's own forward.py or sweep.toml looks like ours). A folder written by an aezoo from
before markers is accepted only when every entry in it is one the command writes there and
the command's own check (`earlier`) recognizes its contents.

While a command writes, it holds an exclusive lock on the folder itself (flock on the
directory, released when the process exits, however it exits), so of two commands started
at once on the same folder, the second is refused in one line.

    with owner.claim(out, "compare", ours=lambda name: name in FILES) as folder:
        ... write into folder ...
"""
import json
import os
from contextlib import contextmanager

from aezoo.errors import UsageError
from aezoo.runs import locks

MARKER = ".aezoo"


def made_by(folder):
    """The command named by `folder`'s marker ("aezoo export"), or None without a readable one."""
    try:
        with open(os.path.join(folder, MARKER)) as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    return record.get("made_by") if isinstance(record, dict) else None


def check(folder, command, ours, earlier=None, flag="--out"):
    """A UsageError unless `command` ("aezoo compare") may write into `folder`; writes nothing.

    `ours(name)` says whether an entry of the folder is one `command` writes there;
    `earlier(folder)`, whether an unmarked folder of such entries was written by it."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError(f"{flag} {folder} is a file; expected a folder")
    entries = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    if not entries:
        return
    marked = made_by(folder)
    if marked == command:
        return
    if marked:
        raise UsageError(f"{flag} {folder} was made by {marked}, not {command}; choose a new "
                         f"or empty folder")
    others = [name for name in entries if not ours(name)]
    if others or (earlier and not earlier(folder)):
        what = f" ({others[0]})" if others else ""
        raise UsageError(f"{flag} {folder} holds files that {command} did not write{what}; "
                         f"choose a new or empty folder")


@contextmanager
def claim(folder, command, ours, earlier=None, flag="--out"):
    """Check `folder` (see check), create it, lock it for this process and mark it as
    `command`'s; yields the folder and releases the lock at the end of the block."""
    check(folder, command, ours, earlier, flag)
    created = not os.path.exists(folder)
    try:
        os.makedirs(folder, exist_ok=True)
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as e:
        raise UsageError(f"{flag} {folder}: cannot create it ({e.strerror or e})")
    if not locks.exclusive(handle):
        os.close(handle)
        raise UsageError(f"{flag} {folder} is being written by another process; wait for "
                         f"it or choose another folder")
    try:
        # Checked again under the lock: another process may have written it meanwhile.
        check(folder, command, ours, earlier, flag)
        if made_by(folder) != command:
            mark(folder, command)
        yield folder
    except BaseException:  # under the lock: nobody else writes here
        if created and os.path.isdir(folder) and set(os.listdir(folder)) <= {MARKER}:
            _remove_empty(folder)  # a folder this call made and nothing was written into
        raise
    finally:
        os.close(handle)  # releases the lock


def mark(folder, command):
    try:
        with open(os.path.join(folder, MARKER), "w") as f:
            json.dump({"made_by": command}, f)
            f.write("\n")
    except OSError as e:
        raise UsageError(f"{folder}: cannot write {MARKER} ({e.strerror or e})")


def _remove_empty(folder):
    try:
        if os.path.exists(os.path.join(folder, MARKER)):
            os.remove(os.path.join(folder, MARKER))
        os.rmdir(folder)
    except OSError:
        pass


# What aezoo sweep writes into its --out: its copy of the sweep file, the report, a folder a
# run and a compare-DATA folder a data set. (Used by commands/sweep.py.)
SWEEP_FILES = ("sweep.toml", "report.html")


def sweep_entries(folder):
    """ours() for a sweep's --out (see claim): SWEEP_FILES, compare-* folders, run folders."""
    def ours(name):
        path = os.path.join(folder, name)
        return name in SWEEP_FILES or (os.path.isdir(path) and (
            name.startswith("compare-") or os.path.isfile(os.path.join(path, "config.json"))))
    return ours


def earlier_sweep(folder):
    """An unmarked sweep folder: sweep.toml beside at least one run or comparison folder (a
    user's own sweep.toml alone is not one)."""
    names = os.listdir(folder)
    return "sweep.toml" in names and any(os.path.isdir(os.path.join(folder, n)) for n in names)
