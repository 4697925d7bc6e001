"""`python -m aezoo.bench`: the same as `aezoo bench` (aezoo/commands/bench.py), kept for the
command lines that users and older docs already have."""
import sys

from aezoo.commands.bench import main

if __name__ == "__main__":
    sys.exit(main())
