"""Fused activation and loss kernels (numba, every core) as Chainer FunctionNodes.

    relu(x)              max(x, 0); backward: the gradient where y > 0
    sigmoid_bce(a, x)    mean(softplus(a) - x a), the Bernoulli head's loss, in one pass;
                         backward: (sigmoid(a) - x) / size, in one pass

Chainer's versions are two to five numpy passes over the batch, one thread each
(softplus alone is three). Each is used only on float32 numpy arrays with
models/fast.py on (models/layers.py and heads.py choose), and equals Chainer's
function within float32 rounding (tests/unit/models/test_numba_kernels.py). NaN
passes through both, as through Chainer's, so a diverging run is still caught.
"""
import chainer
import numpy as np

from aezoo.models.jit import flat, kernel, prange


@kernel
def _relu(x, y):
    for i in prange(x.size):
        v = x[i]
        y[i] = 0 if v < 0 else v  # NaN stays NaN


@kernel
def _relu_grad(y, gy, gx):
    for i in prange(y.size):
        gx[i] = gy[i] if y[i] > 0 else 0


class ReLU(chainer.function_node.FunctionNode):
    def forward_cpu(self, inputs):
        x, = inputs
        y = np.empty_like(x)
        _relu(flat(x), y.reshape(-1))
        self.retain_outputs((0,))
        return y,

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return ReLUGrad().apply((y, grad_outputs[0]))[1:]


class ReLUGrad(chainer.function_node.FunctionNode):
    """(y, gy) -> (None, gy where y > 0): once differentiable."""

    def forward_cpu(self, inputs):
        y, gy = inputs
        gx = np.empty_like(gy)
        _relu_grad(flat(y), flat(gy), gx.reshape(-1))
        return None, gx


def relu(x):
    return ReLU().apply((x,))[0]


@kernel
def _bce_sum(a, x):
    total = 0.0  # float64: 200,000 terms summed in float32 would lose digits
    for i in prange(a.size):
        v = a[i]
        total += max(v, 0.0) + np.log1p(np.exp(-abs(v))) - x[i] * v
    return total


@kernel
def _bce_grad(a, x, scale, ga):
    for i in prange(a.size):
        ga[i] = scale * (1.0 / (1.0 + np.exp(-a[i])) - x[i])


class SigmoidBCE(chainer.function_node.FunctionNode):
    def forward_cpu(self, inputs):
        a, x = inputs
        self.retain_inputs((0, 1))
        return np.array(_bce_sum(flat(a), flat(x)) / max(a.size, 1), a.dtype),

    def backward(self, indexes, grad_outputs):
        a, x = self.get_retained_inputs()
        ga = SigmoidBCEGrad().apply((a, x, grad_outputs[0]))[0]
        # the target's gradient, -a / size (the data's: hardly ever wanted)
        gx = (-a * chainer.functions.broadcast_to(grad_outputs[0], a.shape) / a.size
              if 1 in indexes else None)
        return ga, gx


class SigmoidBCEGrad(chainer.function_node.FunctionNode):
    """(a, x, gy) -> gy (sigmoid(a) - x) / size: once differentiable."""

    def forward_cpu(self, inputs):
        a, x, gy = inputs
        ga = np.empty_like(a)
        _bce_grad(flat(a), flat(x), np.float32(gy) / max(a.size, 1), ga.reshape(-1))
        return ga,


def sigmoid_bce(a, x):
    return SigmoidBCE().apply((a, x))[0]
