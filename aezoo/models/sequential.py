"""An autoencoder written as a list of layers, Keras-style (docs/layers.md).

    aezoo run sequential --layers "dense:48 bn elu dropout:0.1 dense:24 relu dense:8" --data digits
    aezoo run sequential --layers "conv:8 relu pool conv:4 relu pool" --data mnist
    aezoo run sequential --layers "dense:64 relu dense:32 relu dense:16" --grow-every 4

The encoder is `layers` (models/kinds: each kind declared once); its output is the code.
The decoder mirrors it block by block (kinds/stack.py) unless `decoder_layers` is given,
and must end at the input's shape: a map (C, H, W) of the image's size or a vector of its
values. Images (H, W) enter as a one-channel map (1, H, W), colour images (H, W, C) as a map
(C, H, W), their channels moved in front: a conv takes them as they are, a dense layer
flattens them. The head (sigmoid for BCE, as every image model) takes the
decoder's output. Dropout draws its masks from the run's generator (Samples), so a resumed
run equals an unbroken one; batch norm's running statistics are persistent, saved and
exported.

Growth (Growable) builds the blocks one at a time, outermost first: a block is a weighted
layer and the layers after it (dense:48 bn elu dropout:0.1), so a new pair takes the
list's own template. While a new pair fades in, the old code is the bottleneck and the new
pair's path is blended into it, as models/deep.py does.
"""
import chainer
import chainer.functions as F
import numpy as np

from aezoo.models.abilities import Growable, Samples
from aezoo.models.base import Autoencoder
from aezoo.models.growth_init import pass_through, pca_pair
from aezoo.models.kinds import KINDS, parse, specs
from aezoo.models.option import LayerList
from aezoo.models.kinds.batch_norm import BatchNormKind
from aezoo.models.kinds.dense import DenseKind
from aezoo.models.kinds.initializers import DEFAULT, initializer
from aezoo.models.kinds.stack import Stack, bounds, mirrors, walk
from aezoo.models.kinds.template import HELP
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
    """(encoder kinds, their shapes, [decoder kinds of each block] or None, decoder kinds
    given or None), checked: ValueError naming the layer at fault, or a decoder that does
    not end at the input's shape."""
    encoder = parse(layers)
    shapes = walk(encoder, map_shape(input_shape))
    given = parse(decoder_layers, "--decoder-layers") if decoder_layers else None
    decoder = given or [k for block in reversed(mirrors(encoder, shapes)) for k in block]
    back = walk(decoder, shapes[-1], "--decoder-layers" if given else
                "the mirrored decoder of --layers")
    size = int(np.prod(input_shape))
    if back[-1] not in (shapes[0], (size,)):
        raise ValueError(f"--decoder-layers layer {len(decoder)} ({decoder[-1].spec()}) ends "
                         f"the decoder at {back[-1]}, not at the input's shape {shapes[0]} "
                         f"(or {size} values)")
    return encoder, shapes, None if given else mirrors(encoder, shapes), given


