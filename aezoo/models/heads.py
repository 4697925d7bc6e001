"""Output heads: how a decoder's raw output becomes a reconstruction, its loss and scores.

A model owns its head, so the training loop knows no sigmoid and no BCE. The
Bernoulli head is the one today's models use; a model of unbounded data (a
GRU on real-valued sequences, say) would bring an identity head with MSE.
"""
import chainer.functions as F


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
    without the log(0) that computing it from s would risk.
    """
    return F.mean(F.softplus(logits) - x * logits)


def mse(logits, x):
    """Per-pixel squared error of the reconstruction."""
    return F.mean(F.square(F.sigmoid(logits) - x))


def squared_error_per_image(logits, x):
    """Sum of squared pixel errors, averaged over the images (the Keras/PCA metric)."""
    return F.sum(F.square(F.sigmoid(logits) - x)) / x.shape[0]
