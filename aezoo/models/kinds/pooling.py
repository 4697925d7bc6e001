"""pool[:SIZE] (max-pooling, a last partial window kept, as the conv model's) and its
mirror unpool[:FACTOR[:H,W]] (each value repeated, cut to the size the encoder saw)."""
import chainer.functions as F
import numpy as np

from aezoo.models.kinds.kind import Kind
from aezoo.models.kinds.upsampling import UpsampleKind
from aezoo.models.layers import maxpool2, unpool2

MAX_SIZE = 16


def pool_numpy(x, layer, w):
    """SIZE x SIZE max-pooling, stride SIZE, a last partial window kept (sides round up)."""
    k, (n, c, h, width) = layer["size"], x.shape
    hp, wp = -(-h // k) * k, -(-width // k) * k
    padded = np.full((n, c, hp, wp), -np.inf, x.dtype)
    padded[:, :, :h, :width] = x
    return padded.reshape(n, c, hp // k, k, wp // k, k).max(axis=(3, 5))


class PoolKind(Kind):
    name, params, spatial = "pool", (("size", int, 2),), True
    help = "max-pooling: pool[:SIZE], 2x2 by default, a last partial window kept"
    numpy = staticmethod(pool_numpy)

    def check(self):
        if not 1 < self.size <= MAX_SIZE:
            raise ValueError(f"size {self.size}: expected 2 to {MAX_SIZE}")

    def out_shape(self, shape):
        if len(shape) != 3:
            raise ValueError(f"pool takes a map (C, H, W), not {tuple(shape)}: put "
                             f"reshape:C,H,W before it")
        return (shape[0],) + tuple(-(-v // self.size) for v in shape[1:])

    def forward(self, link, x, context):
        if self.size == 2:
            return maxpool2(x)
        return F.max_pooling_2d(x, self.size, cover_all=True)

    def mirror(self, shape_in, shape_out):
        return [UnpoolKind(factor=self.size, size=tuple(shape_in[1:]))]

    def exported(self, link):
        return {"size": self.size}


class UnpoolKind(UpsampleKind):
    name, entry_type = "unpool", "upsample"
    params = (("factor", int, 2), ("size", tuple, None))
    nullable = ("size",)
    help = "pool's mirror: unpool[:FACTOR[:H,W]], each value repeated, cut to H x W"

    def check(self):
        super().check()
        if self.size is not None and (len(self.size) != 2 or min(self.size) < 1):
            raise ValueError(f"size {self.size}: expected H,W")

    def size_after(self, size):
        doubled = super().size_after(size)
        return doubled if self.size is None else tuple(min(d, s) for d, s in zip(doubled, self.size))

    def forward(self, link, x, context):
        if self.factor == 2:
            return unpool2(x, self.out_shape(x.shape[1:])[1:])
        return super().forward(link, x, context)

    def entry(self, shape_in, shape_out, link):
        return UpsampleKind(factor=self.factor).entry(shape_in, shape_out, link)
