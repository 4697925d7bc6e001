"""Checkpoints: model, optimizer state, RNG state and epoch in one .npz, written atomically.

What Chainer's StandardUpdater.serialize keeps, for a custom loop: weights,
optimizer (update-rule states, step counts), the Generator that shuffles and
draws noise, and the epoch. Also the model's shape (arch), so a run that grew
is rebuilt at its grown size before loading, and `state`, the small JSON
dict in which callbacks keep what they need across a resume.
"""
import json
import os
import zipfile

import numpy as np
from chainer import serializers

from aezoo.errors import UsageError
from aezoo.record.files import atomic

FILE = "checkpoint.npz"


def save(run_dir, trainer, version):
    target = serializers.DictionarySerializer()
    target["model"].save(trainer.model)
    target["optimizer"].save(trainer.optimizer)
    meta = {"epoch": trainer.epoch, "arch": trainer.model.arch(),
            "rng": trainer.rng.bit_generator.state, "state": trainer.state,
            "aezoo_version": version}
    with atomic(os.path.join(run_dir, FILE), "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **target.target)


def _open(run_dir):
    path = os.path.join(run_dir, FILE)
    try:
        return np.load(path)
    except FileNotFoundError:
        raise UsageError(f"{run_dir} has no {FILE}")
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise UsageError(f"{path} is damaged ({e}); it cannot be resumed or loaded")


def read_meta(run_dir):
    with _open(run_dir) as npz:
        return json.loads(str(npz["meta"]))


def load(run_dir, model, optimizer=None, rng=None):
    """Load weights (and optimizer and RNG state when given); returns the meta dict."""
    with _open(run_dir) as npz:
        meta = json.loads(str(npz["meta"]))
        serializers.NpzDeserializer(npz, path="model/").load(model)
        if optimizer is not None:
            # Not strict: a rule that never stepped (epoch 0, a frozen layer) saved no moments.
            serializers.NpzDeserializer(npz, path="optimizer/", strict=False).load(optimizer)
    if rng is not None:
        rng.bit_generator.state = meta["rng"]
    return meta
