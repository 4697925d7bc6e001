"""The Bernoulli head's loss, mean(softplus(a) - x a), as one Chainer FunctionNode (numba).

Chainer's graph of heads.bce is four functions (softplus, multiply, subtract, mean), and
its softplus alone makes six passes over the logits, one of them numpy's log1p, which has
no SIMD loop; on the MLP's 256 x 784 outputs that was a tenth of a step. Here numpy's
vectorized exp and log make e = exp(-|a|) and log(1 + e) (numba's exp and log are scalar
calls: llvmlite's LLVM has no SVML), and one parallel numba pass sums every pixel's term
in float64; backward gets sigmoid(a) from the kept e without another exp:

    forward   softplus(a) - x a = max(a, 0) + log(1 + e) - x a,  e = exp(-|a|)
              (log(1 + e) in place of log1p(e): at most 1.2e-7 off a term, for tiny e)
    backward  d/da = (sigmoid(a) - x) / size,  sigmoid(a) = 1 / (1 + e) (a >= 0), e / (1 + e)
              d/dx = -a / size (a target that is itself trained; the data never is)

Used for float32 numpy arrays when numba is installed (heads.py chooses); equal to the
stock graph within float32 rounding (tests/unit/models/test_bce_kernel.py).
"""
import chainer
import numpy as np

from aezoo.models import jit

prange = range  # numba.prange once a kernel compiles (models/jit.py)


@jit.kernel(parallel=True)
def _sum_terms(a, x, log_1pe):
    total = 0.0
    for i in prange(a.size):
        ai = a[i]
        total += max(ai, np.float32(0.0)) + log_1pe[i] - x[i] * ai
    return total


@jit.kernel(parallel=True)
def _gradient(a, x, e, scale, ga):
    one = np.float32(1.0)
    for i in prange(a.size):
        ei = e[i]
        s = one / (one + ei) if a[i] >= 0 else ei / (one + ei)
        ga[i] = (s - x[i]) * scale


class SigmoidBCE(chainer.function_node.FunctionNode):
    def forward_cpu(self, inputs):
        a, x = inputs
        self.e = e = np.abs(a)
        np.negative(e, out=e)
        np.exp(e, out=e)
        log_1pe = e + np.float32(1.0)
        np.log(log_1pe, out=log_1pe)
        total = _sum_terms(a.ravel(), x.ravel(), log_1pe.ravel())
        self.retain_inputs((0, 1))
        return np.asarray(total / a.size, a.dtype),

    def backward(self, indexes, grad_outputs):
        a, x = self.get_retained_inputs()
        gy, = grad_outputs
        scale = np.float32(gy.array) / np.float32(a.size)
        grads = []
        if 0 in indexes:
            ga = np.empty_like(a.array)
            _gradient(a.array.ravel(), x.array.ravel(), self.e.ravel(), scale, ga.ravel())
            grads.append(chainer.Variable(ga))
        if 1 in indexes:
            grads.append(chainer.Variable(-a.array * scale))
        return grads


def fits(a, x):
    """Whether the kernel takes these arrays: float32 numpy, same shape, contiguous."""
    return (jit.available() and all(isinstance(v, np.ndarray) and v.dtype == np.float32
                                    and v.flags.c_contiguous for v in (a, x))
            and a.shape == x.shape)


def sigmoid_bce(logits, x):
    return SigmoidBCE().apply((logits, x))[0]
