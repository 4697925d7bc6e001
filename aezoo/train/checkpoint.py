"""Checkpoints: model, optimizer state, RNG state and epoch in one .npz, written atomically.

What Chainer's StandardUpdater.serialize keeps, for a custom loop: weights,
optimizer (update-rule states, step counts), the Generator that shuffles and
draws noise, and the epoch. Also the model's shape (arch), so a run that grew
is rebuilt at its grown size before loading, and `state`, the small JSON
dict in which callbacks keep what they need across a resume.
"""
import io
import json
import os
import zipfile
import zlib
from contextlib import contextmanager

import numpy as np
from chainer import serializers

from aezoo.errors import UsageError
from aezoo.record.files import atomic

FILE = "checkpoint.npz"
BEST = "checkpoint-best.npz"  # the epoch with the lowest test loss so far (train/best.py)
FILES = {"last": FILE, "best": BEST}


def save(run_dir, trainer, version, name=FILE):
    target = serializers.DictionarySerializer()
    target["model"].save(trainer.model)
    target["optimizer"].save(trainer.optimizer)
    meta = {"epoch": trainer.epoch, "model": type(trainer.model).__name__, "arch": trainer.model.arch(),
            "rng": trainer.rng.bit_generator.state, "state": trainer.state,
            "aezoo_version": version}
    buffer = io.BytesIO()  # built in memory: a full disk fails one plain write, not the zip
    np.savez(buffer, meta=np.array(json.dumps(meta)), **target.target)
    with atomic(os.path.join(run_dir, name), "wb") as f:
        f.write(buffer.getbuffer())


# What a damaged file raises, and when: numpy reads an npz's members lazily, so
# these come from reading a member as much as from opening the file.
DAMAGE = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, zlib.error,
          json.JSONDecodeError)


@contextmanager
def _open(run_dir, which="last"):
    """The checkpoint as an NpzFile; any damage, on opening or reading, is a UsageError."""
    if which not in FILES:
        raise UsageError(f"which={which!r}: expected {' or '.join(FILES)}")
    path = os.path.join(run_dir, FILES[which])
    if not os.path.exists(path):
        raise UsageError(f"{run_dir} has no {FILES[which]}")
    try:
        with zipfile.ZipFile(path) as archive:  # numpy reads members without checking their CRC
            bad = archive.testzip()
        if bad:
            raise ValueError(f"{bad} fails its checksum")
        with np.load(path, allow_pickle=False) as npz:
            yield npz
    except UsageError:
        raise
    except DAMAGE as e:
        raise UsageError(f"{path} is damaged ({type(e).__name__}: {e}); it cannot be resumed "
                         f"or loaded")


def _meta(npz):
    meta = json.loads(str(npz["meta"]))
    if not (isinstance(meta, dict) and isinstance(meta.get("epoch"), int)
            and isinstance(meta.get("arch"), dict) and isinstance(meta.get("state"), dict)
            and isinstance(meta.get("rng"), dict)):
        raise ValueError("its meta record lacks the epoch, shape, RNG or callback state")
    return meta


def check_model(meta, cls, run_dir):
    """The checkpoint must hold the model class that config.json names."""
    if meta.get("model", cls.__name__) != cls.__name__:
        raise UsageError(f"{run_dir}: its checkpoint holds a {meta['model']}, but config.json "
                         f"names a {cls.__name__}; config.json and the checkpoint disagree")


def read_meta(run_dir, which="last"):
    with _open(run_dir, which) as npz:
        return _meta(npz)


def load(run_dir, model, optimizer=None, rng=None, which="last"):
    """Load weights (and optimizer and RNG state when given); returns the meta dict."""
    with _open(run_dir, which) as npz:
        meta = _meta(npz)
        serializers.NpzDeserializer(npz, path="model/").load(model)
        if optimizer is not None:
            # Not strict: a rule that never stepped (epoch 0, a frozen layer) saved no moments.
            serializers.NpzDeserializer(npz, path="optimizer/", strict=False).load(optimizer)
        if rng is not None:
            rng.bit_generator.state = meta["rng"]
    return meta
