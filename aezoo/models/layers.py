"""The building blocks every model is made of, and their uniform description.

Weights start Glorot-uniform, Keras' default, not Chainer's LeCun-normal: on the
MNIST split of experiments/reproduce.toml, 784-32-784 reaches test BCE 0.107
with it and 0.118-0.121 without, after the same 50 epochs. Faster kernels
(models/kernels.py) plug in here, so every model gets them; they apply on the CPU
and fall back to Chainer's functions elsewhere (CuPy keeps cuDNN).

A layer's description is a plain dict, the same for every model:
    {"type": "dense" | "conv3x3" | "maxpool2" | "unpool2" | "reshape" | "transpose" (with
             "axes", the sample's axes in their new order) | "fade" | sequence layers (below),
     "in": [...], "out": [...], "activation": "relu" | "sigmoid" | None,
     "params": count, "name": the link's path in the model ("/encoders/0") when it has
     weights, "code": True on the layer whose output is the code}
A "fade" layer blends its input with the output of its own "path" of layers:
(1 - alpha) * x + alpha * path(x) (a growing model's new pair while it fades in).
Sequence layers (models/recurrent.py): a cell, "lstm", "gru" or "simplernn" (every
step's output; with "units" and, where it has gates, "recurrent_activation" and
"keras_version"; a GRU's "reset_after"), "last" (the last real step), "repeat"
(Keras's RepeatVector, "steps" times), and "unroll", the seq2seq decoder, which
runs its "path" for "steps" steps from the code; the path's layers have a "role":
"start" (a dense layer: the cells' first states), "cell" (a "<cell>_step" a
decoder layer), "output" (a dense layer: each frame) and, unless its "readout" is
"replace", "readout" (a dense layer: the code's values combined with each frame).
Models build the list with describe(..., link=...); Autoencoder.layers() turns
each link into its name and parameter count, so the list is plain JSON.
"""
import chainer
import chainer.functions as F
import chainer.initializers as I
import chainer.links as L
import numpy as np

from aezoo.models import conv_direct, fast, kernels, pool_direct


def dense(n_in, n_out, **initial):
    return L.Linear(n_in, n_out, **{"initialW": I.GlorotUniform(), **initial})


def conv3x3(c_in, c_out, pad=1, **initial):
    """3x3 convolution; pad=1 keeps the size ("same"), pad=0 takes 2 off each side ("valid")."""
    return Conv3x3(c_in, c_out, 3, pad=pad, **{"initialW": I.GlorotUniform(), **initial})


def fits(x):
    """Whether aezoo's own CPU kernels (kernels.py) take `x`: float32 numpy, and switched on."""
    array = x.array if isinstance(x, chainer.Variable) else x
    return fast.ON and isinstance(array, np.ndarray) and array.dtype == np.float32


class Conv3x3(L.Convolution2D):
    """Chainer's Convolution2D (same weights, same checkpoint names), on the CPU with
    conv_direct.conv_direct where its measured rule says it is faster, else kernels.conv3x3
    (im2col)."""

    def forward(self, x):
        w = self.W.array
        if fits(x) and self.b is not None and w is not None and w.shape[2:] == (3, 3) \
                and w.dtype == np.float32 and self.stride == (1, 1) and self.dilate == (1, 1) \
                and self.groups == 1 and self.pad[0] == self.pad[1] and self.pad[0] in (0, 1):
            if conv_direct.takes(w.shape[1], w.shape[0], *x.shape[2:]):
                return conv_direct.conv_direct(x, self.W, self.b, self.pad[0])
            return kernels.conv3x3(x, self.W, self.b, self.pad[0])
        return super().forward(x)


def maxpool2(x):
    """2x2 max-pooling, stride 2, odd sides rounded up (a last partial window kept)."""
    if not fits(x):
        return F.max_pooling_2d(x, 2, cover_all=True)
    return pool_direct.maxpool_direct(x) if pool_direct.takes("maxpool") else kernels.maxpool2(x)


def unpool2(x, outsize):
    """Each value repeated over a 2x2 block, cut to `outsize` (H, W)."""
    if fits(x):
        if pool_direct.takes("unpool") and all(
                0 < size <= 2 * side for size, side in zip(outsize, x.shape[2:])):
            return pool_direct.unpool_direct(x, outsize)
        return kernels.unpool2(x, outsize)
    h, w = outsize
    return F.unpooling_2d(x, 2, cover_all=False)[:, :, :h, :w]


def glorot_uniform(rng, n_out, n_in):
    """The same initialization as a numpy array drawn from `rng` (layers added by growth)."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_out, n_in)).astype(np.float32)


def describe(kind, shape_in, shape_out, activation=None, link=None, code=False, **more):
    """One layer's description, still holding its Chainer `link` (see the module docstring)."""
    entry = {"type": kind, "in": [int(v) for v in shape_in], "out": [int(v) for v in shape_out],
             "activation": activation, "link": link, **more}
    if code:
        entry["code"] = True
    return entry


def plain(entry, names):
    """`entry` with its link replaced by the link's name (from {id: path}) and parameter count."""
    entry = dict(entry)
    link = entry.pop("link", None)
    entry["params"] = int(sum(p.size for p in link.params())) if link is not None else 0
    if link is not None:
        entry["name"] = names[id(link)]
    if "path" in entry:
        entry["path"] = [plain(e, names) for e in entry["path"]]
        entry["params"] = sum(e["params"] for e in entry["path"])
    return entry


def reshape(shape_in, shape_out):
    return describe("reshape", shape_in, shape_out)
