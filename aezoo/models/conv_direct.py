"""A direct 3x3 convolution for few channels, in numba: forward, input gradient, weight and
bias gradients, parallel over the batch.

    y = conv_direct(x, W, b, pad)       # x (N, C, H, W) float32, W (Cout, C, 3, 3), pad 0 or 1

im2col (models/kernels.py) copies 9 shifted planes of the input and hands a matmul of
(Cout, 9C) x (9C, H*W) to the BLAS: with 1, 8 or 16 channels that matmul has almost no
work, and the copies cost more than the products. Here nothing is copied but the padded
input, one sample at a time:

- **Wide rows.** A sample's padded planes (H+2p, W+2p) are flattened, and the output is
  computed in the same width W+2p (the last 2 columns of each row are thrown away): tap
  (dy, dx) is then the same flat array shifted by dy*(W+2p)+dx, so the innermost loop runs
  along the whole contiguous plane, and LLVM vectorizes it (SIMD along the width) without
  a branch for the borders.
- **Taps fused, output channels blocked.** The innermost loop adds all 9 taps of one input
  channel to one output channel's row (9 FMAs per store, the 9 weights in registers), for a
  block of 4 output channels (`BLOCK`) sharing each loaded input value: the loop is bound by
  the FMAs, not by the stores of the accumulators.
- **Bias fused**: the rows start at the bias.
- **Gradients.** The input's is the same kernel on the output's gradient, with the kernel
  flipped and its channels swapped, padded by 2 - pad. The weights' are 9 dot products a
  (output, input) channel pair along the same wide rows (reassociated sums, so LLVM
  vectorizes them), one partial sum a thread, added up at the end; the bias's comes from
  the same pass.
- **Parallel over the batch** (`prange`, numba's threads: models/jit.py), one sample's
  work a thread at a time; the weights' gradient keeps one partial sum a thread.

ReLU is not fused: in the models it follows the convolution through the layer template
(batch norm, then the activation, then dropout), so a fused activation would need the
convolution to know what comes after it; the activation is numpy's (or the activation
kernels') either way.

Which shapes take it (`takes`): up to 32 x 32 channels (C_in x C_out) at any size, and up
to 64 x 64 from 14 x 14 pixels. benchmarks/conv_shapes.py (idle, batch 128, forward and
backward, this kernel's time over im2col's, 2 threads / 1): 1->16 at 28x28 0.40 / 0.97,
16->1 0.26 / 0.26, 32->32 at 28x28 0.37 / 0.50, 3->32 at 32x32 0.57 / 0.76, 64->64 at
14x14 0.80 / 0.86 and at 28x28 0.65 / 0.76; but 64->64 at 7x7 1.16 / 1.75 and 128->128 at
7x7 1.33 / 2.11 (few pixels a plane: the rows are too short to pay), and 128->128 at 14x14
0.66 / 0.99 (even). The rest take im2col, and everything that is not float32 numpy, stride
1 and pad 0 or 1 on both sides takes Chainer's own function (models/layers.py chooses).
Switched off by AEZOO_KERNELS_OFF=conv_direct.
"""
import chainer
import numpy as np

from aezoo.models import fast, jit

prange = range  # numba.prange once a kernel compiles (models/jit.py)
NAME = "conv_direct"
BLOCK = 4  # output channels a pass over the input (_forward writes the 4 out)


def _padded(x, i, pad, hp, wp):
    """Sample i of x (N, C, H, W), zero-padded by `pad` and flattened: (C, hp*wp + 2); the
    2 extra zeros are read by the last row's thrown-away columns."""
    c_in, h, w = x.shape[1], x.shape[2], x.shape[3]
    flat = np.zeros((c_in, hp * wp + 2), np.float32)
    for c in range(c_in):
        for r in range(h):
            start = (r + pad) * wp + pad
            flat[c, start:start + w] = x[i, c, r]
    return flat


