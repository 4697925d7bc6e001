"""The one error type the user sees, and the guard that prints it as one line.

Every part raises UsageError (a missing file, a bad option, a run folder in the
way); only `guarded` (around every command, and around each run of a sweep's
workers) turns it into the line and exit status 2. From Python it is a
ValueError, so `except ValueError` catches it.

Also one line, never a traceback: a file that cannot be written (a read-only or
full disk: exit 1, the last complete files stay, as every write is atomic) and
Ctrl-C outside training (exit 130).
"""
import errno
import sys



class UsageError(ValueError):
    """Bad input from the user: printed as one line, exit status 2."""


# A folder or file the user named that cannot be used: their input, so exit 2.
BAD_PATH = {errno.EACCES, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOENT,
            errno.EPERM, errno.ENAMETOOLONG}


def guarded(name, body, argv):
    """body(argv) -> exit status, with a UsageError turned into one line and status 2."""
    try:
        return body(argv)
    except UsageError as e:
        print(f"{name}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        print(f"{name}: error: cannot write or read {where}{e.strerror or e}", file=sys.stderr)
        return 2 if e.errno in BAD_PATH else 1
    except MemoryError:  # anywhere else: one line, not a traceback that may fail itself
        print(f"{name}: error: out of memory", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
