"""ReLU's numba kernel (models/relu_kernel.py) against Chainer's F.relu: the same values and
gradients, NaN and zeros included, on the arrays large enough to take it."""
import chainer
import chainer.functions as F
import numpy as np
import pytest
from chainer import gradient_check

from aezoo.models import fast, relu_kernel
from aezoo.models.kinds.activation import function


def values(shape, seed=0):
    x = np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)
    x.flat[:3] = [np.nan, 0.0, -0.0]
    return x


def forward_backward(fn, x, gy):
    v = chainer.Variable(x.copy())
    y = fn(v)
    y.grad = gy
    y.backward()
    return y.array, v.grad


@pytest.mark.parametrize("shape", [(600, 1000), (3, 301, 601)])
def test_relu_kernel_equals_chainers(monkeypatch, shape):
    used = []
    monkeypatch.setattr(relu_kernel, "ReLU", lambda real=relu_kernel.ReLU: used.append(1) or real())
    x, gy = values(shape), values(shape, 1)
    ours = forward_backward(function("relu"), x, gy)
    assert used == [1]
    stock = forward_backward(F.relu, x, gy)
    np.testing.assert_array_equal(ours[0], stock[0])
    np.testing.assert_array_equal(ours[1], stock[1])


def test_relu_kernel_gradients_check():
    x = np.random.RandomState(2).uniform(0.05, 1, (128, 128)).astype(np.float32)
    x *= np.sign(np.random.RandomState(3).uniform(-1, 1, x.shape)).astype(np.float32)  # off 0
    gy = np.random.RandomState(4).uniform(-1, 1, x.shape).astype(np.float32)  # no NaN: it hides all
    gradient_check.check_backward(lambda v: relu_kernel.ReLU().apply((v,))[0], x, gy,
                                  eps=1e-3, atol=1e-2, rtol=1e-2)


def test_small_float64_or_switched_off_takes_chainers(monkeypatch):
    monkeypatch.setattr(relu_kernel, "ReLU", lambda: pytest.fail("kernel used"))
    # small (the MLP's 256 x 1000 too), float64, not contiguous
    for x in (values((256, 1000)), values((600, 1000)).astype(np.float64),
              values((1200, 1000))[:, ::2]):
        np.testing.assert_array_equal(relu_kernel.relu(x).array, F.relu(x).array)
    monkeypatch.setattr(fast, "OFF", frozenset({"relu"}))
    relu_kernel.relu(values((600, 1000)))
