"""2x2 max-pooling and unpooling in numba: one pass over the input, parallel over the planes.

    y = maxpool_direct(x)              # (N, C, H, W) float32 -> (N, C, ceil(H/2), ceil(W/2))
    y = unpool_direct(x, (H, W))       # each value over a 2x2 block, cut to (H, W)

kernels.py's numpy versions take four strided views, a maximum of them, and four masks of
where each corner is the first maximum, each a pass over memory; backward multiplies the
gradient by each mask. Here forward reads each window once and keeps the index of its first
maximum (one byte an output), and backward writes each input's gradient once:

- **Max-pooling**: odd sides keep a last partial window (cover_all, as Chainer's
  `cover_all=True`), where the missing cells count as -inf; the window's first maximum
  (in row order) takes the gradient, as Chainer's argmax does. A window holding NaN gives NaN
  (as numpy's maximum) and sends no gradient, as kernels.py's version (Chainer's sends it
  to the NaN).
- **Unpooling**: the forward copies each value to its block; backward sums each block of
  the output's gradient, cut to the output's size.

Switched by name: AEZOO_KERNELS_OFF=maxpool or =unpool leaves that one to kernels.py's numpy
(as does a missing numba); models/layers.py chooses.
"""
import chainer
import numpy as np

from aezoo.models import fast, jit

prange = range  # numba.prange once a kernel compiles (models/jit.py)
NONE = 4  # the index of a window that sends no gradient (it holds NaN)


def _larger(a, b):
    """numpy's maximum of two scalars: NaN if either is NaN."""
    return a if a > b or a != a else b


def _window(v0, v1, v2, v3):
    """A window's maximum and the index of its first maximum (NONE when it holds NaN: NaN
    equals nothing, so the count below runs to 4)."""
    m = _larger(_larger(v0, v1), _larger(v2, v3))
    # 0 if v0 is it, else 1 + (0 if v1 is it, else ...): no branch, so the loop vectorizes
    return m, (v0 != m) * (1 + (v1 != m) * (1 + (v2 != m) * (1 + (v3 != m))))


