"""Identity initialization of a new layer pair (Net2Net-style), for every model that grows.

    w_enc, b_enc, w_dec, b_dec = pca_pair(code, width, rng)   # code: (N, old) numpy
    pass_through(norm, units)                                 # a batch norm that gives back units

The pair starts as the best rank-`width` pass-through of the old code: encoder rows are the
code's top principal directions, shifted so every unit is positive on the sample (a ReLU
passes it on), and the decoder undoes both. A batch norm after a new layer gets running
statistics from the sample and gamma, beta undoing them, so in evaluation it passes its
input through. Which activations keep the function: docs/layers.md.
"""
import chainer
import numpy as np

from aezoo.models.layers import glorot_uniform


def pca_pair(code, width, rng):
    """(w_enc, b_enc, w_dec, b_dec) float32 for a pair old -> width -> old on `code`."""
    mean = code.mean(axis=0)
    _, _, vt = np.linalg.svd(code - mean, full_matrices=False)
    k = min(width, vt.shape[0])
    # Encoder rows: the top-k principal directions, then (when the new layer is
    # wider than the code allows) random rows whose decoder columns start at
    # zero: the function is unchanged, and they still get gradients.
    w_enc = np.concatenate([vt[:k], glorot_uniform(rng, width - k, code.shape[1])])
    w_dec = np.zeros((code.shape[1], width))
    w_dec[:, :k] = vt[:k].T
    projected = (code - mean) @ w_enc.T
    # A shift keeps every unit positive on the sample, so the ReLU passes it on.
    shift = np.maximum(-projected.min(axis=0), 0) + projected.std(axis=0) + 1e-3
    b_enc = shift - w_enc @ mean
    b_dec = mean - w_dec @ shift
    return tuple(a.astype(np.float32) for a in (w_enc, b_enc, w_dec, b_dec))


def pass_through(norm, units):
    """Set batch norm `norm` so that, in evaluation, it gives back `units` (a Variable)."""
    u = chainer.backends.cuda.to_cpu(units.array)
    mean, var = u.mean(axis=0), u.var(axis=0)
    for name, value in (("avg_mean", mean), ("avg_var", var), ("beta", mean),
                        ("gamma", np.sqrt(var + norm.eps))):
        target = getattr(norm, name)
        target = target.array if isinstance(target, chainer.Variable) else target
        target[...] = norm.xp.asarray(value, target.dtype)
