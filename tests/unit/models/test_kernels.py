"""aezoo's own kernels against Chainer's stock functions: the same values, the same
gradients (chainer.gradient_check), on odd sizes and batch 1; the models use them
only where they apply."""
import chainer
import chainer.functions as F
import numpy as np
import pytest
from chainer import gradient_check

from aezoo.models import fast, kernels
from aezoo.models.conv import ConvAE


SHAPES = [(1, 1, 1, 1), (1, 2, 7, 9), (3, 2, 8, 8), (2, 3, 5, 4)]  # (N, C, H, W)
CHECK = dict(eps=1e-2, atol=1e-3, rtol=1e-3, dtype=np.float64)


def data(shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("pad", [0, 1])
def test_conv3x3_equals_chainer_and_its_gradients_check(shape, pad):
    if pad == 0 and min(shape[2:]) < 3:
        pytest.skip("a valid 3x3 convolution needs 3x3 pixels")
    x, w, b = data(shape), data((4, shape[1], 3, 3), 1), data((4,), 2)
    stock = F.convolution_2d(x, w, b, pad=pad).array
    np.testing.assert_allclose(kernels.conv3x3(x, w, b, pad).array, stock, atol=1e-5)
    gy = data(stock.shape, 3)
    gradient_check.check_backward(lambda x, w, b: kernels.conv3x3(x, w, b, pad), (x, w, b), gy,
                                  **CHECK)
    found = []
    for fn in (lambda *v: F.convolution_2d(*v, pad=pad), lambda *v: kernels.conv3x3(*v, pad)):
        variables = [chainer.Variable(a.copy()) for a in (x, w, b)]
        y = fn(*variables)
        y.grad = gy
        y.backward()
        found.append([v.grad for v in variables])
    for stock_grad, our_grad in zip(*found):
        np.testing.assert_allclose(our_grad, stock_grad, atol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
def test_maxpool2_equals_chainer_with_ties_and_its_gradients_check(shape):
    x = np.maximum(data(shape), 0)  # ReLU outputs: windows of tied zeros
    stock_x, ours_x = chainer.Variable(x.copy()), chainer.Variable(x.copy())
    stock = F.max_pooling_2d(stock_x, 2, cover_all=True)
    ours = kernels.maxpool2(ours_x)
    np.testing.assert_array_equal(ours.array, stock.array)
    gy = data(stock.shape, 1)
    for y in (stock, ours):
        y.grad = gy
        y.backward()
    np.testing.assert_array_equal(ours_x.grad, stock_x.grad)  # the first maximum takes it
    # values 0.1 apart: a finite difference of 1e-2 never moves a window's maximum
    x = (np.random.RandomState(2).permutation(int(np.prod(shape))).reshape(shape) * 0.1
         ).astype(np.float32)
    gradient_check.check_backward(kernels.maxpool2, x, gy, **CHECK)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("cut", [0, 1])
def test_unpool2_equals_chainer_and_its_gradients_check(shape, cut):
    x = data(shape)
    outsize = (max(1, 2 * shape[2] - cut), max(1, 2 * shape[3] - cut))
    stock = F.unpooling_2d(x, 2, outsize=outsize, cover_all=True).array
    np.testing.assert_array_equal(kernels.unpool2(x, outsize).array, stock)
    gradient_check.check_backward(lambda v: kernels.unpool2(v, outsize), x,
                                  data(stock.shape, 1), **CHECK)


@pytest.mark.parametrize("options", [dict(hidden=[4, 3]), dict(hidden=[4, 3], decoder="keras"),
                                     dict(hidden=[3], code_dim=5)])
@pytest.mark.parametrize("size", [(7, 9), (28, 28)])
def test_the_conv_model_trains_the_same_with_and_without_the_kernels(options, size):
    x = data((2,) + size, 5) / 2 + 0.5
    losses, grads = [], []
    for on in (True, False):
        np.random.seed(0)
        model = ConvAE(size, **options)
        with fast.enabled(on):
            loss = model(x)
            model.cleargrads()
            loss.backward()
        losses.append(float(loss.array))
        grads.append({path: p.grad.copy() for path, p in model.namedparams()})
    assert losses[0] == pytest.approx(losses[1], rel=1e-6)
    for path in grads[0]:
        np.testing.assert_allclose(grads[0][path], grads[1][path], atol=1e-5, err_msg=path)


def test_the_kernels_stand_aside_where_they_do_not_apply():
    x = data((1, 2, 5, 5)).astype(np.float64)  # float64: Chainer's own function
    assert isinstance(kernels.maxpool2(x.astype(np.float32)).creator, kernels.MaxPool2)
    from aezoo.models.layers import maxpool2
    assert not isinstance(maxpool2(x).creator, kernels.MaxPool2)
    with fast.enabled(False):
        assert not isinstance(maxpool2(x.astype(np.float32)).creator, kernels.MaxPool2)


# (model, its kernel's node, options): every mode of each recurrent model with a kernel
RECURRENT = [(name, node, dict(mode=mode, **extra))
             for name, node, modes, extras in [
                 ("gru", "GRUSequence", ("keras", "seq2seq"),
                  [dict(reset_after=False), dict(reset_after=True)]),
                 ("lstm", "LSTMSequence", ("keras", "repeat", "seq2seq"), [{}])]
             for mode in modes for extra in extras]


@pytest.mark.parametrize("gate", ["hard_sigmoid", "sigmoid"])
@pytest.mark.parametrize("name, node, options", RECURRENT,
                         ids=[f"{n}-{'-'.join(map(str, o.values()))}" for n, _, o in RECURRENT])
def test_a_recurrent_model_trains_the_same_with_and_without_its_kernel(name, node, options, gate):
    """Stacked encoders, padded sequences, batch 1 among them: loss and every gradient, and
    the kernel ran where it was on."""
    from aezoo.models import MODELS, gru_kernel, lstm_kernel
    kernel = getattr(gru_kernel if name == "gru" else lstm_kernel, node)
    x = (np.random.RandomState(0).randn(3, 6, 4) * 2).astype(np.float32)
    x[1, 4:], x[2, 1:] = np.nan, np.nan  # lengths 6, 4, 1
    for batch in (x, x[2:]):
        found = []
        for on in (True, False):
            model = MODELS[name]((6, 4), hidden=[5, 3], code_dim=2, recurrent_activation=gate,
                                 **options)
            for i, p in enumerate(model.params()):  # nonzero biases, saturating gates
                p.array[...] = np.random.RandomState(i).uniform(-1.2, 1.2, p.shape)
            with fast.enabled(on):
                out = model.encoders[0](np.nan_to_num(batch))
                assert isinstance(out.creator, kernel) == on  # the kernel ran, or not
                loss = model(batch)
                model.cleargrads()
                loss.backward()
            found.append((float(loss.array), {k: p.grad.copy() for k, p in model.namedparams()}))
        assert found[0][0] == pytest.approx(found[1][0], rel=1e-6)
        for key in found[0][1]:
            np.testing.assert_allclose(found[0][1][key], found[1][1][key], atol=1e-6, err_msg=key)


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("gate", ["hard_sigmoid", "sigmoid"])
def test_the_gru_kernel_gradients_check(reset_after, gate):
    from aezoo.models.gru_kernel import gru_sequence
    rng = np.random.RandomState(1)
    u = 3
    xw = rng.uniform(-1, 1, (2, 4, 3 * u)).astype(np.float32)  # gates away from the kinks
    recurrent = rng.uniform(-0.5, 0.5, (u, 3 * u)).astype(np.float32)
    b_rec = rng.uniform(-0.5, 0.5, (3 * u,)).astype(np.float32)
    keep = np.array([[True] * 4, [True, True, False, False]])
    gy = rng.randn(2, 4, u).astype(np.float32)
    inputs = (xw, recurrent, b_rec) if reset_after else (xw, recurrent)
    gradient_check.check_backward(
        lambda *v: gru_sequence(v[0], v[1], v[2] if reset_after else None, reset_after, gate,
                                0.2, keep), inputs, gy, **CHECK)


@pytest.mark.parametrize("gate, slope", [("hard_sigmoid", 0.2), ("hard_sigmoid", 1 / 6),
                                         ("sigmoid", None)])
@pytest.mark.parametrize("n, steps, u", [(2, 4, 3), (1, 1, 1), (3, 5, 2)])
def test_the_lstm_kernel_gradients_check(gate, slope, n, steps, u):
    from aezoo.models.lstm_kernel import lstm_sequence
    rng = np.random.RandomState(1)
    xw = rng.uniform(-1, 1, (n, steps, 4 * u)).astype(np.float32)  # gates away from the kinks
    recurrent = rng.uniform(-0.5, 0.5, (u, 4 * u)).astype(np.float32)
    keep = rng.uniform(size=(n, steps)) > 0.3
    gy = rng.randn(n, steps, u).astype(np.float32)
    gradient_check.check_backward(
        lambda *v: lstm_sequence(v[0], v[1], gate, slope, keep), (xw, recurrent), gy, **CHECK)


def adam_steps(**hyper):
    """A SimpleAE's weights after five steps of aezoo's Adam (with `hyper`), in place (kernels
    on) and as Chainer's rule (off); and the model trained last."""
    from aezoo.models.simple import SimpleAE
    from aezoo.train.optimizers import Adam, InPlaceAdamRule
    x = data((8, 7, 9), 4) / 2 + 0.5
    weights = []
    for on in (True, False):
        np.random.seed(0)
        model = SimpleAE((7, 9), code_dim=5)
        optimizer = Adam(alpha=1e-2, **hyper).setup(model)
        assert all(isinstance(p.update_rule, InPlaceAdamRule) for p in model.params())
        with fast.enabled(on):
            for _ in range(5):
                loss = model(x)
                model.cleargrads()
                loss.backward()
                optimizer.update()
        weights.append({k: p.array.copy() for k, p in model.namedparams()})
    return weights, model


def test_in_place_adam_takes_the_steps_chainers_adam_takes():
    weights, model = adam_steps()
    for key in weights[0]:
        np.testing.assert_allclose(weights[0][key], weights[1][key], atol=1e-6, err_msg=key)
    # the scratch array is not state: never checkpointed
    assert set(model.encoder.W.update_rule.state) == {"m", "v"}


def test_in_place_adam_decays_weights_as_chainers_adamw_does():
    """--weight-decay with adam: the in-place step equals Chainer's decoupled decay."""
    weights, _ = adam_steps(weight_decay_rate=0.05)
    for key in weights[0]:
        np.testing.assert_allclose(weights[0][key], weights[1][key], atol=1e-6, err_msg=key)
