"""What every aezoo command shares: bad input is one line on stderr and exit status 2.

Also one line, never a traceback: a file that cannot be written (a read-only or
full disk: exit 1, the last complete files stay, as every write is atomic) and
Ctrl-C outside training (exit 130).
"""
import argparse
import atexit
import difflib
import re
import sys

from aezoo import __version__
from aezoo.errors import UsageError, guarded  # noqa: F401  (every command's guard)

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


class _Clearing:
    """A stream whose first write first clears the terminal's status line (see showing)."""

    def __init__(self, stream, line):
        self._stream, self._line = stream, line

    def write(self, text):
        self._line.clear()
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _StatusLine:
    def __init__(self, terminal):
        self.terminal, self.shown = terminal, True

    def clear(self):
        if self.shown:
            self.shown = False
            self.terminal.write("\r\033[K")
            self.terminal.flush()


def showing(prog, what):
    """On a terminal, `prog: what...` at once, before the heavy imports, replaced by the
    command's first output (or cleared at exit): a command shows life within a fraction of
    a second, and its output and one-line errors stay as they were. Elsewhere (a pipe, a
    log, the tests) nothing is written."""
    terminal = sys.stderr
    if not getattr(terminal, "isatty", lambda: False)():
        return
    terminal.write(f"{prog}: {what}...")
    terminal.flush()
    line = _StatusLine(terminal)
    sys.stdout, sys.stderr = _Clearing(sys.stdout, line), _Clearing(terminal, line)
    atexit.register(line.clear)
