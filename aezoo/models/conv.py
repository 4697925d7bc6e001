"""Convolutional autoencoder for any image size (the Keras blog's conv AE).

Encoder: for each width in `channels`, 3x3 conv + ReLU, then 2x2 max-pooling
(rounding up, so 28 -> 14 -> 7 -> 4 and 8 -> 4 -> 2 -> 1). Decoder
(`--decoder mirror`, the default): the mirror, unpooling back to exactly the
sizes the encoder saw, and a last 3x3 conv to one channel. `--decoder keras`
is the Keras blog's: every stage doubles the map (4 -> 8 -> 16), and where
that overshoots the image the last stage's conv is "valid" (16 -> 14 -> 28);
sizes that still do not fit are cut at the end. The code is the last feature
map, or a dense layer of `code_dim` units on top of it when code_dim is given.

Images are (N, H, W) gray or (N, H, W, C) channels last (colour: C = 3); the encoder
moves the channels in front for the convolutions and the decoder's last conv gives C
channels, moved back.
"""
import chainer
import chainer.functions as F
import numpy as np

from aezoo.models.abilities import Samples
from aezoo.models.base import Autoencoder
from aezoo.models.kinds.initializers import DEFAULT, initializer
from aezoo.models.kinds.activation import function
from aezoo.models.kinds.template import HELP, Template, check_options
from aezoo.models.layers import conv3x3, dense, describe, maxpool2, reshape, unpool2


