"""The GRU's and LSTM's gates as numba kernels (models/gates.py, "gru_gates" and
"lstm_gates"), run over all steps by gates.py, against the numpy path they
replace in gru_kernel.py and lstm_kernel.py: the same outputs and gradients within float32's
tolerance, padded steps, both gate functions, batch 1 and odd sizes; the same whatever the
rows' shares among threads; chainer.gradient_check through the nodes; and each kernel
switched off by name, the numpy path taking over."""
import contextlib
import os
import subprocess
import sys

import chainer
import numpy as np
import pytest
from chainer import gradient_check

from aezoo.models import fast, gates, jit
from aezoo.models.gru_kernel import gru_sequence
from aezoo.models.lstm_kernel import lstm_sequence

KINDS = {"gru": ("gru_gates", 3), "gru_after": ("gru_gates", 3), "lstm": ("lstm_gates", 4)}
GATES = [("sigmoid", None), ("hard_sigmoid", 0.2), ("hard_sigmoid", 1 / 6)]
SHAPES = [(1, 1, 1), (1, 6, 3), (5, 7, 9), (3, 4, 37)]  # (N, T, u): batch 1, odd, past a vector


def inputs(kind, n, steps, u, padded, seed=0):
    """(xw, recurrent[, b_rec]), keep, gy: gates from well inside to saturated."""
    rng = np.random.RandomState(seed)
    width = KINDS[kind][1] * u
    arrays = [rng.uniform(-3, 3, (n, steps, width)), rng.uniform(-0.8, 0.8, (u, width))]
    if kind == "gru_after":
        arrays.append(rng.uniform(-0.5, 0.5, (width,)))
    keep = None
    if padded:  # rows of other lengths, and a step skipped in the middle
        keep = np.ones((n, steps), bool)
        keep[0, steps // 2:] = False
        keep[-1, steps // 3] = False
    return [a.astype(np.float32) for a in arrays], keep, rng.randn(n, steps, u).astype(np.float32)


def node(kind, gate, slope, keep):
    """The node's function of its inputs."""
    if kind == "lstm":
        return lambda xw, rec: lstm_sequence(xw, rec, gate, slope, keep)
    if kind == "gru":
        return lambda xw, rec: gru_sequence(xw, rec, None, False, gate, slope, keep)
    return lambda xw, rec, b: gru_sequence(xw, rec, b, True, gate, slope, keep)


def through(kind, gate, slope, arrays, keep, gy):
    """(whether the kernel ran, output, every input's gradient)."""
    variables = [chainer.Variable(a.copy()) for a in arrays]
    y = node(kind, gate, slope, keep)(*variables)
    y.grad = gy
    y.backward()
    return y.creator.fused, y.array, [v.grad for v in variables]


@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize("n, steps, u", SHAPES)
@pytest.mark.parametrize("gate, slope", GATES)
@pytest.mark.parametrize("kind", KINDS)
def test_the_gate_kernels_equal_the_numpy_path(monkeypatch, kind, gate, slope, n, steps, u,
                                                padded):
    arrays, keep, gy = inputs(kind, n, steps, u, padded)
    fused = through(kind, gate, slope, arrays, keep, gy)
    monkeypatch.setattr(fast, "OFF", frozenset({KINDS[kind][0]}))
    plain = through(kind, gate, slope, arrays, keep, gy)
    assert (fused[0], plain[0]) == (True, False)
    np.testing.assert_allclose(fused[1], plain[1], rtol=1e-5, atol=2e-6)
    for name, ours, theirs in zip(("xw", "recurrent", "b_rec"), fused[2], plain[2]):
        scale = max(1.0, float(np.abs(theirs).max()))  # sums over N T terms: relative to it
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=4e-6 * scale, err_msg=name)
    if padded:  # a padded step carries the state: its output is the step's before
        np.testing.assert_array_equal(fused[1][0, steps // 2:], np.broadcast_to(
            fused[1][0, steps // 2 - 1] if steps // 2 else 0.0, fused[1][0, steps // 2:].shape))


@pytest.mark.parametrize("n, steps, u", [(1, 3, 2), (3, 5, 3)])
@pytest.mark.parametrize("gate, slope", GATES)
@pytest.mark.parametrize("kind", KINDS)
def test_the_gate_kernels_gradients_check(kind, gate, slope, n, steps, u):
    """In float32, through the node as the models call it, with padded steps."""
    arrays, keep, gy = inputs(kind, n, steps, u, True, seed=1)
    arrays[0] /= 3  # gates away from hard_sigmoid's kinks
    ran = []

    def checked(*v):
        y = node(kind, gate, slope, keep)(*v)
        ran.append(y.creator.fused)
        return y
    gradient_check.check_backward(checked, tuple(arrays), gy, eps=1e-2, atol=2e-3, rtol=2e-3)
    assert ran and all(ran)


@pytest.mark.parametrize("kind", KINDS)
def test_the_rows_shares_among_threads_change_nothing(monkeypatch, kind):
    """7 rows in one share, in two, in three and one a share (more shares than threads): each
    row goes through every step the same way."""
    arrays, keep, gy = inputs(kind, 7, 6, 5, True, seed=2)
    found = []
    for shares in (1, 2, 3, 7):
        monkeypatch.setattr(gates, "chunks", lambda n, k=shares: k)
        found.append(through(kind, "sigmoid", None, arrays, keep, gy))
    for fused, y, grads in found[1:]:
        assert fused
        np.testing.assert_allclose(y, found[0][1], rtol=1e-6, atol=1e-7)
        for ours, theirs in zip(grads, found[0][2]):
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_the_recurrences_products_run_on_one_thread_of_scipys_blas_and_give_it_back(
        monkeypatch):
    """numba's np.dot calls scipy's OpenBLAS from each of numba's threads: one thread each
    during a recurrence's call; after it scipy's BLAS has its count back (a notebook's own
    SciPy keeps its threads), and numpy's never changes."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    pytest.importorskip("scipy.linalg.cython_blas")  # loaded, so the limit below covers it

    def counts():
        return {("scipy" if "scipy" in i["filepath"] else "numpy"): i["num_threads"]
                for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"}
    during, real = [], jit.dot_blas_on_one_thread

    @contextlib.contextmanager
    def watched():
        with real():
            during.append(counts())
            yield
    monkeypatch.setattr(jit, "dot_blas_on_one_thread", watched)
    arrays, keep, gy = inputs("lstm", 4, 3, 5, False)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        assert through("lstm", "sigmoid", None, arrays, keep, gy)[0]
        after = counts()
    assert during == [{"scipy": 1, "numpy": 2}] * 2  # forward, then backward
    assert after == {"scipy": 2, "numpy": 2}
    assert gates.chunks(4) == min(4, jit.threads())


def test_the_kernels_tanh_is_within_float32s_tolerance_and_never_above_1():
    x = np.concatenate([np.linspace(-12, 12, 4001), [0.0, 1e-8, -1e-8, 9.0, 50.0]]).astype(
        np.float32)
    ours = np.array([gates.tanh(v) for v in x], np.float32)
    exact = np.tanh(x.astype(np.float64))
    assert np.abs(ours - exact).max() < 4e-7
    assert np.abs(ours).max() <= 1.0  # 1 - tanh^2, the gradient's factor, never negative
    np.testing.assert_allclose(ours[-4:-2], x[-4:-2], rtol=1e-6)  # tiny inputs keep their size


def test_a_gate_kernel_switched_off_by_name_leaves_the_other_on(monkeypatch):
    arrays, keep, gy = inputs("gru", 2, 3, 4, True)
    lstm_arrays, _, lstm_gy = inputs("lstm", 2, 3, 4, True)
    monkeypatch.setattr(fast, "OFF", frozenset({"gru_gates"}))
    for name in ("gru_steps", "gru_steps_back", "gru_after_steps", "gru_after_steps_back"):
        monkeypatch.setattr(gates, name, lambda *a: pytest.fail("gru_gates ran"))
    assert not through("gru", "sigmoid", None, arrays, keep, gy)[0]
    assert not through("gru_after", "sigmoid", None, arrays + [np.zeros(12, np.float32)],
                       keep, gy)[0]
    assert through("lstm", "sigmoid", None, lstm_arrays, keep, lstm_gy)[0]
    monkeypatch.setattr(fast, "OFF", frozenset())
    float64 = [a.astype(np.float64) for a in lstm_arrays]  # the kernels are float32's
    assert not through("lstm", "sigmoid", None, float64, keep, lstm_gy.astype(np.float64))[0]


def test_aezoo_kernels_off_in_the_environment_switches_the_gates_off():
    code = ("import numpy as np\n"
            "from aezoo.models.gru_kernel import gru_sequence\n"
            "from aezoo.models.lstm_kernel import lstm_sequence\n"
            "x, r = np.ones((1, 2, 12), np.float32), np.zeros((3, 12), np.float32)\n"
            "print(gru_sequence(x[..., :9], r[:, :9], None, False, 'sigmoid', None).creator.fused,"
            " lstm_sequence(x, r, 'sigmoid', None).creator.fused)\n")
    env = dict(os.environ, AEZOO_KERNELS_OFF="relu,gru_gates")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
