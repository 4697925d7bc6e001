"""Reconstruction losses on logits; sigmoid(logits) is the reconstruction."""
import chainer.functions as F


def bce(logits, x):
    """Per-pixel binary cross-entropy of sigmoid(logits) against x in [0, 1].

    softplus(a) - x*a is -x*log(s) - (1-x)*log(1-s) for s = sigmoid(a),
    without the log(0) that computing it from s would risk.
    """
    return F.mean(F.softplus(logits) - x * logits)


def mse(logits, x):
    """Per-pixel squared error of the reconstruction."""
    return F.mean(F.square(F.sigmoid(logits) - x))


LOSSES = {"bce": bce, "mse": mse}


def squared_error_per_image(logits, x):
    """Sum of squared pixel errors, averaged over the images (the Keras/PCA metric)."""
    return F.sum(F.square(F.sigmoid(logits) - x)) / x.shape[0]
