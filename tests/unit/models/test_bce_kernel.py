"""The Bernoulli head's loss as one kernel (models/bce_kernel.py) against Chainer's graph of
mean(softplus(a) - x a): the same value and gradients, large logits of both signs included."""
import chainer
import numpy as np
import pytest
from chainer import gradient_check

from aezoo.models import bce_kernel, fast, heads


def logits_and_targets(shape, scale=3.0, seed=0):
    rng = np.random.RandomState(seed)
    a = (rng.standard_normal(shape) * scale).astype(np.float32)
    a.flat[:4] = [40.0, -40.0, 0.0, 1e-8]  # saturated both ways, and the kink of |a|
    return a, rng.uniform(0, 1, shape).astype(np.float32)


def loss_and_grads(a, x, on, target_grad=False):
    va, vx = chainer.Variable(a.copy()), chainer.Variable(x.copy(), requires_grad=target_grad)
    with fast.enabled(on):
        loss = heads.bce(va, vx)
        loss.backward()
    return float(loss.array), va.grad, vx.grad


@pytest.mark.parametrize("shape", [(256, 784), (1, 1, 3, 5), (3, 7, 2)])
def test_bce_kernel_equals_chainers_loss_and_gradients(monkeypatch, shape):
    used = []
    monkeypatch.setattr(bce_kernel, "sigmoid_bce",
                        lambda *v, real=bce_kernel.sigmoid_bce: used.append(1) or real(*v))
    a, x = logits_and_targets(shape)
    ours, stock = loss_and_grads(a, x, True, True), loss_and_grads(a, x, False, True)
    assert used == [1]
    assert ours[0] == pytest.approx(stock[0], rel=1e-6, abs=1e-7)
    np.testing.assert_allclose(ours[1], stock[1], atol=1e-9, rtol=1e-5)
    np.testing.assert_allclose(ours[2], stock[2], atol=1e-9, rtol=1e-5)  # a trained target's


def test_bce_kernel_gradients_check():
    a, x = logits_and_targets((3, 5), scale=1.0, seed=1)
    gradient_check.check_backward(bce_kernel.sigmoid_bce, (a, x), np.array(1.7, np.float32),
                                  eps=1e-2, atol=1e-3, rtol=1e-3, dtype=np.float64)


def test_bce_kernel_is_left_out_where_it_does_not_apply(monkeypatch):
    """float64, a target of another shape (broadcast), a strided view: Chainer's graph, the same
    value; and with the kernel switched off by name."""
    monkeypatch.setattr(bce_kernel, "sigmoid_bce", lambda *v: pytest.fail("kernel used"))
    a, x = logits_and_targets((4, 6))
    for logits, target in ((a.astype(np.float64), x.astype(np.float64)), (a, x[:1]),
                           (a[:, ::2], x[:, ::2])):
        stock = chainer.functions.mean(chainer.functions.softplus(logits) - target * logits)
        assert float(heads.bce(logits, target).array) == pytest.approx(float(stock.array))
    monkeypatch.setattr(fast, "OFF", frozenset({"bce"}))
    heads.bce(a, x)
