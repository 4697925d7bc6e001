"""The direct 3x3 convolution (models/conv_direct.py) against Chainer's convolution: the same
values and gradients, chainer.gradient_check, odd sizes, batch 1, pad 0 and 1, output
channels in and out of the kernel's block of 4; the layer takes it where the rule says and
falls back (to im2col or to Chainer) where it does not apply."""
import chainer
import chainer.functions as F
import numpy as np
import pytest
from chainer import gradient_check

from aezoo.models import conv_direct, fast, jit, kernels
from aezoo.models.layers import Conv3x3

pytestmark = pytest.mark.skipif(not jit.available(), reason="numba is not installed")

# (N, C_in, C_out, H, W): odd sides, batch 1, 1 channel, a block of 4 and a remainder
SHAPES = [(1, 1, 1, 3, 3), (2, 3, 5, 7, 9), (1, 2, 4, 4, 5), (3, 1, 16, 6, 6),
          (2, 5, 9, 5, 3), (2, 16, 8, 7, 7)]


def data(shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def grads(fn, x, w, b, gy):
    """(y, gx, gW, gb) of fn on copies of x, w, b with the output's gradient gy."""
    variables = [chainer.Variable(a.copy()) for a in (x, w, b)]
    y = fn(*variables)
    y.grad = gy
    y.backward()
    return [y.array] + [v.grad for v in variables]


@pytest.mark.parametrize("shape", SHAPES, ids=["x".join(map(str, s)) for s in SHAPES])
@pytest.mark.parametrize("pad", [0, 1])
def test_values_and_gradients_equal_chainers(shape, pad):
    n, c_in, c_out, h, w_ = shape
    x, w, b = data((n, c_in, h, w_)), data((c_out, c_in, 3, 3), 1), data((c_out,), 2)
    stock_y = F.convolution_2d(x, w, b, pad=pad).array
    gy = data(stock_y.shape, 3)
    ours = grads(lambda *v: conv_direct.conv_direct(*v, pad), x, w, b, gy)
    stock = grads(lambda *v: F.convolution_2d(*v, pad=pad), x, w, b, gy)
    for name, our, their in zip(("y", "gx", "gW", "gb"), ours, stock):
        assert our.shape == their.shape, name
        np.testing.assert_allclose(our, their, atol=1e-5, rtol=1e-5, err_msg=name)


def test_the_widest_layers_the_rule_takes_equal_chainers():
    """64 -> 64 channels at 14x15: sums of 576 terms, compared relative to their size."""
    x, w, b = data((2, 64, 14, 15)), data((64, 64, 3, 3), 1) / 8, data((64,), 2)
    assert conv_direct.takes(64, 64, 14, 15)
    stock_y = F.convolution_2d(x, w, b, pad=1).array
    gy = data(stock_y.shape, 3)
    ours = grads(lambda *v: conv_direct.conv_direct(*v, 1), x, w, b, gy)
    stock = grads(lambda *v: F.convolution_2d(*v, pad=1), x, w, b, gy)
    for name, our, their in zip(("y", "gx", "gW", "gb"), ours, stock):
        np.testing.assert_allclose(our, their, rtol=1e-5, atol=2e-6 * np.abs(their).max(),
                                   err_msg=name)


@pytest.mark.parametrize("shape, pad", [((2, 2, 5, 5, 7), 1), ((1, 3, 4, 6, 5), 0)])
def test_gradients_check(shape, pad):
    n, c_in, c_out, h, w_ = shape
    x, w, b = data((n, c_in, h, w_)), data((c_out, c_in, 3, 3), 1), data((c_out,), 2)
    gy = data((n, c_out, h + 2 * pad - 2, w_ + 2 * pad - 2), 3)
    # float32 throughout (the kernel's type): a wider step and tolerance than float64 takes
    gradient_check.check_backward(lambda *v: conv_direct.conv_direct(*v, pad), (x, w, b), gy,
                                  eps=1e-2, atol=5e-3, rtol=5e-3)


def test_the_data_gets_no_gradient_and_the_weights_theirs():
    x, w, b = data((2, 1, 6, 6)), data((4, 1, 3, 3), 1), data((4,), 2)
    gy = data((2, 4, 6, 6), 3)
    found = []
    for fn in (lambda *v: conv_direct.conv_direct(*v, 1), lambda *v: F.convolution_2d(*v, pad=1)):
        xv = chainer.Variable(x.copy(), requires_grad=False)
        wv, bv = chainer.Variable(w.copy()), chainer.Variable(b.copy())
        y = fn(xv, wv, bv)
        y.grad = gy
        y.backward()
        assert xv.grad is None
        found.append((wv.grad, bv.grad))
    for ours, stock in zip(*found):
        np.testing.assert_allclose(ours, stock, atol=1e-5)


def make_layer(c_in, c_out, pad, seed=0, **options):
    np.random.seed(seed)
    return Conv3x3(c_in, c_out, 3, pad=pad, initialW=chainer.initializers.Uniform(1),
                   initial_bias=chainer.initializers.Uniform(1), **options)


def creator(layer, x):
    y = layer(x)
    return type(y.creator).__name__, y


@pytest.mark.parametrize("c_in, c_out, side, pad", [(1, 16, 28, 1), (16, 8, 14, 1),
                                                    (8, 16, 16, 0), (16, 1, 28, 1)])
def test_the_layer_takes_it_for_the_conv_models_shapes(c_in, c_out, side, pad):
    layer, x = make_layer(c_in, c_out, pad), data((2, c_in, side, side), 4)
    name, y = creator(layer, x)
    assert name == "ConvDirect"
    np.testing.assert_allclose(y.array, F.convolution_2d(x, layer.W, layer.b, pad=pad).array,
                               atol=1e-5)


def test_switched_off_by_name_it_leaves_the_layer_to_im2col(monkeypatch):
    layer, x = make_layer(1, 16, 1), data((2, 1, 9, 9), 4)
    monkeypatch.setattr(fast, "OFF", frozenset({"conv_direct"}))
    assert creator(layer, x)[0] == "Conv3x3Node"
    monkeypatch.setattr(fast, "OFF", frozenset())
    monkeypatch.setattr(jit, "available", lambda: False)  # no numba: im2col
    assert creator(layer, x)[0] == "Conv3x3Node"


@pytest.mark.parametrize("case", ["stride 2", "float64", "pad (1, 0)", "pad 2", "5x5"])
def test_shapes_it_does_not_take_fall_back_and_still_equal_chainer(case):
    stride, pad, ksize, dtype = 1, 1, 3, np.float32
    if case == "stride 2":
        stride = 2
    elif case == "float64":
        dtype = np.float64
    elif case == "pad (1, 0)":
        pad = (1, 0)
    elif case == "pad 2":
        pad = 2
    else:
        ksize = 5
    np.random.seed(0)
    layer = Conv3x3(2, 4, ksize, stride=stride, pad=pad, initialW=chainer.initializers.Uniform(1),
                    initial_bias=chainer.initializers.Uniform(1))
    x = data((2, 2, 9, 7), 4)
    if dtype == np.float64:
        layer.to_device("@numpy")
        for p in layer.params():
            p.array = p.array.astype(np.float64)
        x = x.astype(np.float64)
    name, y = creator(layer, x)
    assert name not in ("ConvDirect", "Conv3x3Node")
    stock = F.convolution_2d(x, layer.W, layer.b, stride=stride, pad=pad).array
    np.testing.assert_allclose(y.array, stock, atol=1e-6)


def test_the_rule_sends_wide_layers_to_im2col():
    assert conv_direct.takes(1, 16, 28, 28) and conv_direct.takes(16, 8, 14, 14)
    assert conv_direct.takes(32, 32, 4, 4) and conv_direct.takes(3, 32, 32, 32)
    assert conv_direct.takes(64, 64, 14, 14) and conv_direct.takes(32, 64, 28, 28)
    assert not conv_direct.takes(64, 64, 7, 7) and not conv_direct.takes(64, 64, 13, 14)
    assert not conv_direct.takes(128, 128, 14, 14) and not conv_direct.takes(64, 65, 28, 28)
    assert kernels.Conv3x3Node  # the fallback stays
