"""`python -m aezoo.export`: the same as `aezoo export` (aezoo/commands/export.py), kept for the
command lines that users and older docs already have."""
import sys

from aezoo.commands.export import main

if __name__ == "__main__":
    sys.exit(main())
