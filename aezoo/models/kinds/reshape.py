"""reshape:C,H,W and flatten: the same values in another shape (no weights)."""
import numpy as np

from aezoo.models.kinds.kind import Kind


class ReshapeKind(Kind):
    name, params, spatial = "reshape", (("shape", tuple, None),), True
    help = "the same values as shape C,H,W (or any sizes), e.g. reshape:4,2,2 after dense:16"

    @classmethod
    def example(cls):
        return "4,2,2"

    def check(self):
        if not self.shape or min(self.shape) < 1:
            raise ValueError(f"shape {','.join(map(str, self.shape))}: expected positive sizes")

    def out_shape(self, shape):
        if int(np.prod(shape)) != int(np.prod(self.shape)):
            raise ValueError(f"cannot reshape {tuple(shape)} ({int(np.prod(shape))} values) to "
                             f"{self.shape} ({int(np.prod(self.shape))} values)")
        return tuple(self.shape)

    def forward(self, link, x, context):
        return x.reshape((len(x),) + tuple(self.shape))

    def mirror(self, shape_in, shape_out):
        return [ReshapeKind(shape=tuple(shape_in))]
    # numpy: numpy_forward.reshape


class FlattenKind(ReshapeKind):
    name, params = "flatten", ()
    help = "a map (C, H, W) as one vector of C H W values"

    def check(self):
        pass

    def out_shape(self, shape):
        return (int(np.prod(shape)),)

    def forward(self, link, x, context):
        return x.reshape(len(x), -1)

    def entry(self, shape_in, shape_out, link):
        return ReshapeKind(shape=tuple(shape_out)).entry(shape_in, shape_out, link)
