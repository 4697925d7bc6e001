"""Output heads: how a decoder's raw output becomes a reconstruction, its loss and scores.

A model owns its head, so the training loop knows no sigmoid and no BCE. The
Bernoulli head serves the image models; Identity (MSE) serves models of
unbounded data, the GRU on real-valued sequences.
"""
import chainer
import chainer.functions as F

from aezoo.models import bce_kernel, fast


class Bernoulli:
    """sigmoid(a) is the reconstruction; the data must lie in [0, 1]."""

    needs_unit_range = True
    losses = ("bce", "mse")
    primary = "bce"  # the score that growth jumps and run summaries speak of

    def __init__(self, loss="bce"):
        if loss not in self.losses:
            raise ValueError(f"loss {loss!r}: this model's sigmoid output takes "
                             f"{' or '.join(self.losses)}")
        self.loss_name = loss

    def output(self, logits):
        return F.sigmoid(logits)

    def loss(self, logits, x):
        return bce(logits, x) if self.loss_name == "bce" else mse(logits, x)

    def scores(self, logits, x):
        """What every evaluation reports, whatever the training loss."""
        return {"bce": bce(logits, x), "mse": mse(logits, x),
                "sqerr": squared_error_per_image(logits, x)}


def bce(logits, x):
    """Per-pixel binary cross-entropy of sigmoid(logits) against x in [0, 1].

    softplus(a) - x*a is -x*log(s) - (1-x)*log(1-s) for s = sigmoid(a),
    without the log(0) that computing it from s would risk. On the CPU one numba pass
    (bce_kernel.py).
    """
    a, target = (v.array if isinstance(v, chainer.Variable) else v for v in (logits, x))
    if fast.on("bce") and bce_kernel.fits(a, target):
        return bce_kernel.sigmoid_bce(logits, x)
    return F.mean(F.softplus(logits) - x * logits)


def mse(logits, x):
    """Per-pixel squared error of the reconstruction."""
    return F.mean(F.square(F.sigmoid(logits) - x))


def squared_error_per_image(logits, x):
    """Sum of squared pixel errors, averaged over the images (the Keras/PCA metric)."""
    return F.sum(F.square(F.sigmoid(logits) - x)) / x.shape[0]


class Identity:
    """The decoder's output is the reconstruction, any real values; mean squared error.

    Targets may hold NaN on the padded steps of variable-length sequences: those
    entries count in no loss and no score.
    """

    needs_unit_range = False
    losses = ("mse",)
    primary = "mse"

    def __init__(self, loss="mse"):
        if loss not in self.losses:
            raise ValueError(f"loss {loss!r}: this model's unbounded output takes mse only")
        self.loss_name = loss

    def output(self, raw):
        return raw

    def loss(self, raw, target):
        return masked_squares(raw, target)[0]

    def scores(self, raw, target):
        """mse per value, and sqerr: a sample's summed squared error, averaged over samples."""
        mean, total = masked_squares(raw, target)
        return {"mse": mean, "sqerr": total / target.shape[0]}


def masked_squares(raw, target):
    """(mean, sum) of the squared errors over the target's real (non-NaN) entries."""
    xp = chainer.backend.get_array_module(target)
    real = ~xp.isnan(target)
    if real.all():
        squares = F.square(raw - target)
        return F.mean(squares), F.sum(squares)
    squares = F.square(F.where(real, raw - xp.nan_to_num(target), xp.zeros_like(target)))
    total = F.sum(squares)
    return total / max(int(real.sum()), 1), total
