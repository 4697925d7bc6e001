"""dense:UNITS, a fully connected layer (Chainer's Linear); a map is flattened first."""
import chainer.links as L
import numpy as np

from aezoo.models.kinds.kind import Kind
from aezoo.models.kinds.reshape import ReshapeKind

MAX_UNITS = 1 << 16


class DenseKind(Kind):
    name, params, weighted = "dense", (("units", int, None),), True
    help = "fully connected, UNITS outputs (a map is flattened first)"

    def check(self):
        if not 0 < self.units <= MAX_UNITS:
            raise ValueError(f"units {self.units}: expected 1 to {MAX_UNITS}")

    def out_shape(self, shape):
        return (self.units,)

    def link(self, shape, init):
        return L.Linear(int(np.prod(shape)), self.units, initialW=init)


    def mirror(self, shape_in, shape_out):
        back = [DenseKind(units=int(np.prod(shape_in)))]
        return back + ([ReshapeKind(shape=tuple(shape_in))] if len(shape_in) > 1 else [])
    # numpy: numpy_forward.dense, the zoo's own "dense" layers
