"""What loading data says on stderr (a cache read, images decoded, a download's bar), and
--quiet, which silences it.

    with remarks.quiet(cfg.quiet):
        dataset = load(...)

A run sets it around its loading (train/plan.py's dataset_for), so that no loader needs a
quiet argument of its own. Errors are never said here: they are raised.
"""
import contextlib
import contextvars
import sys

_QUIET = contextvars.ContextVar("aezoo_data_quiet", default=False)


@contextlib.contextmanager
def quiet(on=True):
    """Loading inside says nothing when `on`."""
    token = _QUIET.set(bool(on))
    try:
        yield
    finally:
        _QUIET.reset(token)


def say(line):
    """One line on stderr, unless quiet."""
    if not _QUIET.get():
        print(line, file=sys.stderr, flush=True)


def bar_off():
    """tqdm's `disable`: True when quiet, else None (a bar on a terminal only)."""
    return True if _QUIET.get() else None
