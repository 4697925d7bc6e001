"""numba, as aezoo's kernels use it: compiled once, cached on disk, on every core.

    @jit.kernel
    def _twice(x, out):
        for i in numba.prange(x.size):
            out[i] = 2 * x[i]

numpy runs each elementwise operation on one thread and makes one pass over
memory per operation; a numba kernel fuses them into one pass, split over the
threads (parallel=True). cache=True keeps the machine code in __pycache__ beside
this package (gitignored), or in NUMBA_CACHE_DIR when that is set, so only the
first run on a machine compiles (tests/unit/models/test_numba_kernels.py and
docs/speed.md say how long). `threads(n)` limits the kernels' threads, as
threadpoolctl limits the BLAS's.
"""
from contextlib import contextmanager

import numba
import numpy as np

prange = numba.prange


def kernel(fn):
    """A parallel, disk-cached numba kernel (compiled at its first call)."""
    return numba.njit(parallel=True, cache=True, nogil=True)(fn)


def flat(x):
    """The C-contiguous 1-D view the kernels take (a copy only if `x` is not contiguous)."""
    return np.ascontiguousarray(x).reshape(-1)


@contextmanager
def threads(n):
    """At most `n` threads for the kernels inside the block."""
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(n, numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(before)