def _maxpool(x, y, index):
    """y and index (N, C, H2, W2): each window's maximum and where its first maximum is
    (0 to 3 in row order, NONE for NaN). Whole windows first, without a branch; then the
    last partial column and row of odd sides, with -inf for the missing cells."""
    n, c, h, w = x.shape
    h2, w2 = y.shape[2], y.shape[3]
    low = -np.inf
    for p in prange(n * c):
        i, k = p // c, p % c
        plane, out, at = x[i, k], y[i, k], index[i, k]
        for r in range(h2):
            top = plane[2 * r]
            bottom = plane[2 * r + 1] if 2 * r + 1 < h else np.full(w, low, x.dtype)
            for q in range(w // 2):
                out[r, q], at[r, q] = _window(top[2 * q], top[2 * q + 1], bottom[2 * q],
                                              bottom[2 * q + 1])
            for q in range(w // 2, w2):  # an odd width's last window (a loop: _maxpool_grad)
                out[r, q], at[r, q] = _window(top[w - 1], low, bottom[w - 1], low)


def _maxpool_grad(gy, index, gx):
    """gx (N, C, H, W): each output's gradient at its window's first maximum, 0 elsewhere.
    The corner numbers are compared as bytes, as the index holds them: compared as int64,
    the loop did not vectorize (4x slower)."""
    n, c, h, w = gx.shape
    w2 = gy.shape[3]
    zero = np.float32(0)
    for p in prange(n * c):
        i, k = p // c, p % c
        plane, g, at = gx[i, k], gy[i, k], index[i, k]
        for r in range(h):
            row, grads, where = plane[r], g[r // 2], at[r // 2]
            left = np.uint8(2 * (r % 2))  # the corners of this row: left, left + 1
            right = np.uint8(left + 1)
            for q in range(w // 2):
                grad, corner = grads[q], where[q]
                row[2 * q] = grad if corner == left else zero
                row[2 * q + 1] = grad if corner == right else zero
            # an odd width's last column, as a loop: numba 0.68.1's parallel=True dropped
            # the store under `if w % 2:` (tests/unit/models/test_pool_direct.py caught it)
            for q in range(w // 2, w2):
                row[2 * q] = grads[q] if where[q] == left else zero


def _unpool(x, y):
    """y (N, C, H, W): x's values each over its 2x2 block, cut to y's size."""
    n, c, h, w = y.shape
    for p in prange(n * c):
        i, k = p // c, p % c
        plane, out = x[i, k], y[i, k]
        for r in range(h):
            row, dest = plane[r // 2], out[r]
            for q in range(w):
                dest[q] = row[q // 2]


def _unpool_grad(gy, gx):
    """gx (N, C, h, w): the sum of each 2x2 block of gy (N, C, <= 2h, <= 2w)."""
    n, c, h, w = gx.shape
    ho, wo = gy.shape[2], gy.shape[3]
    for p in prange(n * c):
        i, k = p // c, p % c
        plane, g = gx[i, k], gy[i, k]
        plane[:, :] = 0
        for r in range(ho):
            row, dest = g[r], plane[r // 2]
            for q in range(wo):
                dest[q // 2] += row[q]


# plain kernels, not inline="always": LLVM inlines these two all the same (the loops
# vectorize as fast, measured), and numba's own inlining lengthens the first compile
_larger = jit.kernel()(_larger)
_window = jit.kernel()(_window)
_maxpool = jit.kernel(parallel=True)(_maxpool)
_maxpool_grad = jit.kernel(parallel=True)(_maxpool_grad)
_unpool = jit.kernel(parallel=True)(_unpool)
_unpool_grad = jit.kernel(parallel=True)(_unpool_grad)


class MaxPoolDirect(chainer.function_node.FunctionNode):
    def forward_cpu(self, inputs):
        x = np.ascontiguousarray(inputs[0])
        n, c, h, w = self.shape = x.shape
        y = np.empty((n, c, (h + 1) // 2, (w + 1) // 2), x.dtype)
        self.index = np.empty(y.shape, np.uint8)
        _maxpool(x, y, self.index)
        return y,

    def backward(self, indexes, grad_outputs):
        return MaxPoolDirectGrad(self.shape, self.index).apply(grad_outputs)


class MaxPoolDirectGrad(chainer.function_node.FunctionNode):
    def __init__(self, shape, index):
        self.shape, self.index = shape, index

    def forward_cpu(self, inputs):
        gy = np.ascontiguousarray(inputs[0])
        gx = np.empty(self.shape, gy.dtype)
        _maxpool_grad(gy, self.index, gx)
        return gx,


class UnpoolDirect(chainer.function_node.FunctionNode):
    def __init__(self, outsize):
        self.outsize = tuple(outsize)

    def forward_cpu(self, inputs):
        x = np.ascontiguousarray(inputs[0])
        self.shape = x.shape
        y = np.empty(x.shape[:2] + self.outsize, x.dtype)
        _unpool(x, y)
        return y,

    def backward(self, indexes, grad_outputs):
        return UnpoolDirectGrad(self.shape).apply(grad_outputs)


class UnpoolDirectGrad(chainer.function_node.FunctionNode):
    def __init__(self, shape):
        self.shape = shape

    def forward_cpu(self, inputs):
        gy = np.ascontiguousarray(inputs[0])
        gx = np.empty(self.shape, gy.dtype)
        _unpool_grad(gy, gx)
        return gx,


def maxpool_direct(x):
    return MaxPoolDirect().apply((x,))[0]


def unpool_direct(x, outsize):
    return UnpoolDirect(outsize).apply((x,))[0]


def takes(name):
    """Whether the numba kernel `name` ("maxpool" or "unpool") is to run."""
    return fast.on(name) and jit.available()
