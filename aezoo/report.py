"""`python -m aezoo.report`: the same as `aezoo report` (aezoo/commands/report.py), kept for the
command lines that users and older docs already have."""
import sys

from aezoo.commands.report import main

if __name__ == "__main__":
    sys.exit(main())
