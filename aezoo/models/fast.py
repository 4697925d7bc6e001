"""Whether aezoo's own kernels replace Chainer's stock functions, all of them or one by name.

On by default; `with fast.enabled(False):` runs the stock Chainer functions, for
the benchmark's before/after and for the tests that compare the two.
`AEZOO_KERNELS_OFF=adam,bce` (read at import) switches single kernels off, so that
benchmarks/kernel_gains.py can time each one's gain in processes of their own; a kernel
asks `fast.on("adam")` before it takes over.
"""
import os
from contextlib import contextmanager

ON = True
OFF = frozenset(filter(None, os.environ.get("AEZOO_KERNELS_OFF", "").split(",")))


def on(name):
    """Whether the kernel `name` is to run: kernels on, and that one not switched off."""
    return ON and name not in OFF


@contextmanager
def enabled(flag):
    global ON
    before, ON = ON, flag
    try:
        yield
    finally:
        ON = before
