"""Adam's and RMSprop's updates as one numba pass over each parameter (train/optimizers.py).

Chainer's rules, and numpy in place, walk a parameter's arrays once per operation (Adam:
some ten passes over the weights, their gradient and both moments); on the MLP's 2.8 M
weights that was a fifth of a step, on one thread. Here each element is read and written
once, in float32, the loop split over numba's threads (models/jit.py: the run's
--threads). The formulas are Chainer's, to float32 rounding (tests/unit/train/test_update_kernels.py):

    adam      m += (1 - beta1) (g - m);  v += (1 - beta2) (g g - v)
              p -= step m / (sqrt(v) + eps) + decay p       step = eta alpha_t, decay = eta rate
    rmsprop   ms = alpha ms + (1 - alpha) g g
              p -= lr g / sqrt(ms + eps)   (Keras: inside)   or   lr g / (sqrt(ms) + eps)

Arrays are flat views (ravel of contiguous arrays); small ones (biases) stay on numpy's path
in the caller, where starting threads would cost more than the pass.
"""
import math

import numpy as np

from aezoo.models import jit

prange = range  # numba.prange once a kernel compiles (models/jit.py)
# Elements below which a parameter keeps the numpy path: starting numba's threads costs about
# 0.1 ms a call here, so the pass pays from about 100,000 elements (2 threads, Adam: 193
# against 234 us at 131,072 elements, 122 against 113 at 60,000; RMSprop alike;
# benchmarks/kernel_sizes.py, docs/speed.md).
SMALL = 1 << 17


@jit.kernel(parallel=True)
def _adam(p, g, m, v, beta1, beta2, eps, step, decay):
    one = np.float32(1.0)
    for i in prange(p.size):
        gi = g[i]
        mi = m[i] + (one - beta1) * (gi - m[i])
        vi = v[i] + (one - beta2) * (gi * gi - v[i])
        m[i] = mi
        v[i] = vi
        p[i] -= step * mi / (math.sqrt(vi) + eps) + decay * p[i]


@jit.kernel(parallel=True)
def _rmsprop(p, g, ms, alpha, eps, lr, inside):
    one = np.float32(1.0)
    for i in prange(p.size):
        gi = g[i]
        msi = alpha * ms[i] + (one - alpha) * gi * gi
        ms[i] = msi
        root = math.sqrt(msi + eps) if inside else math.sqrt(msi) + eps
        p[i] -= lr * gi / root


def fits(*arrays):
    """Whether the kernels take these arrays: float32, contiguous numpy, large enough, and
    numba installed."""
    return (arrays[0].size >= SMALL and jit.available()
            and all(isinstance(a, np.ndarray) and a.dtype == np.float32
                    and a.flags.c_contiguous for a in arrays))


def adam(p, g, m, v, beta1, beta2, eps, step, decay):
    f = np.float32
    _adam(p.ravel(), g.ravel(), m.ravel(), v.ravel(), f(beta1), f(beta2), f(eps), f(step),
          f(decay))


def rmsprop(p, g, ms, alpha, eps, lr, inside):
    f = np.float32
    _rmsprop(p.ravel(), g.ravel(), ms.ravel(), f(alpha), f(eps), f(lr), bool(inside))
