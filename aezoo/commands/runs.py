"""List past runs: a table of the run folders under outputs/ (or DIR), newest first.

    aezoo runs
    aezoo runs outputs/sweep-quick

Each row: the folder, model, data, last epoch, best test score and its epoch,
size on disk and the date it began. The reading is runs/listing.py's.
"""
import os
import sys

from aezoo.commands import COMMANDS
from aezoo.commands.parser import Parser, guarded
from aezoo.runs import listing


def parser():
    p = Parser(prog="aezoo runs", description=COMMANDS["runs"])
    p.add_argument("folder", nargs="?", default="outputs", metavar="DIR",
                   help="where to look for run folders (default outputs)")
    return p


def main(argv=None):
    return guarded("aezoo runs", _main, argv)


def _main(argv):
    root = parser().parse_args(argv).folder
    summaries, skipped = listing.listed(root)
    if not summaries:
        print(f"aezoo runs: no run folders under {root}", file=sys.stderr)
    else:
        print("\n".join(listing.table(summaries, os.path.normpath(root))))
    for folder, reason in skipped:
        print(f"aezoo runs: {folder} skipped: {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
