"""A run's CPU threads: OpenBLAS's (threadpoolctl) and aezoo's numba kernels' (models/jit.py).

    aezoo run deep --threads 1        # one thread for the matrix products and the kernels

Without --threads the BLAS keeps its own count (one a core, or what a sweep's worker or
`aezoo bench` set) and numba takes the same, so the two pools never ask for more cores
than the run was given.
"""
import threadpoolctl

from aezoo.models import jit


def blas_threads():
    """numpy's BLAS thread count now (1 when threadpoolctl finds none)."""
    return max([i["num_threads"] for i in threadpoolctl.threadpool_info()
                if i["user_api"] == "blas" and "numpy" in i["filepath"]] or [1])


def apply(n=None):
    """Set the run's threads: n for both pools, or numba's to the BLAS's when n is None."""
    if n:
        threadpoolctl.threadpool_limits(limits=n, user_api="blas")
    jit.set_threads(n or blas_threads())
