"""Weights of a trained Keras GRU -> GRU model, brought into aezoo's gru (keras mode).

The file is an .npz of what Keras's layer.get_weights() returns (docs/sequences.md shows the
four lines that write it): enc_kernel, enc_recurrent_kernel, enc_bias, dec_kernel,
dec_recurrent_kernel, dec_bias. The bias's shape says reset_after ((2, 3u): True).
"""
import os

import numpy as np

from aezoo.config import flag
from aezoo.data.formats import read_npz
from aezoo.errors import UsageError
from aezoo.models import reset_after_of

NAMES = tuple(f"{part}_{name}" for part in ("enc", "dec")
              for name in ("kernel", "recurrent_kernel", "bias"))


def read(path, where="--keras-weights "):
    """{name: float32 array} of a Keras weights file, checked for the six arrays, their shapes
    and their values; `where` prefixes the error (the API passes "")."""
    if not isinstance(path, (str, os.PathLike)):
        raise UsageError(f"{where}{path!r}: expected the path of an .npz file")
    arrays = read_npz(path, where)
    missing = [name for name in NAMES if name not in arrays]
    if missing:
        raise UsageError(f"{where}{path}: no {', '.join(missing)} (expected "
                         f"{', '.join(NAMES)})")
    ranks = {"kernel": (2,), "recurrent_kernel": (2,), "bias": (1, 2)}
    for name in NAMES:
        array = arrays[name]
        if (array.dtype.kind not in "fiu" or array.ndim not in ranks[name.split("_", 1)[1]]
                or array.shape[-1] < 3 or array.shape[-1] % 3 or 0 in array.shape):
            raise UsageError(f"{where}{path}: {name} has shape {array.shape} and dtype "
                             f"{array.dtype}; expected numbers as a Keras GRU's get_weights() "
                             f"gives them (last axis 3 x units, no empty axis)")
        # Checked here, not found later as a run that "diverged" at its first epoch.
        if not np.isfinite(array).all():
            raise UsageError(f"{where}{path}: {name} holds NaN or infinite values")
    return {name: np.asarray(arrays[name], np.float32) for name in NAMES}


def shape_of(arrays):
    """(features D, hidden units, reset_after) that the weights imply."""
    return (arrays["enc_kernel"].shape[0], arrays["enc_kernel"].shape[-1] // 3,
            reset_after_of(arrays["enc_bias"]))


def fit_config(cfg, given, arrays, dataset):
    """cfg given the shape of the Keras model (a gru in keras mode, on data of its width);
    a UsageError where the user or the data asks otherwise. Only a FromKeras model gets
    here: build.resolve refuses --keras-weights for the others."""
    path = cfg.keras_weights
    features, units, reset_after = shape_of(arrays)
    wanted = {"mode": "keras", "hidden": [units], "reset_after": reset_after}
    for name, value in wanted.items():
        if name in given and getattr(cfg, name) != value:
            raise UsageError(f"{flag(name)} {getattr(cfg, name)}: --keras-weights {path} holds "
                             f"a model with {name} = {value}")
        setattr(cfg, name, value)
    if dataset.shape[-1] != features:
        raise UsageError(f"--keras-weights {path}: the model reads {features} values a step, "
                         f"--data {cfg.data} has {dataset.shape[-1]}")
    return cfg


def prepare(cfg, given, dataset):
    """The arrays of cfg's --keras-weights, with cfg fitted to their shape; None without it."""
    if not cfg.keras_weights:
        return None
    arrays = read(cfg.keras_weights)
    fit_config(cfg, given, arrays, dataset)
    return arrays


def load(model, arrays, path, where="--keras-weights "):
    try:
        model.load_keras(arrays)
    except (ValueError, AttributeError) as e:
        raise UsageError(f"{where}{path}: {e}")
    return model