def _shifted(s, wp, span):
    """The 9 taps' views of a flat padded plane s: tap (dy, dx) starts dy*wp + dx on. Views,
    so the loops index them from 0 and LLVM needs no check for negative indices (numba
    checks an index it cannot prove positive, and such a loop does not vectorize)."""
    return (s[0:span], s[1:span + 1], s[2:span + 2],
            s[wp:wp + span], s[wp + 1:wp + 1 + span], s[wp + 2:wp + 2 + span],
            s[2 * wp:2 * wp + span], s[2 * wp + 1:2 * wp + 1 + span],
            s[2 * wp + 2:2 * wp + 2 + span])


def _kernel(w, o, c):
    """The 9 weights of (output o, input c), as scalars the loop keeps in registers."""
    return (w[o, c, 0, 0], w[o, c, 0, 1], w[o, c, 0, 2], w[o, c, 1, 0], w[o, c, 1, 1],
            w[o, c, 1, 2], w[o, c, 2, 0], w[o, c, 2, 1], w[o, c, 2, 2])


def _taps(k, v0, v1, v2, v3, v4, v5, v6, v7, v8):
    """One output value's 9 products, as a tree of three independent lines of FMAs."""
    return ((k[0] * v0 + k[1] * v1 + k[2] * v2) + (k[3] * v3 + k[4] * v4 + k[5] * v5)
            + (k[6] * v6 + k[7] * v7 + k[8] * v8))


def _forward(x, w, b, pad, y):
    """y (N, Cout, Ho, Wo) = the 3x3 convolution of x with w, plus b (see the docstring)."""
    n, c_in, h, wd = x.shape
    c_out = w.shape[0]
    hp, wp = h + 2 * pad, wd + 2 * pad
    ho, wo = hp - 2, wp - 2
    span = ho * wp
    for i in prange(n):
        xp = _padded(x, i, pad, hp, wp)
        acc = np.empty((c_out, span), np.float32)
        for o in range(c_out):
            acc[o, :] = b[o]
        for c in range(c_in):
            s0, s1, s2, s3, s4, s5, s6, s7, s8 = _shifted(xp[c], wp, span)
            o = 0
            while o + BLOCK <= c_out:  # BLOCK output channels share each loaded input value
                a0, a1, a2, a3 = acc[o], acc[o + 1], acc[o + 2], acc[o + 3]
                k0, k1, k2, k3 = _kernel(w, o, c), _kernel(w, o + 1, c), \
                    _kernel(w, o + 2, c), _kernel(w, o + 3, c)
                for j in range(span):
                    v0, v1, v2, v3, v4 = s0[j], s1[j], s2[j], s3[j], s4[j]
                    v5, v6, v7, v8 = s5[j], s6[j], s7[j], s8[j]
                    a0[j] += _taps(k0, v0, v1, v2, v3, v4, v5, v6, v7, v8)
                    a1[j] += _taps(k1, v0, v1, v2, v3, v4, v5, v6, v7, v8)
                    a2[j] += _taps(k2, v0, v1, v2, v3, v4, v5, v6, v7, v8)
                    a3[j] += _taps(k3, v0, v1, v2, v3, v4, v5, v6, v7, v8)
                o += BLOCK
            for o in range(o, c_out):  # the channels left over, one at a time
                a, k = acc[o], _kernel(w, o, c)
                for j in range(span):
                    a[j] += _taps(k, s0[j], s1[j], s2[j], s3[j], s4[j], s5[j], s6[j], s7[j],
                                  s8[j])
        out = y[i].reshape(c_out * ho * wo)  # the wide rows' first wo columns
        for o in range(c_out):
            for r in range(ho):
                start = (o * ho + r) * wo
                out[start:start + wo] = acc[o, r * wp:r * wp + wo]


