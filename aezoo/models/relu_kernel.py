"""ReLU forward and backward as numba passes split over the run's threads (kinds/activation.py).

numpy runs Chainer's max(x, 0) and gy * (y > 0) on one thread, the second building a mask
array first; PyTorch runs both on every thread. Here each is one parallel pass, for
float32 numpy arrays of at least SMALL values (below that starting the threads costs more
than the pass; Chainer's function runs). NaN stays NaN forward and sends no gradient, as
in Chainer's. Once differentiable, as aezoo's other kernels.
"""
import chainer
import chainer.functions as F
import numpy as np

from aezoo.models import fast, jit

prange = range  # numba.prange once a kernel compiles (models/jit.py)
# Below this many values numpy's one thread wins: starting numba's threads costs about 0.1 ms
# a call, and ReLU is one cheap pass (forward and backward, 2 threads: 240 against 219 us at
# 262,144 values, 379 against 446 at 524,288; benchmarks/kernel_sizes.py, docs/speed.md).
SMALL = 1 << 19


@jit.kernel(parallel=True)
def _forward(x, y):
    zero = np.float32(0.0)
    for i in prange(x.size):
        v = x[i]
        y[i] = zero if v < zero else v


@jit.kernel(parallel=True)
def _backward(y, gy, gx):
    zero, one = np.float32(0.0), np.float32(1.0)
    for i in prange(y.size):
        gx[i] = gy[i] * (one if y[i] > zero else zero)  # a NaN gradient stays NaN, as in Chainer


class ReLU(chainer.function_node.FunctionNode):
    def forward_cpu(self, inputs):
        x, = inputs
        y = np.empty_like(x)
        _forward(x.ravel(), y.ravel())
        self.retain_outputs((0,))
        return y,

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        gy, = grad_outputs
        gx = np.empty_like(y.array)
        _backward(y.array.ravel(), np.ascontiguousarray(gy.array).ravel(), gx.ravel())
        return chainer.Variable(gx),


def relu(x):
    """max(x, 0): the kernel where it applies, Chainer's F.relu elsewhere."""
    a = x.array if isinstance(x, chainer.Variable) else x
    if (fast.on("relu") and isinstance(a, np.ndarray) and a.dtype == np.float32
            and a.size >= SMALL and a.flags.c_contiguous and jit.available()):
        return ReLU().apply((x,))[0]
    return F.relu(x)
