"""Capturing what a run shows: after every epoch, the model run on fixed test samples.

    arrays = EpochArrays(dataset, indices, labels)(trainer)   # runs/recon.py: what they hold

The one place outside the loop that runs the model for pictures: the seam
(train/tell.py) gives the arrays to the loggers (recon/ keeps them), and viz draws
from the arrays and never sees a model. Uses only the model contract
(encode_decode, encode, decode, head, target, generative).
"""
from statistics import NormalDist

import chainer
import numpy as np

from aezoo.viz import latent

to_cpu = chainer.backends.cuda.to_cpu


def fixed_indices(n_test, count, seed=0):
    """The seeded test indices shown every epoch (the same for every run on a data set)."""
    count = min(count, n_test)
    return np.sort(np.random.RandomState(seed).choice(n_test, count, replace=False))



class EpochArrays:
    """The snapshot's arrays of the fixed test samples, at the epoch just ended."""

    def __init__(self, dataset, indices, labels=None):
        self.indices = indices
        self.static = {"inputs": dataset.test[indices], "kind": np.array(dataset.kind),
                       "view": np.array(dataset.view),
                       "value_range": np.array(dataset.value_range, np.float32)}
        if labels is not None:
            self.static["labels"] = np.asarray(labels)
        if dataset.class_names:  # a folder's class folders: the latent view's legend
            self.static["class_names"] = np.array(dataset.class_names)
        # The latent view's samples: a seeded order, of which the first latent.count() are
        # kept (decided at the first snapshot, from the code's size, then fixed).
        self.order = np.random.RandomState(latent.SEED).permutation(len(dataset.test))
        self.test_labels, self.kind, self.latent_index = dataset.test_labels, dataset.kind, None

    def __call__(self, trainer):
        model = trainer.model
        x = trainer.test_x[trainer.device.send(self.indices)]
        with chainer.using_config("train", False), chainer.no_backprop_mode():
            code, raw = model.encode_decode(x)  # the path training uses, fade-in included
            outputs, target = to_cpu(model.head.output(raw).array), model.target(x)
            arrays = {**self.static, "outputs": outputs, "codes": to_cpu(code.array),
                      "epoch": trainer.epoch}
            if target is not x:  # the model reconstructs something else (a GRU: x reversed)
                arrays["targets"] = to_cpu(target)
                outputs[np.isnan(arrays["targets"])] = np.nan  # padding has no output
            if model.generative:  # the same prior draws every epoch: the video shows them sharpen
                for name, z in prior_codes(code.shape[1], len(self.indices)).items():
                    arrays[name] = to_cpu(model.decode(trainer.device.send(z)).array)
            if self.latent_index is None:
                size = int(np.prod(code.shape[1:]))
                self.latent_index = np.sort(self.order[:latent.count(len(self.order), size)])
            labels = None if self.test_labels is None else self.test_labels[self.latent_index]
            arrays.update(latent_arrays(trainer, model,
                                        trainer.test_x[trainer.device.send(self.latent_index)],
                                        labels, self.latent_index, self.kind))
        return arrays


MANIFOLD = 10  # a 10 x 10 grid over the prior's quantiles when the code is 2-D


def prior_codes(code_dim, count, seed=0):
    """{"samples": `count` seeded draws of z ~ N(0, I)} and, for a 2-D code, "manifold":
    z on a grid over the prior's 5 % to 95 % quantiles (the Keras blog's picture)."""
    codes = {"samples": np.random.RandomState(seed).standard_normal((count, code_dim))
             .astype(np.float32)}
    if code_dim == 2:
        ticks = [NormalDist().inv_cdf(q) for q in np.linspace(0.05, 0.95, MANIFOLD)]
        codes["manifold"] = np.array([[x, y] for y in reversed(ticks) for x in ticks], np.float32)
    return codes


def latent_arrays(trainer, model, x, labels, index, value_kind):
    """The snapshot's latent entries: codes of the fixed samples `x` (device arrays) in
    chunks of latent.CHUNK, their labels and indices; a 2-D code's decoded grid for image data."""
    codes = np.concatenate([to_cpu(model.encode(x[i:i + latent.CHUNK]).array)
                            for i in range(0, len(x), latent.CHUNK)])
    if codes[0].size > latent.WIDE:  # a view needs no more precision; halves a GRU state's bytes
        codes = codes.astype(np.float16)
    found = {"latent_codes": codes, "latent_index": np.asarray(index)}
    if labels is not None:
        found["latent_labels"] = np.asarray(labels)
    if codes.shape[1:] == (2,) and value_kind in ("image", "vector") and not model.generative:
        grid = latent.grid_codes(codes)
        found["manifold_codes"] = grid
        found["manifold"] = to_cpu(model.decode(trainer.device.send(grid)).array)
    return found