def _weight_grads(x, gy, pad, chunks, gw, gb):
    """gw (chunks, Cout, C, 9) and gb (chunks, Cout): each chunk's share of the batch, summed
    along the wide rows of its samples (the caller adds the chunks up)."""
    n, c_in, h, wd = x.shape
    c_out, ho, wo = gy.shape[1], gy.shape[2], gy.shape[3]
    hp, wp = h + 2 * pad, wd + 2 * pad
    span = ho * wp
    for t in prange(chunks):
        for i in range(t * n // chunks, (t + 1) * n // chunks):
            xp = _padded(x, i, pad, hp, wp)
            g = np.zeros((c_out, span), np.float32)  # gy in wide rows, 0 in the thrown-away columns
            for o in range(c_out):
                for r in range(ho):
                    g[o, r * wp:r * wp + wo] = gy[i, o, r]
            for o in range(c_out):
                e = g[o]
                total = np.float32(0)
                for j in range(span):
                    total += e[j]
                gb[t, o] += total
            for c in range(c_in):
                s0, s1, s2, s3, s4, s5, s6, s7, s8 = _shifted(xp[c], wp, span)
                for o in range(c_out):
                    e = g[o]
                    t0 = t1 = t2 = t3 = t4 = t5 = t6 = t7 = t8 = np.float32(0)
                    for j in range(span):
                        v = e[j]
                        t0 += v * s0[j]
                        t1 += v * s1[j]
                        t2 += v * s2[j]
                        t3 += v * s3[j]
                        t4 += v * s4[j]
                        t5 += v * s5[j]
                        t6 += v * s6[j]
                        t7 += v * s7[j]
                        t8 += v * s8[j]
                    k = gw[t, o, c]
                    k[0] += t0
                    k[1] += t1
                    k[2] += t2
                    k[3] += t3
                    k[4] += t4
                    k[5] += t5
                    k[6] += t6
                    k[7] += t7
                    k[8] += t8


# numba compiles a kernel at its first call (models/jit.py); the helper inlines into both
_padded = jit.kernel(inline="always")(_padded)
_shifted = jit.kernel(inline="always")(_shifted)
_kernel = jit.kernel()(_kernel)
_taps = jit.kernel(fastmath={"contract"})(_taps)
_forward = jit.kernel(parallel=True, fastmath={"contract"})(_forward)
_weight_grads = jit.kernel(parallel=True, fastmath={"contract", "reassoc", "nsz"})(_weight_grads)


def convolve(x, w, b, pad):
    """The 3x3 convolution of x (N, C, H, W) float32 with w (Cout, C, 3, 3), plus b."""
    n, _, h, wd = x.shape
    y = np.empty((n, len(w), h + 2 * pad - 2, wd + 2 * pad - 2), np.float32)
    _forward(np.ascontiguousarray(x), np.ascontiguousarray(w), np.ascontiguousarray(b),
             pad, y)
    return y


class ConvDirect(chainer.function_node.FunctionNode):
    """y = conv3x3(x, W) + b, computed directly (see the module docstring)."""

    def __init__(self, pad):
        self.pad = pad

    def forward_cpu(self, inputs):
        x, w, b = inputs
        self.retain_inputs((0, 1))
        return convolve(x, w, b, self.pad),

    def backward(self, indexes, grad_outputs):
        x, w = self.get_retained_inputs()
        grads = ConvDirectGrad(self.pad, 0 in indexes).apply((x, w, grad_outputs[0]))
        return grads if 0 in indexes else (None,) + grads


class ConvDirectGrad(chainer.function_node.FunctionNode):
    """The gradients of ConvDirect (once differentiable: no double backprop)."""

    def __init__(self, pad, need_x):
        self.pad, self.need_x = pad, need_x

    def forward_cpu(self, inputs):
        x, w, gy = inputs
        gy = np.ascontiguousarray(gy)
        chunks = max(1, min(jit.threads(), len(x)))
        gw = np.zeros((chunks,) + w.shape[:2] + (9,), np.float32)
        gb = np.zeros((chunks, len(w)), np.float32)
        _weight_grads(np.ascontiguousarray(x), gy, self.pad, chunks, gw, gb)
        gw = gw.sum(axis=0).reshape(w.shape)
        gb = gb.sum(axis=0)
        if not self.need_x:  # the data itself: no gradient wanted
            return gw, gb
        flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, Cout, 3, 3)
        gx = convolve(gy, flipped, np.zeros(len(flipped), np.float32), 2 - self.pad)
        return gx, gw, gb


def conv_direct(x, w, b, pad=1):
    return ConvDirect(pad).apply((x, w, b))[0]


def takes(c_in, c_out, h, w):
    """Whether the direct kernel is the faster one for this shape (the measured rule, above)."""
    pairs = c_in * c_out
    return (fast.on(NAME) and (pairs <= 32 * 32 or pairs <= 64 * 64 and h * w >= 14 * 14)
            and jit.available())
