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

from aezoo.models.abilities import Growable, Samples
from aezoo.models.base import Autoencoder
from aezoo.models.growth_init import pass_through, pca_pair
from aezoo.models.kinds.initializers import DEFAULT, initializer
from aezoo.models.kinds.template import HELP, Template, check_options
from aezoo.models.layers import dense, describe, glorot_uniform, reshape


class DeepAE(Growable, Samples, Autoencoder):
    option_help = {
        "hidden": "layer widths, outermost first, e.g. 128,64",
        "code_dim": "width of the code, the innermost layer",
        "linear_code": "no ReLU on the code layer (Hinton & Salakhutdinov's 30-unit code); "
                       "a growing model reaches it at its last growth",
        "depth": "encoder layers to build at the start, the outermost of hidden + code_dim "
                 "(default: all, or 1 when growing)",
        **HELP,
    }

    def __init__(self, input_shape, *, hidden: list = (128, 64), code_dim: int = 32,
                 linear_code: bool = False, depth: int = None, activation: str = "relu",
                 init: str = DEFAULT, batch_norm: bool = False, dropout: float = 0.0):
        super().__init__(input_shape)
        plan = list(hidden) + [code_dim]
        self.post = Template(activation, batch_norm, dropout)  # after each hidden layer
        self.init = init
        initializer(init)  # ValueError for an unknown name
        self.rng = np.random.default_rng(0)  # dropout's masks: set_rng gives the run's
        # True when the innermost layer is linear: only once the code_dim layer exists.
        self.linear_code = linear_code and (depth is None or depth >= len(plan))
        self.widths = [int(np.prod(input_shape))]  # [input, layer 1, ..., code]
        self.add_persistent("fade_alpha", 1.0)  # saved with the weights: a run may end mid-fade
        with self.init_scope():
            self.encoders = chainer.ChainList()
            self.decoders = chainer.ChainList()  # decoders[i] undoes encoders[i]
            if batch_norm:  # encoder_norms[i] follows encoders[i], decoder_norms[i] decoders[i + 1]
                self.encoder_norms = chainer.ChainList()
                self.decoder_norms = chainer.ChainList()
        for i, width in enumerate(plan[:depth]):
            self._append(self._dense(self.widths[-1], width), self._dense(width, self.widths[-1]),
                         width, linear=self.linear_code and i == len(plan) - 1)

    def _dense(self, n_in, n_out, **initial):
        return dense(n_in, n_out, **({"initialW": initializer(self.init)}
                                     if self.init != DEFAULT else {}), **initial)

    def set_rng(self, rng):
        self.rng = rng

    def _norm(self, side, i):
        """The batch norm after encoders[i] ("encoder") or decoders[i] ("decoder"), or None."""
        if not self.post.batch_norm:
            return None
        norms = self.encoder_norms if side == "encoder" else self.decoder_norms
        i = i if side == "encoder" else i - 1
        return norms[i] if 0 <= i < len(norms) else None

    def _after(self, h, side, i):
        return self.post(h, self._norm(side, i), self.rng)

    @classmethod
    def last_growth(cls, options):
        """The growth that adds the code_dim layer makes it linear with --linear-code."""
        return {"linear": True} if options.get("linear_code") else {}

    @staticmethod
    def growth_plan(options):
        """The widths growth goes through: the full no-growth architecture, hidden then code."""
        return list(options["hidden"]) + [options["code_dim"]]

    @classmethod
    def fit_to_data(cls, options, input_shape, given):
        check_options(options)
        return options

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
                "linear_code": self.linear_code, "activation": self.post.activation,
                "init": self.init, "batch_norm": self.post.batch_norm,
                "dropout": self.post.dropout}

    def _layers(self):
        w, depth = self.widths, self.depth - 1 if self.fading else self.depth
        out = [reshape(self.input_shape, [w[0]])]
        for i in range(depth):
            code = i == depth - 1
            entry = describe("dense", [w[i]], [w[i + 1]], None, self.encoders[i])
            out += [entry] if code and self.linear_code else self._entries(entry, "encoder", i)
            if code:
                out[-1]["code"] = True
        if self.fading:  # the new pair, blended into the old code
            old, new = w[depth], w[depth + 1]
            entry = describe("dense", [old], [new], None, self.encoders[depth])
            out.append(describe("fade", [old], [old], alpha=float(self.fade_alpha), path=(
                [entry] if self.linear_code else self._entries(entry, "encoder", depth))
                + self._entries(describe("dense", [new], [old], None, self.decoders[depth]),
                                "decoder", depth)))
        for i in reversed(range(depth)):
            entry = describe("dense", [w[i + 1]], [w[i]], None, self.decoders[i])
            if i:
                out += self._entries(entry, "decoder", i)
            else:
                out.append({**entry, "activation": "sigmoid"})
        return out + [reshape([w[0]], self.input_shape)]

    def _entries(self, entry, side, i):
        return self.post.entries(entry, self._norm(side, i))

    def innermost_pair(self):
        """The newest pair's links: encoder, decoder, then their batch norms."""
        norms = [self._norm("encoder", self.depth - 1), self._norm("decoder", self.depth - 1)]
        return (self.encoders[-1], self.decoders[-1]) + tuple(n for n in norms if n is not None)

    def grow_point(self, x):
        """What the next new layer takes as input: the code."""
        return self.encode(x)

    def _append(self, encoder, decoder, width, linear=False):
        """Add a pair (and its batch norms); returns the norms added."""
        norms = []
        if self.post.batch_norm:
            if not linear:  # a linear code has nothing after it
                norms.append(("encoder_norms", self.post.norm(width)))
            if self.depth:  # decoders[0] is the output layer: the head follows it
                norms.append(("decoder_norms", self.post.norm(self.widths[-1])))
        # New layers go wherever the model already is: one placement path.
        for link in [encoder, decoder] + [n for _, n in norms]:
            link.to_device(self.device)
        self.encoders.append(encoder)
        self.decoders.append(decoder)
        for name, norm in norms:
            getattr(self, name).append(norm)
        self.widths.append(width)
        return [n for _, n in norms]

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
        new, at = self.encoders[-1](code), self.depth - 1
        new_path = self._after(self.decoders[-1](
            new if self.linear_code else self._after(new, "encoder", at)), "decoder", at)
        return self._decode((1.0 - self.fade_alpha) * code + self.fade_alpha * new_path,
                            self.depth - 1)

    def _encode(self, x, depth):
        h = x.reshape(len(x), -1)
        for i, layer in enumerate(self.encoders[:depth]):
            h = layer(h)
            if not (self.linear_code and i == self.depth - 1):
                h = self._after(h, "encoder", i)
        return h

    def _decode(self, h, depth):
        for i in reversed(range(depth)):
            h = self.decoders[i](h)
            if i > 0:
                h = self._after(h, "decoder", i)
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
        norms = self._append(encoder, decoder, width, linear=linear)
        self.linear_code = linear
        if init == "identity" and norms:
            self._pass_through(sample)
        return (encoder, decoder, *norms)

    def _pass_through(self, sample):
        """Batch norms that give back what they take on `sample` in evaluation: running
        statistics from the sample, gamma and beta undoing them (docs/layers.md)."""
        at = self.depth - 1
        with chainer.using_config("train", False), chainer.no_backprop_mode():
            units = self.encoders[at](self._encode(self.device.send(sample), at))
            if self._norm("encoder", at) is not None:
                pass_through(self._norm("encoder", at), units)
            h = units if self.linear_code else self._after(units, "encoder", at)
            if self._norm("decoder", at) is not None:
                pass_through(self._norm("decoder", at), self.decoders[at](h))

    def _pca_pair(self, sample, width, rng):
        if sample is None:
            raise ValueError("identity initialization needs sample inputs")
        with chainer.using_config("train", False), chainer.no_backprop_mode():
            code = self.encode(self.device.send(sample))
        return pca_pair(chainer.backends.cuda.to_cpu(code.array), width, rng)  # code (N, old)
