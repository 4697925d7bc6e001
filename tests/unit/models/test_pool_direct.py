"""The numba 2x2 max-pooling and unpooling (models/pool_direct.py) against Chainer's functions
and kernels.py's numpy versions: the same values and gradients, ties (the first maximum takes
the gradient), odd sides, batch 1, NaN as kernels.py does it, chainer.gradient_check; the
layers take them unless switched off by name (fast.OFF, AEZOO_KERNELS_OFF) or numba is missing."""
import json
import os
import subprocess
import sys

import chainer
import chainer.functions as F
import numpy as np
import pytest
from chainer import gradient_check

from aezoo.models import fast, jit, kernels, pool_direct
from aezoo.models.layers import maxpool2, unpool2

pytestmark = pytest.mark.skipif(not jit.available(), reason="numba is not installed")

# batch 1, a single cell, both sides odd, even, and one of each
SHAPES = [(1, 1, 1, 1), (1, 2, 7, 9), (3, 2, 8, 8), (2, 3, 5, 4), (1, 3, 4, 5), (2, 16, 28, 28)]
CHECK = dict(eps=1e-2, atol=1e-3, rtol=1e-3)


def data(shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def pooled(shape):
    return shape[:2] + ((shape[2] + 1) // 2, (shape[3] + 1) // 2)


def backward(fn, x, gy):
    v = chainer.Variable(x.copy())
    y = fn(v)
    y.grad = gy.copy()
    y.backward()
    return y.array, v.grad


def distinct(shape, seed=2):
    """Values 0.1 apart, negative ones too: a finite difference of 1e-2 never moves a
    window's maximum, and a partial window's missing cells must count as -inf, not 0."""
    size = int(np.prod(shape))
    return ((np.random.RandomState(seed).permutation(size) - size / 2) * 0.1
            ).reshape(shape).astype(np.float32)


@pytest.mark.parametrize("shape", SHAPES)
def test_maxpool_equals_chainer_with_ties_and_its_gradients_check(shape):
    x = np.round(data(shape) * 2)  # -2 to 2: most windows hold ties, anywhere in them
    assert len(np.unique(x)) <= 5
    gy = data(pooled(shape), 1)
    ours = backward(pool_direct.maxpool_direct, x, gy)
    stock = backward(lambda v: F.max_pooling_2d(v, 2, cover_all=True), x, gy)
    np.testing.assert_array_equal(ours[0], stock[0])
    np.testing.assert_array_equal(ours[1], stock[1])  # the first maximum takes it
    x = distinct(shape)
    np.testing.assert_array_equal(pool_direct.maxpool_direct(x).array,
                                  F.max_pooling_2d(x, 2, cover_all=True).array)
    if x.size <= 1000:  # float32's steps near 2,500 are too coarse for the finite differences
        gradient_check.check_backward(pool_direct.maxpool_direct, x, gy, dtype=np.float32,
                                      **CHECK)


def test_maxpool_with_nan_and_inf_does_as_the_numpy_kernel():
    x = data((1, 1, 5, 5))
    x[0, 0, 0, 1] = np.nan  # window (0, 0)
    x[0, 0, 2, 2] = -np.inf  # window (1, 1), with finite neighbours
    x[0, 0, 4, 4] = -np.inf  # the last partial window holds -inf only
    gy = data((1, 1, 3, 3), 1)
    ours = backward(pool_direct.maxpool_direct, x, gy)
    numpy_kernel = backward(kernels.maxpool2, x, gy)
    np.testing.assert_array_equal(ours[0], numpy_kernel[0])
    np.testing.assert_array_equal(ours[1], numpy_kernel[1])
    assert np.isnan(ours[0][0, 0, 0, 0]) and not ours[1][0, 0, :2, :2].any()
    assert ours[0][0, 0, 2, 2] == -np.inf and ours[1][0, 0, 4, 4] == gy[0, 0, 2, 2]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("cut", [0, 1])
def test_unpool_equals_chainer_and_its_gradients_check(shape, cut):
    x = data(shape)
    outsize = (max(1, 2 * shape[2] - cut), max(1, 2 * shape[3] - cut))
    gy = data(shape[:2] + outsize, 1)
    ours = backward(lambda v: pool_direct.unpool_direct(v, outsize), x, gy)
    stock = backward(lambda v: F.unpooling_2d(v, 2, outsize=outsize, cover_all=True), x, gy)
    np.testing.assert_array_equal(ours[0], stock[0])
    np.testing.assert_allclose(ours[1], stock[1], atol=1e-6)
    gradient_check.check_backward(lambda v: pool_direct.unpool_direct(v, outsize), x, gy,
                                  dtype=np.float32, **CHECK)


def test_the_layers_take_them_unless_switched_off(monkeypatch):
    x = data((2, 3, 7, 7))
    assert isinstance(maxpool2(x).creator, pool_direct.MaxPoolDirect)
    assert isinstance(unpool2(x, (13, 14)).creator, pool_direct.UnpoolDirect)
    assert isinstance(unpool2(x, (15, 14)).creator, kernels.Unpool2)  # more than doubled
    monkeypatch.setattr(fast, "OFF", frozenset({"maxpool"}))
    assert isinstance(maxpool2(x).creator, kernels.MaxPool2)
    assert isinstance(unpool2(x, (13, 14)).creator, pool_direct.UnpoolDirect)
    monkeypatch.setattr(fast, "OFF", frozenset({"unpool"}))
    assert isinstance(maxpool2(x).creator, pool_direct.MaxPoolDirect)
    assert isinstance(unpool2(x, (13, 14)).creator, kernels.Unpool2)
    monkeypatch.setattr(fast, "OFF", frozenset())
    with fast.enabled(False):
        assert not isinstance(maxpool2(x).creator, (pool_direct.MaxPoolDirect, kernels.MaxPool2))
    assert not isinstance(maxpool2(x.astype(np.float64)).creator, pool_direct.MaxPoolDirect)
    monkeypatch.setattr(jit, "_missing", True)  # numba not installed: kernels.py's numpy
    monkeypatch.setattr(jit, "_numba", None)
    assert isinstance(maxpool2(x).creator, kernels.MaxPool2)
    assert isinstance(unpool2(x, (13, 14)).creator, kernels.Unpool2)


LAYERS_RUN = """
import json, sys
import chainer, numpy as np
from aezoo.models.layers import maxpool2, unpool2
x = np.asarray(json.loads(sys.argv[1]), np.float32)
out = {}
for name, fn in [("maxpool", maxpool2), ("unpool", lambda v: unpool2(v, (13, 14)))]:
    v = chainer.Variable(x.copy())
    y = fn(v)
    y.grad = np.arange(y.size, dtype=np.float32).reshape(y.shape)
    y.backward()
    out[name] = [type(y.creator).__name__, y.array.tolist(), v.grad.tolist()]
print(json.dumps(out))
"""


@pytest.mark.parametrize("off", ["maxpool", "unpool"])
def test_aezoo_kernels_off_leaves_that_one_to_numpy_with_the_same_results(off):
    x = np.round(data((2, 3, 7, 7)) * 2)
    run = subprocess.run([sys.executable, "-c", LAYERS_RUN, json.dumps(x.tolist())],
                         env={**os.environ, "AEZOO_KERNELS_OFF": off},
                         capture_output=True, text=True, check=True)
    got = json.loads(run.stdout)
    assert {name: got[name][0] for name in got} == {
        "maxpool": "MaxPool2" if "maxpool" in off else "MaxPoolDirect",
        "unpool": "Unpool2" if "unpool" in off else "UnpoolDirect"}
    for name, fn in [("maxpool", pool_direct.maxpool_direct),
                     ("unpool", lambda v: pool_direct.unpool_direct(v, (13, 14)))]:
        shape = fn(x).shape
        gy = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
        for theirs, ours in zip(got[name][1:], backward(fn, x, gy)):
            np.testing.assert_array_equal(np.asarray(theirs, np.float32), ours)
