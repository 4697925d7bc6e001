"""The numba kernels against Chainer's own functions and update rules: the same values (1e-5),
the same gradients (chainer.gradient_check), odd sizes and batch 1, NaN kept; Chainer's function
wherever a kernel does not apply (float64, kernels off); and the kernels cached on disk."""
import os
import subprocess
import sys
import time

import chainer
import chainer.functions as F
import numpy as np
import pytest
from chainer import gradient_check

from aezoo.models import activation_kernel, fast, heads, layers
from aezoo.train import optimizers

SHAPES = [(1, 1), (1, 7), (3, 5), (2, 3, 5, 4), (257, 13)]
CHECK = dict(eps=1e-3, atol=1e-3, rtol=1e-3, dtype=np.float64)


def data(shape, seed=0, low=-3, high=3):
    return np.random.RandomState(seed).uniform(low, high, shape).astype(np.float32)


def grads(fn, *arrays, gy=None):
    variables = [chainer.Variable(a.copy()) for a in arrays]
    y = fn(*variables)
    y.grad = np.ones_like(y.array) if gy is None else gy
    y.backward()
    return y.array, [v.grad for v in variables]


@pytest.mark.parametrize("shape", SHAPES)
def test_relu_equals_chainer_and_its_gradients_check(shape):
    x = data(shape)
    x[np.abs(x) < 0.01] = 0.5  # away from the kink, where a finite difference would straddle it
    gy = data(shape, 1)
    ours, our_grads = grads(activation_kernel.relu, x, gy=gy)
    stock, stock_grads = grads(F.relu, x, gy=gy)
    np.testing.assert_allclose(ours, stock, atol=1e-5)
    np.testing.assert_allclose(our_grads[0], stock_grads[0], atol=1e-5)
    gradient_check.check_backward(activation_kernel.relu, x, gy, **CHECK)


@pytest.mark.parametrize("shape", SHAPES)
def test_sigmoid_bce_equals_chainers_softplus_form_and_its_gradients_check(shape):
    a, x = data(shape, 2, -20, 20), data(shape, 3, 0, 1)  # far into both tails
    stock_fn = lambda a, x: F.mean(F.softplus(a) - x * a)  # noqa: E731
    ours, our_grads = grads(activation_kernel.sigmoid_bce, a, x)
    stock, stock_grads = grads(stock_fn, a, x)
    np.testing.assert_allclose(ours, stock, rtol=1e-5, atol=1e-5)
    for mine, theirs in zip(our_grads, stock_grads):
        np.testing.assert_allclose(mine, theirs, atol=1e-5)
    a = data(shape, 4)  # moderate logits: float64 finite differences see the curve
    gradient_check.check_backward(activation_kernel.sigmoid_bce, (a, x), np.array(0.7, np.float32),
                                  **CHECK)


def test_nan_passes_through_as_through_chainer():
    x = np.array([[np.nan, -1.0, 2.0]], np.float32)
    assert np.isnan(activation_kernel.relu(x).array[0, 0])
    assert np.isnan(float(activation_kernel.sigmoid_bce(x, np.zeros_like(x)).array))


def test_chainers_function_runs_where_a_kernel_does_not_apply():
    x = data((3, 4))
    assert isinstance(layers.relu(x).creator, activation_kernel.ReLU)
    assert isinstance(heads.bce(x, np.abs(x) / 3).creator, activation_kernel.SigmoidBCE)
    assert not isinstance(layers.relu(x.astype(np.float64)).creator, activation_kernel.ReLU)
    assert not isinstance(heads.bce(x.astype(np.float64), np.abs(x).astype(np.float64) / 3)
                          .creator, activation_kernel.SigmoidBCE)
    with fast.enabled(False):
        assert not isinstance(layers.relu(x).creator, activation_kernel.ReLU)
        assert not isinstance(heads.bce(x, np.abs(x) / 3).creator, activation_kernel.SigmoidBCE)


class Params(chainer.Chain):
    def __init__(self, shapes):
        super().__init__()
        with self.init_scope():
            for i, shape in enumerate(shapes):
                setattr(self, f"p{i}", chainer.Parameter(data(shape, i)))


@pytest.mark.parametrize("make_ours, make_stock", [
    (lambda: optimizers.Adam(alpha=1e-2), lambda: chainer.optimizers.Adam(alpha=1e-2)),
    (lambda: optimizers.RMSprop(lr=1e-2, alpha=0.9, eps=1e-7, eps_inside_sqrt=True),
     lambda: chainer.optimizers.RMSprop(lr=1e-2, alpha=0.9, eps=1e-7, eps_inside_sqrt=True)),
    (lambda: optimizers.RMSprop(lr=1e-2), lambda: chainer.optimizers.RMSprop(lr=1e-2)),
])
def test_fused_updates_take_chainers_steps(make_ours, make_stock):
    shapes = [(1,), (7, 3), (257, 13)]
    ours, stock = Params(shapes), Params(shapes)
    a, b = make_ours().setup(ours), make_stock().setup(stock)
    for step in range(5):
        for model, opt in ((ours, a), (stock, b)):
            model.cleargrads()
            for i, p in enumerate(model.params()):
                p.grad = data(p.shape, 10 + step + i, -1, 1)
            opt.update()
    for mine, theirs in zip(ours.params(), stock.params()):
        np.testing.assert_allclose(mine.array, theirs.array, atol=1e-6)
    for name in a.target.p2.update_rule.state:
        np.testing.assert_allclose(a.target.p2.update_rule.state[name],
                                   b.target.p2.update_rule.state[name], rtol=1e-5, atol=1e-8)


def test_a_float64_parameter_takes_chainers_rule():
    model = Params([(3, 2)])
    model.p0.array = model.p0.array.astype(np.float64)
    opt = optimizers.Adam(alpha=1e-2).setup(model)
    model.p0.grad = np.ones((3, 2))
    before = model.p0.array.copy()
    opt.update()
    assert model.p0.array.dtype == np.float64 and (model.p0.array < before).all()


COMPILE = """
import time, numpy as np
start = time.perf_counter()
from aezoo.models import activation_kernel
from aezoo.train import update_kernel
x = np.ones((3, 4), np.float32)
activation_kernel.relu(x).array.sum()
y = activation_kernel.sigmoid_bce(x, x)
p = np.ones(5, np.float32)
update_kernel.adam(p, p.copy(), p.copy(), p.copy(), *(np.float32(0.1),) * 4)
update_kernel.rmsprop(p, p.copy(), p.copy(), *(np.float32(0.1),) * 4, True)
print(time.perf_counter() - start)
"""


@pytest.mark.slow
def test_kernels_are_cached_on_disk_and_load_fast(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    first, cached = (float(subprocess.run([sys.executable, "-c", COMPILE], env=env, check=True,
                                          capture_output=True, text=True).stdout)
                     for _ in range(2))
    assert any(name.endswith(".nbi") for _, _, found in os.walk(tmp_path) for name in found)
    assert cached < first  # the second process loaded what the first compiled
