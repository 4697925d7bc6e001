"""Checkpoint files as the run folder holds them: their names, and their meta record read back.

    checkpoint.npz        the last epoch: weights, optimizer state, RNG, epoch, callback state
    checkpoint-best.npz   the epoch with the best test score so far

Writing a checkpoint and loading weights into a model need Chainer's serializers:
those live in train/serialize.py. Reading which epoch, shape and state a
checkpoint holds needs only numpy, so render, compare, sweeps and resume checks
read it here.
"""
import json
import os
import zipfile
import zlib
from contextlib import contextmanager

import numpy as np

from aezoo.errors import UsageError

FILE = "checkpoint.npz"
BEST = "checkpoint-best.npz"  # the epoch with the lowest test loss so far (train/best.py)
FILES = {"last": FILE, "best": BEST}


def exists(run_dir, which="last"):
    return os.path.exists(os.path.join(run_dir, FILES[which]))


# What a damaged file raises, and when: numpy reads an npz's members lazily, so
# these come from reading a member as much as from opening the file.
DAMAGE = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, zlib.error,
          json.JSONDecodeError)


@contextmanager
def opened(run_dir, which="last"):
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


def meta_of(npz):
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
    """The meta record (epoch, model, arch, rng, state) of the last or best checkpoint."""
    with opened(run_dir, which) as npz:
        return meta_of(npz)


