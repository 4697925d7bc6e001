"""Adam's and RMSprop's numba updates (train/update_kernels.py) against Chainer's own rules:
the same steps to float32 rounding, taken by the kernel for large parameters only."""
import chainer
import numpy as np
import pytest

from aezoo.models import fast
from aezoo.train import optimizers, update_kernels


def trained(optimizer, on, steps=5, shapes=((400, 330), (160, 130), (7,))):
    """The parameters after `steps` updates of 0.5 sum(w^3 - w) from the same start, with the
    kernels on or off (Chainer's rules)."""
    rng = np.random.RandomState(0)
    link = chainer.Link()
    with link.init_scope():
        for i, shape in enumerate(shapes):
            setattr(link, f"p{i}", chainer.Parameter(rng.uniform(-1, 1, shape).astype(np.float32)))
    optimizer.setup(link)
    with fast.enabled(on):
        for _ in range(steps):
            link.cleargrads()
            loss = sum(chainer.functions.sum(p ** 3 - p) * 0.5 for p in link.params())
            loss.backward()
            optimizer.update()
    return {name: p.array.copy() for name, p in link.namedparams()}


def calls(monkeypatch, name):
    """A list that gets the size of every parameter the kernel `name` updates."""
    seen, real = [], getattr(update_kernels, name)
    monkeypatch.setattr(update_kernels, name, lambda p, *rest: (seen.append(p.size), real(p, *rest)))
    return seen


@pytest.mark.parametrize("hyper", [{}, {"weight_decay_rate": 0.05}, {"eps": 1e-3}])
def test_adam_kernel_takes_chainers_steps(monkeypatch, hyper):
    seen = calls(monkeypatch, "adam")
    ours = trained(optimizers.Adam(alpha=1e-2, **hyper), on=True)
    assert seen == [400 * 330] * 5  # the large parameter only (over SMALL); the others keep numpy's
    stock = trained(optimizers.Adam(alpha=1e-2, **hyper), on=False)
    for key in ours:
        np.testing.assert_allclose(ours[key], stock[key], atol=2e-6, err_msg=key)
    assert not np.allclose(ours["/p0"], trained(optimizers.Adam(alpha=1e-2), on=True, steps=0)["/p0"])


@pytest.mark.parametrize("settings", [{}, {"alpha": 0.9, "eps": 1e-7, "eps_inside_sqrt": True}])
def test_rmsprop_kernel_takes_chainers_steps(monkeypatch, settings):
    """Chainer's settings, and the GRU's Keras ones (epsilon inside the square root)."""
    seen = calls(monkeypatch, "rmsprop")
    ours = trained(optimizers.RMSprop(lr=1e-2, **settings), on=True)
    assert seen == [400 * 330] * 5
    stock = trained(chainer.optimizers.RMSprop(lr=1e-2, **settings), on=False)
    for key in ours:
        np.testing.assert_allclose(ours[key], stock[key], atol=2e-6, err_msg=key)


def test_a_kernel_switched_off_by_name_leaves_chainers_rule(monkeypatch):
    seen = calls(monkeypatch, "adam")
    monkeypatch.setattr(fast, "OFF", frozenset({"adam"}))
    trained(optimizers.Adam(alpha=1e-2), on=True)
    assert seen == []


def test_the_models_optimizers_take_the_kernels():
    from types import SimpleNamespace
    from aezoo.models.simple import SimpleAE
    model = SimpleAE((7, 9), code_dim=5)
    for name, rule in (("adam", optimizers.InPlaceAdamRule),
                       ("rmsprop", optimizers.InPlaceRMSpropRule)):
        cfg = SimpleNamespace(optimizer=name, lr=None, weight_decay=0.0)
        built = optimizers.build_optimizer(cfg, model)
        assert all(isinstance(p.update_rule, rule) for p in model.params())
        assert built.lr if name == "rmsprop" else built.alpha
