"""upsample[:FACTOR]: each value repeated over a FACTOR x FACTOR block (nearest neighbour)."""
import chainer.functions as F

from aezoo.models.kinds.kind import Kind

MAX_FACTOR = 16


def upsample_numpy(x, layer, w):
    """Each value repeated over a factor x factor block, cut to the layer's output size."""
    f, (_, h, width) = layer["factor"], layer["out"]
    return x.repeat(f, axis=2).repeat(f, axis=3)[:, :, :h, :width]


class UpsampleKind(Kind):
    name, params, spatial = "upsample", (("factor", int, 2),), True
    help = "nearest-neighbour upsampling: upsample[:FACTOR], 2 by default"
    numpy = staticmethod(upsample_numpy)

    def check(self):
        if not 1 < self.factor <= MAX_FACTOR:
            raise ValueError(f"factor {self.factor}: expected 2 to {MAX_FACTOR}")

    def out_shape(self, shape):
        if len(shape) != 3:
            raise ValueError(f"{self.name} takes a map (C, H, W), not {tuple(shape)}: put "
                             f"reshape:C,H,W before it")
        return (shape[0],) + self.size_after(shape[1:])

    def size_after(self, size):
        return tuple(v * self.factor for v in size)

    def forward(self, link, x, context):
        h, w = self.out_shape(x.shape[1:])[1:]
        return F.unpooling_2d(x, self.factor, cover_all=False)[:, :, :h, :w]

    def mirror(self, shape_in, shape_out):
        from aezoo.models.kinds.pooling import PoolKind
        return [PoolKind(size=self.factor)] if tuple(shape_in) != tuple(shape_out) else []

    def exported(self, link):
        return {"factor": self.factor}
