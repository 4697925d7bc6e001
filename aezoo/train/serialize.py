"""Checkpoints: model, optimizer state, RNG state and epoch in one .npz, written atomically.

What Chainer's StandardUpdater.serialize keeps, for a custom loop: weights,
optimizer (update-rule states, step counts), the Generator that shuffles and
draws noise, and the epoch. Also the model's shape (arch), so a run that grew
is rebuilt at its grown size before loading, and `state`, the small JSON
dict in which callbacks keep what they need across a resume.

`contents` copies all that (in the training thread: the arrays change with the
next update); `write` puts it on disk, from the background writer
(train/writer.py) while the next epoch trains. The best checkpoint is the same
bytes under a second name (a hard link), linked before the last one is renamed
into place, so a run killed between the two redoes the epoch and writes both.
"""
import io
import json
import os

import numpy as np
from chainer import serializers

from aezoo.runs.checkpoints import BEST, FILE, meta_of, opened
from aezoo.runs.atomic import atomic


def contents(trainer, version):
    """{name: array} of everything a checkpoint holds, copied: the trainer may go on at once."""
    target = serializers.DictionarySerializer()
    target["model"].save(trainer.model)
    target["optimizer"].save(trainer.optimizer)
    meta = {"epoch": trainer.epoch, "model": type(trainer.model).__name__, "arch": trainer.model.arch(),
            "rng": trainer.rng.bit_generator.state, "state": trainer.state.to_json(),
            "aezoo_version": version}
    # DictionarySerializer keeps references to the live arrays (CuPy's are copied by .get())
    arrays = {key: np.array(value, copy=True) for key, value in target.target.items()}
    return {"meta": np.array(json.dumps(meta)), **arrays}


def write(run_dir, arrays, best=False):
    """checkpoint.npz from `contents`; with `best`, checkpoint-best.npz is the same bytes."""
    buffer = io.BytesIO()  # built in memory: a full disk fails one plain write, not the zip
    np.savez(buffer, **arrays)
    links = [os.path.join(run_dir, BEST)] if best else []
    with atomic(os.path.join(run_dir, FILE), "wb", links=links) as f:
        f.write(buffer.getbuffer())


def save(run_dir, trainer, version, best=False):
    """Write the checkpoint now, in this thread."""
    write(run_dir, contents(trainer, version), best)


class Renamed:
    """The arrays of a checkpoint, read by today's parameter names: a name missing from the
    file is looked up by the one an older aezoo saved it under (the model's `renamed`)."""

    def __init__(self, npz, renamed):
        self.npz, self.renamed = npz, renamed

    def _key(self, key):
        if key in self.npz:
            return key
        part, _, rest = key.partition("/")  # "model/..." or "optimizer/..."
        for now, before in self.renamed.items():
            if rest.startswith(now) and f"{part}/{before}{rest[len(now):]}" in self.npz:
                return f"{part}/{before}{rest[len(now):]}"
        return key

    def __contains__(self, key):
        return self._key(key) in self.npz

    def __getitem__(self, key):
        return self.npz[self._key(key)]


def load(run_dir, model, optimizer=None, rng=None, which="last"):
    """Load weights (and optimizer and RNG state when given); returns the meta dict."""
    with opened(run_dir, which) as opened_npz:
        meta = meta_of(opened_npz)
        npz = Renamed(opened_npz, model.renamed)
        serializers.NpzDeserializer(npz, path="model/").load(model)
        if optimizer is not None:
            # Not strict: a rule that never stepped (epoch 0, a frozen layer) saved no moments.
            serializers.NpzDeserializer(npz, path="optimizer/", strict=False).load(optimizer)
        if rng is not None:
            rng.bit_generator.state = meta["rng"]
    return meta