class ConvAE(Samples, Autoencoder):
    option_help = {
        "hidden": "channels of the conv stages, e.g. 16,8,8 (fewer stages by default "
                  "where a map would fall below 2x2)",
        "code_dim": "a dense code of this width on top of the last map (default: the map)",
        "decoder": "mirror (unpool to the encoder's sizes) or keras (double each stage, "
                   "a valid conv last, as the Keras blog)",
        **HELP,
    }
    option_choices = {"decoder": ("mirror", "keras")}

    def __init__(self, input_shape, *, hidden: list = (16, 8, 8), code_dim: int = None,
                 decoder: str = "mirror", activation: str = "relu", init: str = DEFAULT,
                 batch_norm: bool = False, dropout: float = 0.0):
        super().__init__(input_shape)
        # after each conv but the output: [batch norm] -> activation -> [dropout]
        self.post, self.init = Template(activation, batch_norm, dropout), init
        initial = {} if init == DEFAULT else {"initialW": initializer(init)}
        self.rng = np.random.default_rng(0)  # dropout's masks: set_rng gives the run's
        if decoder not in self.option_choices["decoder"]:
            raise ValueError(f"decoder {decoder!r}: expected mirror or keras")
        self.decoder = decoder
        if len(self.input_shape) not in (2, 3):
            raise ValueError(f"model conv needs images (N, H, W) or (N, H, W, C), got samples "
                             f"of shape {self.input_shape}")
        self.spatial = self.input_shape[:2]
        self.colours = self.input_shape[2] if len(self.input_shape) == 3 else 1
        self.channels, self.code_dim = list(hidden), code_dim
        # Spatial size entering each pooling, to unpool back to it exactly.
        self.sizes = [self.spatial]
        for _ in hidden:
            h, w = self.sizes[-1]
            self.sizes.append(((h + 1) // 2, (w + 1) // 2))
        self.map_shape = (self.channels[-1],) + self.sizes[-1]  # (C, h, w) of the last map
        inward = [self.colours] + self.channels[:-1]
        outward = [self.channels[min(i + 1, len(hidden) - 1)] for i in range(len(hidden))]
        self.steps = self._decoder_steps()
        pads = {i: pad for i, pad, _, _ in self.steps}
        with self.init_scope():
            self.encoders = chainer.ChainList(*[
                conv3x3(c_in, c_out, **initial) for c_in, c_out in zip(inward, self.channels)])
            self.decoders = chainer.ChainList(*[
                conv3x3(c_in, c_out, pads[i], **initial) for i, (c_in, c_out)
                in enumerate(zip(outward, self.channels))])
            self.output = conv3x3(self.channels[0], self.colours, **initial)
            if code_dim:
                self.to_code = dense(int(np.prod(self.map_shape)), code_dim, **initial)
                self.from_code = dense(code_dim, int(np.prod(self.map_shape)), **initial)
            if batch_norm:  # one per conv, per channel
                self.encoder_norms = chainer.ChainList(*[self.post.norm(c) for c in self.channels])
                self.decoder_norms = chainer.ChainList(*[self.post.norm(c) for c in self.channels])

    @classmethod
    def fit_to_data(cls, options, input_shape, given):
        """Unless --hidden is given, drop the last pooling stages that would shrink the map
        below 2x2 (8x8 digits: [16, 8], a 2x2x8 code; 28x28 keeps all three, 4x4x8)."""
        check_options(options)
        if "hidden" in given or len(input_shape) not in (2, 3):
            return options
        size, fitted = min(input_shape[:2]), []
        for c in options["hidden"]:
            size = (size + 1) // 2
            if size < 2 and fitted:
                break
            fitted.append(c)
        return {**options, "hidden": fitted}

    def _decoder_steps(self):
        """[(stage, conv padding, map size into the conv, size after unpooling)], innermost first."""
        steps, size = [], self.sizes[-1]
        for i in reversed(range(len(self.channels))):
            if self.decoder == "mirror":
                steps.append((i, 1, size, self.sizes[i]))
                size = self.sizes[i]
                continue
            target = self.spatial if i == 0 else None
            valid = target is not None and all(2 * (s - 2) == t for s, t in zip(size, target))
            conv = tuple(s - 2 for s in size) if valid else size
            doubled = tuple(2 * s for s in conv)
            after = tuple(min(d, t) for d, t in zip(doubled, target)) if target else doubled
            steps.append((i, 0 if valid else 1, size, after))
            size = after
        return steps

    def set_rng(self, rng):
        self.rng = rng

    def _norm(self, side, i):
        """The batch norm after the encoder's or decoder's conv i, or None."""
        if not self.post.batch_norm:
            return None
        return (self.encoder_norms if side == "encoder" else self.decoder_norms)[i]

    def _after(self, h, side, i):
        return self.post(h, self._norm(side, i), self.rng)

    def _entries(self, entry, side, i):
        return self.post.entries(entry, self._norm(side, i))

    def arch(self):
        return {"hidden": self.channels, "code_dim": self.code_dim, "decoder": self.decoder,
                "activation": self.post.activation, "init": self.init,
                "batch_norm": self.post.batch_norm, "dropout": self.post.dropout}

    def _layers(self):
        planes = (self.colours,) + self.spatial  # (C, H, W), as the convolutions take it
        out = [reshape(self.input_shape, planes) if self.colours == 1 else
               describe("transpose", self.input_shape, planes, axes=[2, 0, 1])]
        maps = [(c,) + size for c, size in zip([self.colours] + self.channels, self.sizes)]
        for i, conv in enumerate(self.encoders):
            full = (self.channels[i],) + self.sizes[i]
            out += self._entries(describe("conv3x3", maps[i], full, None, conv), "encoder", i)
            out.append(describe("maxpool2", full, maps[i + 1], code=i == len(self.encoders) - 1
                                and not self.code_dim))
        if self.code_dim:
            flat = [int(np.prod(self.map_shape))]
            out += [reshape(self.map_shape, flat),
                    describe("dense", flat, [self.code_dim], self.post.activation, self.to_code,
                             code=True),
                    describe("dense", [self.code_dim], flat, self.post.activation, self.from_code),
                    reshape(flat, self.map_shape)]
        for i, pad, size, after in self.steps:
            conv = self.decoders[i]
            small = (conv.out_channels,) + tuple(v + 2 * pad - 2 for v in size)
            out += self._entries(describe("conv3x3", (conv.in_channels,) + size, small, None, conv,
                                          **({} if pad else {"pad": 0})), "decoder", i)
            out.append(describe("unpool2", small, (conv.out_channels,) + after))
        out.append(describe("conv3x3", (self.channels[0],) + self.spatial, planes, "sigmoid",
                            self.output))
        return out + [reshape(planes, self.input_shape) if self.colours == 1 else
                      describe("transpose", planes, self.input_shape, axes=[1, 2, 0])]

    def encode(self, x):
        if self.colours == 1:
            h = x.reshape((len(x), 1) + self.spatial)
        else:  # (N, H, W, C) -> (N, C, H, W)
            h = F.transpose(x, (0, 3, 1, 2))
        for i, conv in enumerate(self.encoders):
            h = maxpool2(self._after(conv(h), "encoder", i))
        if self.code_dim:
            h = function(self.post.activation)(self.to_code(h))
        return h

    def decode_raw(self, code):
        h = code
        if self.code_dim:
            h = function(self.post.activation)(self.from_code(h)).reshape(
                (len(h),) + self.map_shape)
        for i, _, _, after in self.steps:
            h = self._after(self.decoders[i](h), "decoder", i)
            h = unpool2(h, after)  # mirror: the encoder's size; keras: doubled, cut to the image
        out = self.output(h)
        if self.colours == 1:
            return out.reshape((len(h),) + self.input_shape)
        return F.transpose(out, (0, 2, 3, 1))  # back to channels last
