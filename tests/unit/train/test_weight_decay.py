"""--weight-decay shrinks every weight: AdamW's decoupled decay with adam, an L2 term's
gradient with the other optimizers; 0 (the default) leaves the step as it was."""
import dataclasses

import numpy as np
import pytest

from aezoo.models.simple import SimpleAE
from aezoo.train.build import configured
from aezoo.train.optimizers import build_optimizer


def step_with_zero_gradient(optimizer, weight_decay, lr):
    cfg, _ = configured("simple", ({"data": "digits"}, "option"))
    cfg = dataclasses.replace(cfg, optimizer=optimizer, weight_decay=weight_decay, lr=lr)
    np.random.seed(0)
    model = SimpleAE((8, 8), code_dim=3)
    opt = build_optimizer(cfg, model)
    before = {k: p.array.copy() for k, p in model.namedparams()}
    for p in model.params():  # no gradient: only the decay moves a weight
        p.grad = np.zeros_like(p.array)
    opt.update()
    return before, {k: p.array for k, p in model.namedparams()}


@pytest.mark.parametrize("optimizer, lr, shrink", [
    ("adam", 1e-3, 1 - 0.01),        # decoupled: the rate itself, whatever the learning rate
    ("sgd", 0.1, 1 - 0.1 * 0.01),    # L2: its gradient rate * w, times the learning rate
])
def test_weight_decay_shrinks_every_weight_by_its_rate(optimizer, lr, shrink):
    before, after = step_with_zero_gradient(optimizer, 0.01, lr)
    for key in before:
        np.testing.assert_allclose(after[key], before[key] * shrink, rtol=1e-5, err_msg=key)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_no_weight_decay_by_default(optimizer):
    before, after = step_with_zero_gradient(optimizer, 0.0, None)
    for key in before:
        np.testing.assert_array_equal(after[key], before[key])
