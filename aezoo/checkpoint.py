"""Checkpoints: model, optimizer state, RNG state and epoch in one .npz, written atomically.

What Chainer's StandardUpdater.serialize keeps, for a custom loop: weights,
optimizer (update-rule states, step counts), the Generator that shuffles and
draws noise, and the epoch. The model's shape (arch) is saved too, so a run
that grew is rebuilt at its grown size before loading.
"""
import json
import os

import numpy as np
from chainer import serializers

FILE = "checkpoint.npz"


def save(run_dir, model, optimizer, rng, epoch, version):
    target = serializers.DictionarySerializer()
    target["model"].save(model)
    target["optimizer"].save(optimizer)
    meta = {"epoch": epoch, "arch": model.arch(), "rng": rng.bit_generator.state,
            "aezoo_version": version}
    path = os.path.join(run_dir, FILE)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **target.target)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)  # a crash leaves the old checkpoint or the new, never half of one


def read_meta(run_dir):
    with np.load(os.path.join(run_dir, FILE)) as npz:
        return json.loads(str(npz["meta"]))


def load(run_dir, model, optimizer=None, rng=None):
    """Load weights (and optimizer and RNG state when given); returns the meta dict."""
    with np.load(os.path.join(run_dir, FILE)) as npz:
        meta = json.loads(str(npz["meta"]))
        serializers.NpzDeserializer(npz, path="model/").load(model)
        if optimizer is not None:
            serializers.NpzDeserializer(npz, path="optimizer/").load(optimizer)
    if rng is not None:
        rng.bit_generator.state = meta["rng"]
    return meta


class Checkpointer:
    """Callback: a checkpoint at the end of every epoch."""

    def __init__(self, run_dir, version):
        self.run_dir, self.version = run_dir, version

    def __call__(self, trainer):
        save(self.run_dir, trainer.model, trainer.optimizer, trainer.rng, trainer.epoch, self.version)
