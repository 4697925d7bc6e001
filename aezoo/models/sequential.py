"""An autoencoder written as a list of layers, Keras-style (docs/layers.md).

    aezoo run sequential --layers "dense:48 bn elu dropout:0.1 dense:24 relu dense:8" --data digits
    aezoo run sequential --layers "conv:8 relu pool conv:4 relu pool" --data mnist

The encoder is `layers` (models/kinds: each kind declared once); its output is the code.
The decoder mirrors it (kinds/stack.py) unless `decoder_layers` is given, and must end at
the input's shape: a map (C, H, W) of the image's size or a vector of its values. Images
(H, W) enter as a one-channel map (1, H, W), colour images (H, W, C) as a map (C, H, W),
their channels moved in front: a conv takes them as they are, a dense layer flattens them. The head (sigmoid for BCE, as every image model) takes the decoder's output.
Dropout draws its masks from the run's generator (Samples), so a resumed run equals an
unbroken one; batch norm's running statistics are persistent, saved and exported.
"""
import chainer.functions as F
import numpy as np

from aezoo.models.abilities import Samples
from aezoo.models.base import Autoencoder
from aezoo.models.kinds import LayerList, parse, specs
from aezoo.models.kinds.initializers import DEFAULT, initializer
from aezoo.models.kinds.template import HELP
from aezoo.models.kinds.stack import Stack, mirror, walk
from aezoo.models.layers import describe, reshape

CHANNELS = 1  # an image (H, W) is a map of one channel


def map_shape(input_shape):
    """How a sample enters the stack: (C, H, W) for an image (gray (H, W) or colour (H, W, C)),
    as it is otherwise."""
    shape = tuple(input_shape)
    if len(shape) == 3:  # colour, channels last
        return (shape[2],) + shape[:2]
    return (CHANNELS,) + shape if len(shape) == 2 else shape


def plan(input_shape, layers, decoder_layers=None):
    """(encoder kinds, their shapes, decoder kinds, their shapes), checked: ValueError naming
    the layer at fault, or a decoder that does not end at the input's shape."""
    encoder = parse(layers)
    shapes = walk(encoder, map_shape(input_shape))
    decoder = parse(decoder_layers, "--decoder-layers") if decoder_layers else \
        mirror(encoder, shapes)
    back = walk(decoder, shapes[-1], "--decoder-layers" if decoder_layers else
                "the mirrored decoder of --layers")
    size = int(np.prod(input_shape))
    if back[-1] not in (shapes[0], (size,)):
        raise ValueError(f"--decoder-layers layer {len(decoder)} ({decoder[-1].spec()}) ends "
                         f"the decoder at {back[-1]}, not at the input's shape {shapes[0]} "
                         f"(or {size} values)")
    return encoder, shapes, decoder, back


class SequentialAE(Samples, Autoencoder):
    option_help = {
        "layers": "the encoder, its layers in order: \"dense:48 bn elu dropout:0.1 dense:8\" "
                  "(a TOML list of strings in a file); the last one's output is the code "
                  "(docs/layers.md lists the kinds)",
        "decoder_layers": "the decoder, from the code to the input's shape (default: the "
                          "encoder's mirror)",
        "init": HELP["init"],
    }

    def __init__(self, input_shape, *, layers: LayerList = ("dense:128", "relu", "dense:64",
                                                            "relu", "dense:32", "relu"),
                 decoder_layers: LayerList = None, init: str = DEFAULT):
        super().__init__(input_shape)
        initializer(init)  # ValueError for an unknown name
        self.init, self.given_decoder = init, decoder_layers is not None
        encoder, shapes, decoder, back = plan(input_shape, layers, decoder_layers)
        self.rng = np.random.default_rng(0)  # the run's generator replaces it (set_rng)
        with self.init_scope():
            self.encoder = Stack(encoder, shapes, lambda: initializer(init))
            self.decoder = Stack(decoder, back, lambda: initializer(init))

    @classmethod
    def fit_to_data(cls, options, input_shape, given):
        """The layer lists checked against the data's shape, in their canonical form."""
        plan(input_shape, options["layers"], options["decoder_layers"])
        initializer(options["init"])
        return {**options, "layers": specs(parse(options["layers"])),
                "decoder_layers": specs(parse(options["decoder_layers"], "--decoder-layers"))
                if options["decoder_layers"] else None}

    def set_rng(self, rng):
        self.rng = rng

    def arch(self):
        return {"layers": specs(self.encoder.kinds),
                "decoder_layers": specs(self.decoder.kinds) if self.given_decoder else None,
                "init": self.init}

    @property
    def colour(self):
        return len(self.input_shape) == 3

    def encode(self, x):
        if self.colour:  # (N, H, W, C) -> (N, C, H, W)
            return self.encoder(F.transpose(x, (0, 3, 1, 2)), self)
        return self.encoder(x.reshape((len(x),) + self.encoder.shapes[0]), self)

    def decode_raw(self, code):
        out = self.decoder(code, self)
        if self.colour and self.decoder.shapes[-1] == self.encoder.shapes[0]:  # a map: back
            return F.transpose(out, (0, 2, 3, 1))
        return out.reshape((len(code),) + self.input_shape)

    def _layers(self):
        entries = self.encoder.entries()
        entries[-1]["code"] = True
        out_shape = self.decoder.shapes[-1]
        first, last = self.encoder.shapes[0], reshape(out_shape, self.input_shape)
        if self.colour:
            first = describe("transpose", self.input_shape, first, axes=[2, 0, 1])
            if out_shape == self.encoder.shapes[0]:
                last = describe("transpose", out_shape, self.input_shape, axes=[1, 2, 0])
        else:
            first = reshape(self.input_shape, first)
        return ([first] + entries + self.decoder.entries()
                + [describe("activation", out_shape, out_shape, "sigmoid"), last])
