"""What every aezoo command shares: bad input is one line on stderr and exit status 2."""
import argparse
import sys

from aezoo.errors import UsageError


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting."""

    def error(self, message):
        raise UsageError(message)


def guarded(name, body, argv):
    """body(argv) -> exit status, with a UsageError turned into one line and status 2."""
    try:
        return body(argv)
    except UsageError as e:
        print(f"{name}: error: {e}", file=sys.stderr)
        return 2
