"""What every aezoo command shares: bad input is one line on stderr and exit status 2.

Also one line, never a traceback: a file that cannot be written (a read-only or
full disk: exit 1, the last complete files stay, as every write is atomic) and
Ctrl-C outside training (exit 130).
"""
import argparse
import difflib
import errno
import re
import sys

from aezoo import __version__
from aezoo.errors import UsageError

# A folder or file the user named that cannot be used: their input, so exit 2.
BAD_PATH = {errno.EACCES, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOENT,
            errno.EPERM, errno.ENAMETOOLONG}


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting, takes options
    only as spelled (no silent abbreviations: --epoch is not --epochs) but suggests the
    nearest when one is misspelled, and answers --version."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)
        self.add_argument("--version", action="version", version=f"aezoo {__version__}")

    def error(self, message):
        raise UsageError(message + self.suggestion(message))

    def suggestion(self, message):
        """'; did you mean --grow-every?' for an unknown --grow-evry (or a model name)."""
        words = []
        if "unrecognized arguments:" in message:
            words = [w.split("=")[0] for w in message.split(":", 1)[1].split() if w.startswith("-")]
            known = [s for s in self._option_string_actions if s.startswith("--")]
        elif "invalid choice:" in message:  # "argument --optimizer: invalid choice: 'adm' ..."
            words = re.findall(r"invalid choice: '([^']*)'", message)
            named = re.match(r"argument (\S+):", message)
            known = [c for action in self._actions if named and named.group(1) in
                     (action.option_strings or [action.dest, action.metavar])
                     for c in (action.choices or [])]
        for word in words:
            close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
            if close:
                return f"; did you mean {close[0]}?"
        return ""


def int_list(text):
    """An argparse type for '128,64': the error names the option (argument --hidden: ...)."""
    try:
        from aezoo.config import int_list as config_int_list  # config loads Chainer: only here
        return config_int_list(text)
    except UsageError as e:
        raise argparse.ArgumentTypeError(str(e))


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
