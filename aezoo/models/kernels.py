"""aezoo's own CPU kernels for the conv model's layers, as Chainer FunctionNodes.

Chainer's CPU convolution gathers im2col columns in one layout and has tensordot
transpose them into another (two copies of every column), and its max-pooling
keeps argmax indices that backward scatters with np.add.at. Here:

    conv3x3    the 9 shifted copies of the input, row by row, channels first, and
               a batch of matmuls that writes (N, Cout, H, W) directly: no
               transposes; backward adds each shifted copy's gradient back
    maxpool2   2x2, stride 2, odd sides padded with -inf (cover_all), from the four
               strided corner views: the window's first maximum wins, as in Chainer's
               argmax; backward writes each gradient back to its corner
    unpool2    each value repeated over 2x2, cut to a size; backward sums the blocks

Each is used only where it applies (numpy arrays, float32; models/layers.py
chooses) and equals the stock function within float32 rounding (tests/unit/models/test_kernels.py).
"""
import chainer
import numpy as np


TAPS = [(dy, dx) for dy in range(3) for dx in range(3)]


def _columns(x, pad):
    """(N, 9 * C, Ho * Wo): the 9 shifted copies of x (N, C, H, W) zero-padded by `pad`,
    tap by tap; each copy moves whole rows, and the layout stays channels-first."""
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, w = x.shape
    ho, wo = h - 2, w - 2
    cols = np.empty((n, 9, c, ho, wo), x.dtype)
    for tap, (dy, dx) in enumerate(TAPS):
        cols[:, tap] = x[:, :, dy:dy + ho, dx:dx + wo]
    return cols.reshape(n, 9 * c, ho * wo), (ho, wo)


def _taps_first(w):
    """(Cout, C, 3, 3) -> (Cout, 9 * C) in the columns' order (tap, channel)."""
    return w.transpose(0, 2, 3, 1).reshape(len(w), -1)


def _conv(x, w, pad):
    """3x3 convolution of x (N, C, H, W) with w (Cout, C, 3, 3), no bias, and its columns."""
    cols, (ho, wo) = _columns(x, pad)
    y = np.matmul(_taps_first(w), cols)  # (N, Cout, Ho * Wo): no transpose needed
    return y.reshape(len(x), len(w), ho, wo), cols


class Conv3x3Node(chainer.function_node.FunctionNode):
    """y[n] = W (Cout, 9C) @ columns[n] (9C, Ho*Wo): a batch of matmuls, already (N, Cout, ...)."""

    def __init__(self, pad):
        self.pad = pad

    def forward_cpu(self, inputs):
        x, w, b = inputs
        y, self.cols = _conv(x, w, self.pad)
        y += b[None, :, None, None]
        self.retain_inputs((1,))
        return y,

    def backward(self, indexes, grad_outputs):
        w, = self.get_retained_inputs()
        grads = Conv3x3Grad(self.pad, self.cols, 0 in indexes).apply((w, grad_outputs[0]))
        return grads if 0 in indexes else (None,) + grads


class Conv3x3Grad(chainer.function_node.FunctionNode):
    """Gradients of Conv3x3Node (once differentiable: no double backprop). The input's is the
    full convolution of the output's gradient with the flipped kernel: again a few row
    copies and a batch of matmuls."""

    def __init__(self, pad, cols, need_x):
        self.pad, self.cols, self.need_x = pad, cols, need_x

    def forward_cpu(self, inputs):
        w, gy = inputs
        n, cout, ho, wo = gy.shape
        rows = gy.reshape(n, cout, ho * wo)
        gw = np.matmul(rows, self.cols.transpose(0, 2, 1)).sum(axis=0)  # (Cout, 9C)
        gw = np.ascontiguousarray(gw.reshape(cout, 3, 3, -1).transpose(0, 3, 1, 2))
        gb = rows.sum(axis=(0, 2))
        if not self.need_x:  # the data itself: no gradient wanted
            return gw, gb
        flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
        gx, _ = _conv(gy, flipped, 2 - self.pad)  # back to (H, W)
        return gx, gw, gb


def conv3x3(x, w, b, pad=1):
    return Conv3x3Node(pad).apply((x, w, b))[0]


def _quarters(x):
    """The four (N, C, H/2, W/2) strided views of a 2x2 window's corners, in window order."""
    return [x[:, :, dy::2, dx::2] for dy in (0, 1) for dx in (0, 1)]


class MaxPool2(chainer.function_node.FunctionNode):
    def forward_cpu(self, inputs):
        x, = inputs
        n, c, h, w = self.shape = x.shape
        h2, w2 = (h + 1) // 2, (w + 1) // 2
        if (h, w) != (2 * h2, 2 * w2):
            padded = np.full((n, c, 2 * h2, 2 * w2), -np.inf, x.dtype)
            padded[:, :, :h, :w] = x
            x = padded
        corners = _quarters(x)
        y = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
        taken = np.zeros(y.shape, bool)
        self.masks = []  # where each corner is the window's first maximum (Chainer's argmax)
        for corner in corners:
            mask = (corner == y) & ~taken
            taken |= mask
            self.masks.append(mask)
        return y,

    def backward(self, indexes, grad_outputs):
        return MaxPool2Grad(self.shape, self.masks).apply(grad_outputs)


class MaxPool2Grad(chainer.function_node.FunctionNode):
    def __init__(self, shape, masks):
        self.shape, self.masks = shape, masks

    def forward_cpu(self, inputs):
        gy, = inputs
        n, c, h, w = self.shape
        gx = np.zeros((n, c, 2 * gy.shape[2], 2 * gy.shape[3]), gy.dtype)
        for corner, mask in zip(_quarters(gx), self.masks):
            np.multiply(gy, mask, out=corner)
        return np.ascontiguousarray(gx[:, :, :h, :w]),


def maxpool2(x):
    return MaxPool2().apply((x,))[0]


class Unpool2(chainer.function_node.FunctionNode):
    def __init__(self, outsize):
        self.outsize = tuple(outsize)

    def forward_cpu(self, inputs):
        x, = inputs
        self.shape = x.shape
        h, w = self.outsize
        return np.ascontiguousarray(x.repeat(2, axis=2).repeat(2, axis=3)[:, :, :h, :w]),

    def backward(self, indexes, grad_outputs):
        return Unpool2Grad(self.shape).apply(grad_outputs)


class Unpool2Grad(chainer.function_node.FunctionNode):
    def __init__(self, shape):
        self.shape = shape

    def forward_cpu(self, inputs):
        gy, = inputs
        n, c, h, w = self.shape
        full = np.zeros((n, c, 2 * h, 2 * w), gy.dtype)
        full[:, :, :gy.shape[2], :gy.shape[3]] = gy
        return full.reshape(n, c, h, 2, w, 2).sum(axis=(3, 5)),


def unpool2(x, outsize):
    return Unpool2(outsize).apply((x,))[0]
