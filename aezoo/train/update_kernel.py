"""Adam's and RMSprop's updates as one parallel pass over each parameter (numba, every core).

Chainer's Adam makes about ten numpy passes over a parameter and its two moments,
on one thread, and allocates a new array for most of them; numpy in place still
makes eight. Here each element is read and written once, on every core, in the
same order of operations as Chainer's update_core_cpu (train/optimizers.py uses
these for float32 numpy parameters; tests/unit/models/test_numba_kernels.py checks
them against Chainer's rules). Compiled once and cached on disk (models/jit.py). The scalars come as float32, so the
arithmetic is float32, as Chainer's is.
"""
import numba
import numpy as np


@numba.njit(parallel=True, cache=True, nogil=True)
def adam(p, g, m, v, one_minus_beta1, one_minus_beta2, eps, step):
    """m += (1-b1)(g - m); v += (1-b2)(g^2 - v); p -= step m / (sqrt(v) + eps)."""
    for i in numba.prange(p.size):
        gi = g[i]
        mi = m[i] + one_minus_beta1 * (gi - m[i])
        vi = v[i] + one_minus_beta2 * (gi * gi - v[i])
        m[i] = mi
        v[i] = vi
        p[i] -= step * mi / (np.sqrt(vi) + eps)


@numba.njit(parallel=True, cache=True, nogil=True)
def rmsprop(p, g, ms, alpha, one_minus_alpha, lr, eps, eps_inside_sqrt):
    """ms = alpha ms + (1-alpha) g^2; p -= lr g / (sqrt(ms + eps) or sqrt(ms) + eps)."""
    for i in numba.prange(p.size):
        gi = g[i]
        msi = ms[i] * alpha + one_minus_alpha * gi * gi
        ms[i] = msi
        denom = np.sqrt(msi + eps) if eps_inside_sqrt else np.sqrt(msi) + eps
        p[i] -= lr * gi / denom
