"""layernorm: layer normalization over all of a sample's values (Chainer's
LayerNormalization), the same in training and evaluation."""
import chainer.links as L
import numpy as np

from aezoo.models.kinds.kind import Kind


def layer_norm_numpy(x, layer, w):
    """Each sample's values normalized to mean 0 and variance 1, then gamma and beta."""
    flat = x.reshape(len(x), -1)
    mean, var = flat.mean(axis=1, keepdims=True), flat.var(axis=1, keepdims=True)
    return ((flat - mean) / np.sqrt(var + layer["eps"]) * w["gamma"] + w["beta"]
            ).reshape(x.shape).astype(x.dtype)


class LayerNormKind(Kind):
    name = "layernorm"
    help = "layer normalization over each sample's values"
    numpy = staticmethod(layer_norm_numpy)
    entry_type = "layer_norm"

    def link(self, shape, init):
        return L.LayerNormalization(int(np.prod(shape)))

    def forward(self, link, x, context):
        return link(x.reshape(len(x), -1)).reshape(x.shape)

    def exported(self, link):
        return {"eps": float(link.eps)}
