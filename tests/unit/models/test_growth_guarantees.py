"""What docs/layers.md promises of growth, per activation and with batch norm, for deep with
its knobs and for sequential: identity initialization computes the same function (relu,
linear; batch norm in evaluation), fade-in starts from the same function for every
activation, batch norm and dropout."""
import chainer
import numpy as np
import pytest

from aezoo.models.deep import DeepAE
from aezoo.models.sequential import SequentialAE
from aezoo.models.kinds import ACTIVATIONS
from aezoo.models.kinds.activation import IDENTITY_GROWTH

X = np.random.RandomState(0).rand(40, 8, 8).astype(np.float32)


def build(model, activation, batch_norm, dropout):
    """A model one pair short of hidden 16 and a 16-wide code."""
    if model == "deep":
        return DeepAE((8, 8), hidden=[16], code_dim=16, depth=1, activation=activation,
                      batch_norm=batch_norm, dropout=dropout)
    block = f"dense:16 {'bn ' if batch_norm else ''}{activation} dropout:{dropout}"
    return SequentialAE((8, 8), layers=f"{block} {block}", depth=1)


def trained(activation, batch_norm, dropout=0.0, model="deep"):
    np.random.seed(0)  # Chainer's initializers draw from numpy's global generator
    model = build(model, activation, batch_norm, dropout)
    model.set_rng(np.random.default_rng(0))
    optimizer = chainer.optimizers.Adam(1e-2)
    optimizer.setup(model)
    for _ in range(5):  # weights and running statistics away from their start
        optimizer.update(model, X)
    return model


def reconstruct(model, x=X, train=False):
    with chainer.using_config("train", train), chainer.no_backprop_mode():
        return model.reconstruct(x).array


@pytest.mark.parametrize("model", ["deep", "sequential"])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("activation", IDENTITY_GROWTH)  # relu and linear
def test_identity_initialization_computes_the_same_function(activation, batch_norm, model):
    assert IDENTITY_GROWTH == ("relu", "linear")  # what docs/layers.md says
    model = trained(activation, batch_norm, model=model)
    before = reconstruct(model)
    model.add_layer(16, init="identity", sample=X, rng=np.random.RandomState(0))  # width >= code's
    np.testing.assert_allclose(reconstruct(model), before, atol=1e-5)


@pytest.mark.parametrize("model", ["deep", "sequential"])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_fade_in_starts_from_the_same_function(activation, batch_norm, dropout, model):
    kind = model
    model = trained(activation, batch_norm, dropout, kind)
    before = reconstruct(model)
    model.add_layer(16, init="random", rng=np.random.RandomState(0))
    model.fade_alpha = 0.0
    np.testing.assert_allclose(reconstruct(model), before, atol=1e-6)
    if not dropout:  # in training too: the new pair's share is 0 whatever its batch statistics
        again = trained(activation, batch_norm, model=kind)
        np.testing.assert_allclose(reconstruct(model, train=True),
                                   reconstruct(again, train=True), atol=1e-5)
