"""`python -m aezoo COMMAND ...`: the same as the `aezoo` executable."""
import sys

from aezoo.commands import main

sys.exit(main())
