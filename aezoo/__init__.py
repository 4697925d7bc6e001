"""aezoo: progressive deep-autoencoder experiments on Chainer.

    python -m aezoo.run deep --grow-every 4 --data digits

and, from Python, `aezoo.load(run_dir)` for a trained model.
"""
__version__ = "0.2.0"


def load(run_dir, device="cpu", which="last"):
    """The trained model of a run folder, with encode/decode/reconstruct on numpy;
    which="best" gives the epoch with the lowest test loss instead of the last."""
    from aezoo.api import load as _load
    return _load(run_dir, device, which)
