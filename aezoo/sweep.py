"""`python -m aezoo.sweep`: the same as `aezoo sweep` (aezoo/commands/sweep.py), kept for the
command lines that users and older docs already have."""
import sys

from aezoo.commands.sweep import main

if __name__ == "__main__":
    sys.exit(main())
