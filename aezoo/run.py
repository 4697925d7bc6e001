"""`python -m aezoo.run`: the same as `aezoo run` (aezoo/commands/run.py), kept for the
command lines that users and older docs already have."""
import sys

from aezoo.commands.run import main

if __name__ == "__main__":
    sys.exit(main())
