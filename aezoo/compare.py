"""`python -m aezoo.compare`: the same as `aezoo compare` (aezoo/commands/compare.py), kept for the
command lines that users and older docs already have."""
import sys

from aezoo.commands.compare import main

if __name__ == "__main__":
    sys.exit(main())
