"""The layers that follow each hidden weighted layer of the deep and conv models:
[batch norm] -> activation -> [dropout], from --batch-norm, --activation and --dropout.

    post = Template("elu", batch_norm=True, dropout=0.1)
    norm = post.norm(64)                   # the BatchNormalization link (None without)
    h = post(h, norm, model.rng)           # in Chainer
    entries = post.entries(layer, norm)    # layers(): the weighted layer's entry, then these

The defaults (relu, no batch norm, no dropout) are the zoo's models as they always were:
the same links, the same checkpoints, the same numbers.
"""
import chainer.links as L

from aezoo.models.kinds.activation import ACTIVATIONS, function
from aezoo.models.kinds.dropout import drop
from aezoo.models.kinds.initializers import nearest
from aezoo.models.layers import describe

HELP = {
    "activation": "activation of the hidden layers: " + ", ".join(ACTIVATIONS),
    "init": "weight initializer (Chainer's): glorot_uniform, glorot_normal, he_uniform, "
            "he_normal, lecun_uniform, lecun_normal, orthogonal",
    "batch_norm": "batch normalization after each hidden layer, before its activation",
    "dropout": "dropout rate after each hidden layer's activation (0: none)",
}


def check(activation, dropout):
    """ValueError for an unknown activation (naming the nearest) or a rate outside [0, 1)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"--activation {activation!r} is unknown{nearest(activation, ACTIVATIONS)}"
                         f"; expected one of {', '.join(ACTIVATIONS)}")
    if not 0 <= dropout < 1:
        raise ValueError(f"--dropout {dropout:g}: expected a rate from 0 up to (not including) 1")


def check_options(options):
    """The knobs of a model's options checked (ValueError), for planning: nothing is built."""
    from aezoo.models.kinds.initializers import initializer
    check(options.get("activation", "relu"), options.get("dropout", 0.0))
    initializer(options.get("init", "glorot_uniform"))


class Template:
    def __init__(self, activation="relu", batch_norm=False, dropout=0.0):
        check(activation, dropout)
        self.activation, self.batch_norm, self.dropout = activation, batch_norm, dropout

    def norm(self, size):
        return L.BatchNormalization(int(size)) if self.batch_norm else None

    def __call__(self, h, norm, rng):
        if norm is not None:
            h = norm(h)
        return drop(function(self.activation)(h), self.dropout, rng)

    def entries(self, entry, norm):
        """`entry` (a weighted layer's, its activation None) and the layers after it."""
        out = [entry]
        if norm is not None:
            out.append(describe("batch_norm", entry["out"], entry["out"], None, norm,
                                eps=float(norm.eps)))
        out[-1]["activation"] = self.activation
        if self.dropout:
            out.append(describe("dropout", entry["out"], entry["out"], rate=self.dropout))
        return out
