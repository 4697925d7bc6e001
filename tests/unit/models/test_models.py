"""Every model in the registry: shapes, a finite loss, one update moves every parameter;
the regularizers change the loss exactly as documented."""
import chainer
import numpy as np
import pytest

from aezoo.models import regularizers
from aezoo.models.heads import bce
from aezoo.train.build import build_model, default_config, resolve
from aezoo.train.optimizers import build_optimizer
from aezoo.models import NAMES
from aezoo.models.conv import ConvAE
from aezoo.models.simple import SimpleAE


def make(name, shape=(8, 8), **options):
    cfg = default_config(name)
    for key, value in options.items():
        setattr(cfg, key, value)
    cfg = resolve(cfg, set(options))
    return build_model(cfg, shape, np.random.default_rng(0)), cfg


def batch(shape=(8, 8), n=16, seed=0):
    return np.random.RandomState(seed).rand(n, *shape).astype(np.float32)


@pytest.mark.parametrize("name", NAMES)
def test_model_contract_and_one_update_moves_every_parameter(name):
    model, cfg = make(name)
    x = batch()
    code = model.encode(x)
    assert model.decode(code).shape == x.shape
    out = model.reconstruct(x).array
    assert out.shape == x.shape
    if model.head.needs_unit_range:  # a sigmoid head; the GRU's identity head is unbounded
        assert out.min() >= 0 and out.max() <= 1
    optimizer = build_optimizer(cfg, model)
    before = {path: p.array.copy() for path, p in model.namedparams()}
    loss = model(x)
    assert np.isfinite(float(loss.array))
    model.cleargrads()
    loss.backward()
    optimizer.update()
    for path, p in model.namedparams():
        assert not np.allclose(p.array, before[path]), f"{name}: {path} did not change"


@pytest.mark.parametrize("shape", [(8, 8), (28, 28), (7, 9)])
def test_conv_reconstructs_any_image_size(shape):
    model = ConvAE(shape, hidden=[4, 4, 4])
    assert model.decode_raw(model.encode(batch(shape, 2))).shape == (2,) + shape


def test_conv_with_dense_code_has_that_many_code_units():
    model = ConvAE((28, 28), hidden=[8, 4], code_dim=10)
    assert model.encode(batch((28, 28), 3)).shape == (3, 10)


def test_noise_corrupts_only_the_input_and_only_in_training():
    x = batch()
    rng = np.random.default_rng(5)
    np.random.seed(0)  # Chainer draws the weights from numpy's global state: not other tests'
    model = SimpleAE((8, 8)).regularize(noise=regularizers.noise("gaussian", 0.5, False, rng))
    twin = np.random.default_rng(5)  # the same draws, to rebuild the expected loss
    with chainer.using_config("train", True):
        loss = float(model(x).array)
        noisy = np.clip(x + twin.standard_normal(x.shape, dtype=np.float32) * 0.5, 0, 1)
        expected = float(bce(model.decode_raw(model.encode(noisy)), x).array)  # clean target
    assert loss == pytest.approx(expected, rel=1e-6)
    clean = float(bce(model.decode_raw(model.encode(x)), x).array)
    assert abs(loss - clean) > 1e-3  # the noise really changed what the model saw
    with chainer.using_config("train", False):
        assert float(model(x).array) == pytest.approx(clean, rel=1e-6)


def test_mask_noise_zeroes_about_the_requested_fraction():
    x = np.ones((200, 8, 8), np.float32)
    masked = regularizers.noise("mask", 0.3, False, np.random.default_rng(0))(x)
    assert set(np.unique(masked)) <= {0.0, 1.0}
    assert (masked == 0).mean() == pytest.approx(0.3, abs=0.02)


def test_sparsity_adds_l1_of_the_code_not_of_the_output():
    x = batch()
    plain = SimpleAE((8, 8))
    sparse = SimpleAE((8, 8)).regularize(penalty=regularizers.sparsity(0.01))
    sparse.copyparams(plain)
    code = plain.encode(x).array
    expected = float(plain(x).array) + 0.01 * np.abs(code).sum() / len(x)
    assert float(sparse(x).array) == pytest.approx(expected, rel=1e-5)


def test_sparsity_penalty_reaches_conv_models_too():
    model, _ = make("conv", sparsity=1e-3)
    observation = {}
    reporter = chainer.Reporter()
    reporter.add_observer("main", model)
    with reporter.scope(observation):
        model(batch())
    assert float(observation["main/penalty"].array) > 0
