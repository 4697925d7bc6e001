"""report.html: a comparison or sweep folder in one self-contained page for a browser.

    aezoo report outputs/sweep-quick
    aezoo report outputs/compare-20261126-120000

The page is written by results/report.py; this is its command line.
"""
import sys

from aezoo.commands import COMMANDS
from aezoo.commands.parser import Parser, guarded
from aezoo.results.report import write


def parser():
    p = Parser(prog="aezoo report", description=COMMANDS["report"])
    p.add_argument("folder", metavar="DIR", help="a comparison or sweep folder")
    return p


def main(argv=None):
    return guarded("aezoo report", _main, argv)


def _main(argv):
    print(write(parser().parse_args(argv).folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
