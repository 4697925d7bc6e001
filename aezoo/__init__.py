"""aezoo: progressive deep-autoencoder experiments on Chainer.

    python -m aezoo.run deep --grow-every 4 --data digits

and, from Python, `aezoo.load(run_dir)` for a trained model and `aezoo.from_keras(path)`
for a Keras GRU autoencoder's weights.
"""
__version__ = "0.2.0"


def load(run_dir, device="cpu", which="last"):
    """The trained model of a run folder, with encode/decode/reconstruct on numpy;
    which="best" gives the epoch with the lowest test loss instead of the last."""
    from aezoo.api import load as _load
    return _load(run_dir, device, which)


def from_keras(path, keras_version=3, device="cpu"):
    """A Keras GRU -> GRU autoencoder from its weights (.npz of enc_kernel, enc_recurrent_kernel,
    enc_bias, dec_kernel, dec_recurrent_kernel, dec_bias): reconstruct(x) == Keras's predict(x)."""
    from aezoo.api import from_keras as _from_keras
    return _from_keras(path, keras_version, device)
