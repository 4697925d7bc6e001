"""A list of layer kinds made into a network: shapes walked, links built, a decoder mirrored.

    kinds = parse("conv:8 relu pool conv:4 relu pool")
    shapes = walk(kinds, (1, 8, 8))          # [(1, 8, 8), (8, 8, 8), ..., (4, 2, 2)]
    decoder = mirror(kinds, shapes)          # unpool, conv:8, relu, unpool, conv:1
    stack = Stack(kinds, shapes, init)       # a ChainList: its links, and forward(x, context)

The mirror reads the encoder as blocks: a layer with weights (dense, conv) and the layers
after it up to the next one (bn, an activation, dropout, pool). A block's mirror undoes its
size changes (pool -> unpool, reshape -> reshape back), then its weighted layer (dense back
to the block's input width, conv back to its channels), then repeats the previous block's
other layers (bn, activation, dropout), so the decoder's hidden layers are treated as the
encoder's; the last layer has none: the model's head (sigmoid for BCE) takes its output.
"""
import chainer

from aezoo.models.kinds import layer


def walk(kinds, shape, option="--layers", offset=0):
    """The shape before each layer and after the last; ValueError naming the layer, its
    input shape and the layer that made it."""
    shapes = [tuple(int(v) for v in shape)]
    for i, kind in enumerate(kinds):
        try:
            shapes.append(tuple(int(v) for v in kind.out_shape(shapes[-1])))
        except ValueError as e:
            before = (f"layer {i + offset} ({kinds[i - 1].spec()}) gives {shapes[-1]}" if i
                      else f"its input is {shapes[-1]}")
            raise ValueError(f"{option} layer {i + 1 + offset} ({kind.spec()}): {e}; "
                             f"{before}") from None
    return shapes


def blocks(kinds):
    """([indices before the first weighted layer], [[weighted index, followers...], ...])."""
    pre, found = [], []
    for i, kind in enumerate(kinds):
        if kind.weighted:
            found.append([i])
        elif found:
            found[-1].append(i)
        else:
            pre.append(i)
    return pre, found


def bounds(kinds):
    """[(start, end)] of each block, outermost first; the first takes the layers before it."""
    pre, found = blocks(kinds)
    if not found:
        return [(0, len(kinds))]
    ends = [block[-1] + 1 for block in found]
    return [(0 if b == 0 else ends[b - 1], end) for b, end in enumerate(ends)]


def mirrors(kinds, shapes):
    """Each block's mirror, outermost first: the decoder layers that take the block's output
    back to its input."""
    pre, found = blocks(kinds)
    out = []
    for b in range(len(found)):
        weighted, *rest = found[b]
        decoder = []
        for i in reversed(rest):
            if kinds[i].spatial:
                decoder += kinds[i].mirror(shapes[i], shapes[i + 1])
        decoder += kinds[weighted].mirror(shapes[weighted], shapes[weighted + 1])
        if b:  # the layers that followed the previous block's weights, fresh
            decoder += [layer(kinds[i].spec()) for i in found[b - 1][1:]
                        if not kinds[i].spatial]
        out.append(decoder)
    spatial = [m for i in reversed(pre) if kinds[i].spatial
               for m in kinds[i].mirror(shapes[i], shapes[i + 1])]
    if out:
        out[0] += spatial
    else:
        out = [spatial]
    return out


def mirror(kinds, shapes):
    """The decoder's kinds that take the code (shapes[-1]) back to the input (shapes[0])."""
    return [k for block in reversed(mirrors(kinds, shapes)) for k in block]


class Stack(chainer.ChainList):
    """The links of a list of kinds (those that have one), run in order."""

    def __init__(self, kinds, shapes, init):
        super().__init__()
        self.kinds, self.shapes, self.slots = list(kinds), list(shapes), []
        for kind, shape in zip(self.kinds, self.shapes):
            link = kind.link(shape, init())
            if link is not None:
                self.add_link(link)
            self.slots.append(len(self) - 1 if link is not None else None)

    def link_of(self, i):
        return None if self.slots[i] is None else self[self.slots[i]]

    def forward(self, x, context):
        h = x
        for i, kind in enumerate(self.kinds):
            h = kind.forward(self.link_of(i), h, context)
        return h

    def entries(self):
        """Each layer's layers() entry, with its link."""
        return [kind.entry(self.shapes[i], self.shapes[i + 1], self.link_of(i))
                for i, kind in enumerate(self.kinds)]
