"""dropout[:RATE]: in training, each value zeroed with probability RATE and the rest scaled
by 1 / (1 - RATE); off in evaluation, snapshots, reconstruct and export.

The masks come from the run's numpy Generator (the model's `rng`, which every checkpoint
keeps), not from CuPy's or numpy's global state, so a resumed run draws what an unbroken
one would.
"""
import chainer

from aezoo.models.kinds.kind import Kind


def dropout_numpy(x, layer, w):
    return x  # evaluation: dropout is off


class DropoutKind(Kind):
    name, params, stochastic = "dropout", (("rate", float, 0.5),), True
    help = "dropout[:RATE], 0.5 by default; training only, masks from the run's generator"
    numpy = staticmethod(dropout_numpy)

    def check(self):
        if not 0 <= self.rate < 1:
            raise ValueError(f"rate {self.rate:g}: expected 0 <= rate < 1")

    def forward(self, link, x, context):
        return drop(x, self.rate, context.rng)

    def exported(self, link):
        return {"rate": self.rate}


def drop(x, rate, rng):
    """x with each value zeroed with probability `rate` in training (masks from `rng`)."""
    if not chainer.config.train or rate == 0:
        return x
    xp = chainer.backend.get_array_module(x)
    keep = rng.random(x.shape, dtype="float32") >= rate
    return x * xp.asarray(keep.astype(x.dtype) / (1 - rate))
