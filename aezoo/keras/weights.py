"""Weights of a trained Keras model, brought into the aezoo model that declares FromKeras.

The file is an .npz of what Keras's layer.get_weights() returns (docs/sequences.md shows the
lines that write it). The model's class says which arrays it holds (keras_arrays) and what
their shapes imply (keras_shape: for the recurrent models, the cell, the units and a GRU's
reset_after); nothing here knows a particular model.
"""
import os

import numpy as np

from aezoo.config import flag
from aezoo.data.formats import read_npz
from aezoo.errors import UsageError


def read(path, cls, where="--keras-weights "):
    """{name: float32 array} of a Keras weights file for model class `cls` (a FromKeras),
    checked for its arrays, their shapes and their values; `where` prefixes the error (the
    API passes "")."""
    if not isinstance(path, (str, os.PathLike)):
        raise UsageError(f"{where}{path!r}: expected the path of an .npz file")
    arrays = read_npz(path, where)
    names = cls.keras_arrays
    missing = [name for name in names if name not in arrays]
    if missing:
        raise UsageError(f"{where}{path}: no {', '.join(missing)} (expected "
                         f"{', '.join(names)})")
    for name in names:
        array = arrays[name]
        if array.dtype.kind not in "fiu" or not 1 <= array.ndim <= 2 or 0 in array.shape:
            raise UsageError(f"{where}{path}: {name} has shape {array.shape} and dtype "
                             f"{array.dtype}; expected numbers as Keras's get_weights() "
                             f"gives them (no empty axis)")
        # Checked here, not found later as a run that "diverged" at its first epoch.
        if not np.isfinite(array).all():
            raise UsageError(f"{where}{path}: {name} holds NaN or infinite values")
    arrays = {name: np.asarray(arrays[name], np.float32) for name in names}
    shape_of(arrays, cls, path, where)
    return arrays


def shape_of(arrays, cls, path, where="--keras-weights "):
    """({option: value} the weights imply, values a step), or one line naming the file."""
    try:
        return cls.keras_shape(arrays)
    except ValueError as e:
        raise UsageError(f"{where}{path}: {e}")


def fit_config(cfg, given, arrays, dataset, cls):
    """cfg given the shape of the Keras model, on data of its width; a UsageError where the
    user or the data asks otherwise. Only a FromKeras model gets here: build.resolve refuses
    --keras-weights for the others."""
    path = cfg.keras_weights
    wanted, features = shape_of(arrays, cls, path)
    for name, value in wanted.items():
        if name in given and getattr(cfg, name) != value:
            shown = ",".join(map(str, value)) if isinstance(value, list) else value
            raise UsageError(f"{flag(name)} {getattr(cfg, name)}: --keras-weights {path} holds "
                             f"a model with {name} = {shown}")
        setattr(cfg, name, value)
    if dataset.shape[-1] != features:
        raise UsageError(f"--keras-weights {path}: the model reads {features} values a step, "
                         f"--data {cfg.data} has {dataset.shape[-1]}")
    return cfg


def prepare(cfg, given, dataset, cls):
    """The arrays of cfg's --keras-weights, with cfg fitted to their shape; None without it."""
    if not cfg.keras_weights:
        return None
    arrays = read(cfg.keras_weights, cls)
    fit_config(cfg, given, arrays, dataset, cls)
    return arrays


def load(model, arrays, path, where="--keras-weights "):
    try:
        model.load_keras(arrays)
    except (ValueError, AttributeError) as e:
        raise UsageError(f"{where}{path}: {e}")
    return model
