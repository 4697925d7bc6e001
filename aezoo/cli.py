"""What every aezoo command shares: bad input is one line on stderr and exit status 2.

Also one line, never a traceback: a file that cannot be written (a read-only or
full disk: exit 1, the last complete files stay, as every write is atomic) and
Ctrl-C outside training (exit 130).
"""
import argparse
import errno
import sys

from aezoo.errors import UsageError

# A folder or file the user named that cannot be used: their input, so exit 2.
BAD_PATH = {errno.EACCES, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOENT,
            errno.EPERM, errno.ENAMETOOLONG}


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting, and takes
    options only as spelled (no silent abbreviations: --epoch is not --epochs)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message):
        raise UsageError(message)


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
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