class SequentialAE(Growable, Samples, Autoencoder):
    option_help = {
        "layers": "the encoder, its layers in order: \"dense:48 bn elu dropout:0.1 dense:8\" "
                  "(a TOML list of strings in a file); the last one's output is the code; "
                  "kinds: " + ", ".join(KINDS) + " (docs/layers.md)",
        "decoder_layers": "the decoder, from the code to the input's shape (default: the "
                          "encoder's mirror)",
        "init": HELP["init"],
        "depth": "blocks of --layers to build at the start, outermost first; a block is a "
                 "dense or conv layer and the layers after it (default: all, or 1 when "
                 "growing)",
    }

    def __init__(self, input_shape, *, layers: LayerList = ("dense:128", "relu", "dense:64",
                                                            "relu", "dense:32", "relu"),
                 decoder_layers: LayerList = None, init: str = DEFAULT, depth: int = None):
        super().__init__(input_shape)
        initializer(init)  # ValueError for an unknown name
        self.init = init
        self.kinds, self.shapes, self.mirrors, given = plan(input_shape, layers, decoder_layers)
        self.bounds = bounds(self.kinds)
        self.given = given
        depth = len(self.bounds) if depth is None or given else min(depth, len(self.bounds))
        self.rng = np.random.default_rng(0)  # the run's generator replaces it (set_rng)
        self.widths = [int(np.prod(input_shape))]
        self.add_persistent("fade_alpha", 1.0)  # saved with the weights: a run may end mid-fade
        with self.init_scope():
            self.encoder = chainer.ChainList()  # a Stack a block
            self.decoder = chainer.ChainList()  # decoder[b] undoes encoder[b]; or the given one
        for _ in range(depth):
            self._append()
        if given:
            self.decoder.append(Stack(given, walk(given, self.code_shape), self._initializer))

    def _initializer(self):
        return initializer(self.init)

    @property
    def code_shape(self):
        return self.shapes[self.bounds[len(self.encoder) - 1][1]]

    def _append(self):
        """Build the next block and its mirror; returns the two stacks."""
        b = len(self.encoder)
        start, end = self.bounds[b]
        encoder = Stack(self.kinds[start:end], self.shapes[start:end + 1], self._initializer)
        stacks = [encoder]
        if self.mirrors is not None:
            back = self.mirrors[b]
            stacks.append(Stack(back, walk(back, self.shapes[end]), self._initializer))
        for stack in stacks:
            stack.to_device(self.device)
        self.encoder.append(encoder)
        if len(stacks) == 2:
            self.decoder.append(stacks[1])
        head = self.kinds[start:end]
        weighted = [k for k in head if k.weighted]
        self.widths.append(int(weighted[0].units if isinstance(weighted[0], DenseKind)
                               else weighted[0].channels) if weighted else self.widths[-1])
        return stacks

    # -- options -------------------------------------------------------------------------
    @classmethod
    def fit_to_data(cls, options, input_shape, given):
        """The layer lists checked against the data's shape, in their canonical form."""
        plan(input_shape, options["layers"], options["decoder_layers"])
        initializer(options["init"])
        return {**options, "layers": specs(parse(options["layers"])),
                "decoder_layers": specs(parse(options["decoder_layers"], "--decoder-layers"))
                if options["decoder_layers"] else None}

    @staticmethod
    def growth_plan(options):
        """The blocks' widths (units of a dense block, channels of a conv one)."""
        kinds = parse(options["layers"])
        widths = []
        for start, end in bounds(kinds):
            weighted = [k for k in kinds[start:end] if k.weighted]
            widths.append(weighted[0].units if isinstance(weighted[0], DenseKind)
                          else weighted[0].channels if weighted else 0)
        return widths

    @classmethod
    def check_growth(cls, options):
        planned = len(cls.growth_plan(options))
        if options.get("decoder_layers"):
            raise ValueError("growth mirrors each new block: not with --decoder-layers")
        if options.get("grow_width") is not None:
            raise ValueError("a sequential model's new blocks are its --layers' own: no "
                             "--grow-width")
        if options.get("max_depth", planned) > planned:
            raise ValueError(f"--layers has {planned} blocks (a dense or conv layer and the "
                             f"layers after it): --max-depth {options['max_depth']} is more")
        if options.get("grow_init") == "identity":
            kinds = parse(options["layers"])
            for start, end in bounds(kinds)[1:]:
                if not isinstance(kinds[start], DenseKind):
                    raise ValueError(f"identity initialization takes dense blocks; layer "
                                     f"{start + 1} ({kinds[start].spec()}) starts another "
                                     f"(use --grow-init random)")

    def set_rng(self, rng):
        self.rng = rng

    def arch(self):
        return {"layers": specs(self.kinds),
                "decoder_layers": specs(self.given) if self.given else None,
                "init": self.init, "depth": self.depth}

    # -- the network ---------------------------------------------------------------------
    @property
    def depth(self):
        return len(self.encoder)

    @property
    def fading(self):
        """True while the newest pair fades in (alpha < 1)."""
        return self.fade_alpha < 1.0 and self.depth >= 2

    @property
    def colour(self):
        return len(self.input_shape) == 3

    def encode(self, x):
        return self._encode(x, self.depth - 1 if self.fading else self.depth)

    def _encode(self, x, depth):
        h = F.transpose(x, (0, 3, 1, 2)) if self.colour else x.reshape((len(x),) + self.shapes[0])
        for block in self.encoder[:depth]:
            h = block(h, self)
        return h

    def decode_raw(self, code):
        h, depth = code, self.depth
        if self.given:
            h = self.decoder[0](h, self)
        else:
            if self.fading:  # h = (1 - alpha) * code + alpha * new pair(code)
                depth -= 1
                new = self.decoder[depth](self.encoder[depth](code, self), self)
                h = (1.0 - self.fade_alpha) * code + self.fade_alpha * new
            for b in reversed(range(depth)):
                h = self.decoder[b](h, self)
        if self.colour and h.shape[1:] == self.shapes[0]:  # a map: channels last again
            return F.transpose(h, (0, 2, 3, 1))
        return h.reshape((len(code),) + self.input_shape)

    def _layers(self):
        depth = self.depth - 1 if self.fading else self.depth
        entries = [e for block in self.encoder[:depth] for e in block.entries()]
        entries[-1]["code"] = True
        if self.fading:
            code = entries[-1]["out"]
            entries.append(describe("fade", code, code, alpha=float(self.fade_alpha),
                                    path=self.encoder[depth].entries()
                                    + self.decoder[depth].entries()))
        blocks = [self.decoder[0]] if self.given else reversed(self.decoder[:depth])
        entries += [e for block in blocks for e in block.entries()]
        out = entries[-1]["out"]
        first, last = reshape(self.input_shape, self.shapes[0]), reshape(out, self.input_shape)
        if self.colour:  # channels in front and, for a map, back (numpy_forward's transpose)
            first = describe("transpose", self.input_shape, self.shapes[0], axes=[2, 0, 1])
            if tuple(out) == self.shapes[0]:
                last = describe("transpose", out, self.input_shape, axes=[1, 2, 0])
        return [first] + entries + [describe("activation", out, out, "sigmoid"), last]

    # -- growth --------------------------------------------------------------------------
    def innermost_pair(self):
        """The newest pair's links, the encoder block's weighted layer first."""
        return tuple(self.encoder[-1]) + tuple(self.decoder[-1])

    def grow_point(self, x):
        return self.encode(x)

    def add_layer(self, width, init="random", sample=None, rng=None):
        """Build the next block of --layers and its mirror; returns their links.

        init="random": weights from the run's initializer, drawn from `rng`.
        init="identity": the block's dense layer and its mirror start as the best rank-width
        pass-through of the old code (growth_init.py), its batch norms pass their input on.
        """
        if self.depth >= len(self.bounds):
            raise ValueError(f"--layers has {len(self.bounds)} blocks; all are built")
        rng = rng or np.random
        state = np.random.get_state()  # the initializers draw from numpy's generator
        np.random.seed(rng.randint(2 ** 31))
        try:
            encoder, decoder = self._append()
        finally:
            np.random.set_state(state)
        if init == "identity":
            self._identity(encoder, decoder, sample, rng)
        return tuple(encoder) + tuple(decoder)

    def _identity(self, encoder, decoder, sample, rng):
        if sample is None:
            raise ValueError("identity initialization needs sample inputs")
        with chainer.using_config("train", False), chainer.no_backprop_mode():
            code = self._encode(self.device.send(sample), self.depth - 1)
            arrays = pca_pair(chainer.backends.cuda.to_cpu(code.array), encoder[0].out_size, rng)
            for link, (w, b) in ((encoder[0], arrays[:2]), (decoder[0], arrays[2:])):
                link.W.array[...] = link.xp.asarray(w)
                link.b.array[...] = link.xp.asarray(b)
            self._settle(decoder, self._settle(encoder, code))

    def _settle(self, stack, h):
        """Run `stack` on h, setting each batch norm to pass its input through."""
        for i, kind in enumerate(stack.kinds):
            if isinstance(kind, BatchNormKind):
                pass_through(stack.link_of(i), h)
            h = kind.forward(stack.link_of(i), h, self)
        return h
