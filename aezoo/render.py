"""`python -m aezoo.render`: the same as `aezoo render` (aezoo/commands/render.py), kept for the
command lines that users and older docs already have."""
import sys

from aezoo.commands.render import main

if __name__ == "__main__":
    sys.exit(main())
