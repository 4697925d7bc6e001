"""Whether aezoo's own kernels (models/kernels.py) replace Chainer's stock functions.

On by default; `with fast.enabled(False):` runs the stock Chainer functions, for
the benchmark's before/after and for the tests that compare the two.
"""
from contextlib import contextmanager

ON = True


@contextmanager
def enabled(flag):
    global ON
    before, ON = ON, flag
    try:
        yield
    finally:
        ON = before
