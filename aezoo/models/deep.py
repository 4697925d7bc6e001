"""Stacked fully connected autoencoder that can grow (Keras blog's 784-128-64-32).

A growable model (train/growth.py) offers growth_plan, check_growth, add_layer, innermost_pair,
depth and fade_alpha. `add_layer(width)` inserts a new innermost pair: an encoder layer from the
current code width to `width` and its mirror in the decoder, so the code
shrinks while training goes on. While a new pair fades in (`fade_alpha` < 1),
the reconstruction blends the old path (the old code straight into the old
decoder) with the new one:  h = (1 - alpha) * old_code + alpha * new_path,
and the old code is the model's code until alpha reaches 1.

Each layer keeps the activation it was created with. `linear_code` makes the code_dim layer,
the last of hidden + code_dim, linear; a model that grows towards it has a ReLU code on the
way, and `add_layer(..., linear=True)` creates that last layer linear. So no layer ever
changes function when a pair goes under it, and the grown network is the same function
class as the one trained from scratch (ReLU hidden layers, a linear code).
"""
import chainer
import chainer.functions as F
import numpy as np

from aezoo.models.abilities import Growable
from aezoo.models.base import Autoencoder
from aezoo.models.layers import dense, describe, glorot_uniform, reshape


class DeepAE(Growable, Autoencoder):
    option_help = {
        "hidden": "layer widths, outermost first, e.g. 128,64",
        "code_dim": "width of the code, the innermost layer",
        "linear_code": "no ReLU on the code layer (Hinton & Salakhutdinov's 30-unit code); "
                       "a growing model reaches it at its last growth",
        "depth": "encoder layers to build at the start, the outermost of hidden + code_dim "
                 "(default: all, or 1 when growing)",
    }

    def __init__(self, input_shape, *, hidden: list = (128, 64), code_dim: int = 32,
                 linear_code: bool = False, depth: int = None):
        super().__init__(input_shape)
        plan = list(hidden) + [code_dim]
        # True when the innermost layer is linear: only once the code_dim layer exists.
        self.linear_code = linear_code and (depth is None or depth >= len(plan))
        self.widths = [int(np.prod(input_shape))]  # [input, layer 1, ..., code]
        self.add_persistent("fade_alpha", 1.0)  # saved with the weights: a run may end mid-fade
        with self.init_scope():
            self.encoders = chainer.ChainList()
            self.decoders = chainer.ChainList()  # decoders[i] undoes encoders[i]
        for width in plan[:depth]:
            self._append(dense(self.widths[-1], width), dense(width, self.widths[-1]), width)

    @staticmethod
    def growth_plan(options):
        """The widths growth goes through: the full no-growth architecture, hidden then code."""
        return list(options["hidden"]) + [options["code_dim"]]

    @classmethod
    def upgrade_arch(cls, arch):
        if "widths" in arch:  # aezoo 0.1: {"widths": [hidden..., code], "linear_code": ...}
            arch = {"hidden": arch["widths"][:-1], "code_dim": arch["widths"][-1],
                    "linear_code": arch.get("linear_code", False)}
        return arch

    @classmethod
    def check_growth(cls, options):
        """ValueError for options that cannot grow."""
        planned = len(cls.growth_plan(options))
        if options["linear_code"] and options.get("max_depth", planned) != planned:
            raise ValueError(f"a linear code (--linear-code) is the last of hidden + code_dim, "
                             f"so growth must end there (--max-depth {planned}): a pair under "
                             f"it would change the linear layer's function")

    @property
    def depth(self):
        return len(self.encoders)

    def arch(self):
        return {"hidden": self.widths[1:-1], "code_dim": self.widths[-1],
                "linear_code": self.linear_code}

    def _layers(self):
        w, depth = self.widths, self.depth - 1 if self.fading else self.depth
        out = [reshape(self.input_shape, [w[0]])]
        for i in range(depth):
            code = i == depth - 1
            out.append(describe("dense", [w[i]], [w[i + 1]], None if code and self.linear_code
                                else "relu", self.encoders[i], code=code))
        if self.fading:  # the new pair, blended into the old code
            old, new = w[depth], w[depth + 1]
            out.append(describe("fade", [old], [old], alpha=float(self.fade_alpha), path=[
                describe("dense", [old], [new], None if self.linear_code else "relu",
                         self.encoders[depth]),
                describe("dense", [new], [old], "relu", self.decoders[depth])]))
        for i in reversed(range(depth)):
            out.append(describe("dense", [w[i + 1]], [w[i]], "relu" if i else "sigmoid",
                                self.decoders[i]))
        return out + [reshape([w[0]], self.input_shape)]

    def innermost_pair(self):
        return self.encoders[-1], self.decoders[-1]

    def grow_point(self, x):
        """What the next new layer takes as input: the code."""
        return self.encode(x)

    def _append(self, encoder, decoder, width):
        # New layers go wherever the model already is: one placement path.
        for link in (encoder, decoder):
            link.to_device(self.device)
        self.encoders.append(encoder)
        self.decoders.append(decoder)
        self.widths.append(width)

    @property
    def fading(self):
        """True while the newest pair fades in (alpha < 1)."""
        return self.fade_alpha < 1.0 and self.depth >= 2

    # While the newest pair fades in, the old code is the bottleneck: the new pair
    # is part of decoding it, h = (1 - alpha) * code + alpha * pair(code). So
    # decode(encode(x)) is exactly what training uses.
    def encode(self, x):
        return self._encode(x, self.depth - 1 if self.fading else self.depth)

    def decode_raw(self, code):
        if not self.fading:
            return self._decode(code, self.depth)
        new_code = self.encoders[-1](code)
        new_path = F.relu(self.decoders[-1](new_code if self.linear_code else F.relu(new_code)))
        return self._decode((1.0 - self.fade_alpha) * code + self.fade_alpha * new_path,
                            self.depth - 1)

    def _encode(self, x, depth):
        h = x.reshape(len(x), -1)
        for i, layer in enumerate(self.encoders[:depth]):
            h = layer(h)
            if not (self.linear_code and i == self.depth - 1):
                h = F.relu(h)
        return h

    def _decode(self, h, depth):
        for i in reversed(range(depth)):
            h = self.decoders[i](h)
            if i > 0:
                h = F.relu(h)
        return h.reshape((len(h),) + self.input_shape)

    def add_layer(self, width, init="random", sample=None, rng=None, linear=False):
        """Insert a new innermost encoder/decoder pair; returns the two new links.

        linear=True: the new encoder layer is the linear code (the last growth of a
        --linear-code model). A linear code cannot have a pair added under it.

        init="random": Glorot-uniform weights drawn from `rng` (numpy RandomState).
        init="identity": Net2Net-style, from the PCA of the current code on
        `sample` inputs: the pair starts as the best rank-`width` pass-through
        of the old code, so the network's function barely changes.
        """
        if self.linear_code:
            raise ValueError("a linear code cannot grow: its layer would become a hidden one "
                             "and change function")
        old = self.widths[-1]
        rng = rng or np.random
        if init == "identity":
            w_enc, b_enc, w_dec, b_dec = self._pca_pair(sample, width, rng)
        else:
            w_enc, w_dec = glorot_uniform(rng, width, old), glorot_uniform(rng, old, width)
            b_enc, b_dec = np.zeros(width, np.float32), np.zeros(old, np.float32)
        encoder = dense(old, width, initialW=w_enc, initial_bias=b_enc)
        decoder = dense(width, old, initialW=w_dec, initial_bias=b_dec)
        self._append(encoder, decoder, width)
        self.linear_code = linear
        return encoder, decoder

    def _pca_pair(self, sample, width, rng):
        if sample is None:
            raise ValueError("identity initialization needs sample inputs")
        with chainer.using_config("train", False), chainer.no_backprop_mode():
            code = self.encode(self.device.send(sample))
        code = chainer.backends.cuda.to_cpu(code.array)  # (N, old)
        mean = code.mean(axis=0)
        _, _, vt = np.linalg.svd(code - mean, full_matrices=False)
        k = min(width, vt.shape[0])
        # Encoder rows: the top-k principal directions, then (when the new layer is
        # wider than the code allows) random rows whose decoder columns start at
        # zero: the function is unchanged, and they still get gradients.
        w_enc = np.concatenate([vt[:k], glorot_uniform(rng, width - k, code.shape[1])])
        w_dec = np.zeros((code.shape[1], width))
        w_dec[:, :k] = vt[:k].T
        projected = (code - mean) @ w_enc.T
        # A shift keeps every unit positive on the sample, so the ReLU passes it on.
        shift = np.maximum(-projected.min(axis=0), 0) + projected.std(axis=0) + 1e-3
        b_enc = shift - w_enc @ mean
        b_dec = mean - w_dec @ shift
        return tuple(a.astype(np.float32) for a in (w_enc, b_enc, w_dec, b_dec))
