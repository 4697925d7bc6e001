"""Capturing what a run shows: after every epoch, the model run on fixed test samples.

    arrays = EpochArrays(dataset, indices, labels)(trainer)   # runs/recon.py: what they hold

The codes and reconstructions come from the epoch's evaluation (Kept: the loop's
evaluate() and the model's forward fill it), so the snapshot pays no second pass;
otherwise it runs the model itself. The one place that makes arrays for pictures: the seam
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



class Kept:
    """The evaluation's codes and raw outputs of the test rows a snapshot shows, so that the
    snapshot need not run the model on them again: the loop's evaluate() opens it, says
    which rows each batch covers, and the model's forward, in evaluation mode, hands over
    that batch's (code, raw output) (models/base.py: `kept`)."""

    def __init__(self, rows):
        self.rows = np.asarray(rows)  # sorted, unique
        self.epoch = self.signature = None

    def begin(self):
        self.epoch, self.codes, self.raws, self.span = None, [], [], None

    def batch(self, start, n):
        """The next forward covers the test rows start to start + n."""
        self.span = (start, n)

    def take(self, code, raw):
        """One forward's (code, raw output) Variables; the first call of a batch counts
        (a denoising model also encodes a corrupted copy after it)."""
        if self.span is None:
            return
        start, n = self.span
        lo, hi = np.searchsorted(self.rows, [start, start + n])
        local = chainer.backend.get_array_module(code.array).asarray(self.rows[lo:hi] - start)
        self.codes.append(to_cpu(code.array[local]))
        self.raws.append(to_cpu(raw.array[local]))
        self.span = None

    def end(self, epoch, model):
        if sum(len(c) for c in self.codes) == len(self.rows):  # every row seen
            self.codes, self.raws = np.concatenate(self.codes), np.concatenate(self.raws)
            self.epoch, self.signature = epoch, signature(model)

    def get(self, epoch, model, rows):
        """(codes, raw outputs) of `rows` from this epoch's evaluation, or None when it did
        not see them or the model has changed since (grown at the epoch's end)."""
        if self.epoch != epoch or self.signature != signature(model):
            return None
        at = np.searchsorted(self.rows, rows)
        return self.codes[at], self.raws[at]


def signature(model):
    """What changes when a callback changes the model: its parameters (a grown pair's are
    new) and its layers' description (a growing model's depth and fade)."""
    return tuple(id(p) for p in model.params()), repr(model.layers())


class EpochArrays:
    """The snapshot's arrays of the fixed test samples, at the epoch just ended: the codes
    and reconstructions from the epoch's evaluation (Kept) when it saw them, otherwise (the
    first snapshot, a distributed run's evaluation in shares) from a pass of their own."""

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
        model, send = trainer.model, trainer.device.send
        x = trainer.test_x[send(self.indices)]
        kept = trainer.kept
        got = kept and kept.get(trainer.epoch, model, self.indices)
        with chainer.using_config("train", False), chainer.no_backprop_mode():
            if got:
                code, raw = got
            else:
                code, raw = model.encode_decode(x)  # the path training uses, fade-in included
                code, raw = to_cpu(code.array), raw.array
            outputs = to_cpu(chainer.as_array(model.head.output(raw)))
            target = model.target(x)
            arrays = {**self.static, "outputs": outputs, "codes": code, "epoch": trainer.epoch}
            if target is not x:  # the model reconstructs something else (a GRU: x reversed)
                arrays["targets"] = to_cpu(target)
                outputs[np.isnan(arrays["targets"])] = np.nan  # padding has no output
            if model.generative:  # the same prior draws every epoch: the video shows them sharpen
                for name, z in prior_codes(code.shape[1], len(self.indices)).items():
                    arrays[name] = to_cpu(model.decode(send(z)).array)
            if self.latent_index is None:
                size = int(np.prod(code.shape[1:]))
                self.latent_index = np.sort(self.order[:latent.count(len(self.order), size)])
                if trainer.cluster is None:  # a rank evaluates a share only
                    # the next evaluations keep the rows shown
                    trainer.kept = Kept(np.union1d(self.indices, self.latent_index))
            got = kept and kept.get(trainer.epoch, model, self.latent_index)
            codes = got[0] if got else encoded(model, trainer.test_x[send(self.latent_index)])
            labels = None if self.test_labels is None else self.test_labels[self.latent_index]
            arrays.update(latent_arrays(trainer, model, codes, labels, self.latent_index,
                                        self.kind))
        return arrays


def encoded(model, x):
    """The codes of the samples `x` (device arrays), in chunks of latent.CHUNK."""
    return np.concatenate([to_cpu(model.encode(x[i:i + latent.CHUNK]).array)
                           for i in range(0, len(x), latent.CHUNK)])


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


def latent_arrays(trainer, model, codes, labels, index, value_kind):
    """The snapshot's latent entries: the codes of the fixed samples, their labels and
    indices; a 2-D code's decoded grid for image data."""
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
