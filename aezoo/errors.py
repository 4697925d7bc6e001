"""The one error type the user sees: bad input, printed as one line with exit status 2.

Every part raises it (a missing file, a bad option, a run folder in the way);
only the commands' guard (aezoo/commands/parser.py) turns it into the line and
the status. From Python it is a ValueError, so `except ValueError` catches it.
"""


class UsageError(ValueError):
    """Bad input from the user: printed as one line, exit status 2."""
