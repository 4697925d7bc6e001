"""bn: batch normalization (Chainer's BatchNormalization), per unit or per channel of a map.

Training normalizes with the batch's statistics and updates the running ones (decay 0.9,
Chainer's); evaluation, snapshots, the latent view, reconstruct and export use the running
statistics, which are persistent values: saved in every checkpoint and exported.
"""
import chainer.links as L
import numpy as np

from aezoo.models.kinds.kind import Kind


def batch_norm_numpy(x, layer, w):
    """(x - running mean) / sqrt(running var + eps) * gamma + beta, on axis 1."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    scale = w["gamma"] / np.sqrt(w["avg_var"] + layer["eps"])
    return ((x - w["avg_mean"].reshape(shape)) * scale.reshape(shape)
            + w["beta"].reshape(shape)).astype(x.dtype)


class BatchNormKind(Kind):
    name = "bn"
    help = "batch normalization: running statistics in evaluation, saved and exported"
    numpy = staticmethod(batch_norm_numpy)
    entry_type = "batch_norm"

    def link(self, shape, init):
        return L.BatchNormalization(int(shape[0]))


    def exported(self, link):
        return {"eps": float(link.eps)}
