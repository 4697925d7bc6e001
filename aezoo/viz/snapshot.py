"""Per-epoch snapshots: the same test samples every epoch, as arrays and as a quick PNG.

    recon/epoch_0000.npz   inputs, outputs (reconstructions), codes, labels (when the
                           data set has them), kind, view and value range, and targets
                           when the model reconstructs something other than its input
                           (a GRU: the sequence reversed); epoch 0 is untrained; and
                           the latent view's codes of ~1,000 fixed test samples
                           (latent_codes, latent_index, latent_labels; latent.py)
    recon/epoch_0000.png   inputs above outputs, tiled with numpy, written by imageio

Videos, comparisons and later views draw from the arrays, never from the PNG.
Names are zero-padded so they sort in epoch order. Writing both costs a few
milliseconds: no matplotlib here (the titled figures belong to video frames).
"""
import io
import os
import zipfile
import zlib
from statistics import NormalDist

import chainer
import imageio.v3 as iio
import numpy as np

from aezoo.errors import UsageError
from aezoo.record.files import atomic
from aezoo.viz import latent, sequences

FOLDER = "recon"
TARGET_CELL = 56  # pixels an image cell is scaled up to (8x8 digits become 56x56)
GAP = 2           # white pixels between cells


def path(folder, epoch, ext="png"):
    return os.path.join(folder, f"epoch_{epoch:04d}.{ext}")


def fixed_indices(n_test, count, seed=0):
    """The seeded test indices shown every epoch (the same for every run on a data set)."""
    count = min(count, n_test)
    return np.sort(np.random.RandomState(seed).choice(n_test, count, replace=False))


def as_images(batch, kind):
    """Samples as 2-D pictures: images stay; vectors become squares when D is one, else strips."""
    batch = np.asarray(batch)
    if kind == "image":
        return batch
    flat = batch.reshape(len(batch), -1)
    side = int(round(np.sqrt(flat.shape[1])))
    if side * side == flat.shape[1]:
        return flat.reshape(len(batch), side, side)
    return flat.reshape(len(batch), 1, -1)


def tile(rows, value_range=(0.0, 1.0)):
    """Rows of equally sized pictures as one grey array in [0, 1], GAP pixels apart, upscaled.

    Values map to grey over [0, 1], or over the data's range where it leaves [0, 1]
    (outputs beyond it are clipped).
    """
    low, high = value_range
    if low >= 0 and high <= 1:  # data in [0, 1]: one fixed grey scale, never stretched
        low, high = 0.0, 1.0
    h, w = rows[0].shape[1:]
    scale = max(1, TARGET_CELL // max(h, w))
    cell_h, cell_w = h * scale, w * scale
    n = max(len(r) for r in rows)
    grid = np.ones((len(rows) * (cell_h + GAP) - GAP, n * (cell_w + GAP) - GAP), np.float32)
    for r, row in enumerate(rows):
        scaled = np.clip((np.asarray(row, np.float32) - low) / ((high - low) or 1.0), 0, 1)
        big = scaled.repeat(scale, axis=1).repeat(scale, axis=2)  # (n, cell_h, cell_w)
        for c, image in enumerate(big):
            top, left = r * (cell_h + GAP), c * (cell_w + GAP)
            grid[top:top + cell_h, left:left + cell_w] = image
    return grid


def grid(arrays):
    """The picture of a snapshot's arrays (what the PNG shows): inputs above outputs, then the
    samples of a generative model, and beside them its manifold of a 2-D code."""
    return labelled_grid(arrays)[0]


def labelled_grid(arrays, per_row=None, manifold=True):
    """(grid, [(row centre y, label)], [(block centre x, title)]) of a snapshot's arrays:
    the rows on the left, wrapped onto several rows of `per_row` samples when there are
    more; a 2-D code's manifold, when there is one (and `manifold`), to their right."""
    kind, value_range = str(arrays["kind"]), tuple(arrays["value_range"])
    names = [name for name in ("inputs", "targets", "outputs", "samples") if name in arrays]
    if kind == "sequence":
        view = str(arrays["view"])
        pictures = [sequences.pictures(arrays[name], view, value_range) for name in names]
        value_range = (0.0, 1.0)
    else:
        pictures = [as_images(arrays[name], kind) for name in names]
    n = len(pictures[0])
    per_row = min(per_row or n, n)
    rows, labels = [], []
    for start in range(0, n, per_row):  # inputs 1-5, outputs 1-5, inputs 6-10, outputs 6-10
        for name, row in zip(names, pictures):
            rows.append(row[start:start + per_row])
            labels.append(name[:-1])  # "inputs" -> "input"
    left = tile(rows, value_range)
    row = (left.shape[0] + GAP) / len(rows)
    labels = [(row * i + (row - GAP) / 2, name) for i, name in enumerate(labels)]
    if "manifold" not in arrays or not manifold:
        return left, labels, []
    value_range = tuple(arrays["value_range"])
    pictures = as_images(arrays["manifold"], kind)  # (n * n, ...) over a grid of the code
    n = int(round(np.sqrt(len(pictures))))
    right = tile([pictures[i * n:(i + 1) * n] for i in range(n)], value_range)
    space = 8 * GAP
    picture = np.ones((max(left.shape[0], right.shape[0]), left.shape[1] + space + right.shape[1]),
                      np.float32)
    picture[:left.shape[0], :left.shape[1]] = left
    picture[:right.shape[0], left.shape[1] + space:] = right
    return picture, labels, [(left.shape[1] + space + right.shape[1] / 2, "code space (2-D)")]


def thumbnail(arrays, per_row, box):
    """Pixels one sample gets when the grid of `per_row` a row fills a (width, height) box."""
    pixels = labelled_grid(arrays, per_row, manifold=False)[0]
    cell = max(pictures_side(arrays), 1)
    return cell * min(box[0] / pixels.shape[1], box[1] / pixels.shape[0])


def pictures_side(arrays):
    """The width in grid pixels of one sample's cell."""
    pixels = labelled_grid(arrays, 1, manifold=False)[0]
    return pixels.shape[1]


def save(folder, epoch, arrays):
    """epoch_NNNN.npz, then epoch_NNNN.png; each written whole or not at all."""
    buffer = io.BytesIO()  # a full disk fails one plain write, not the zip writer
    np.savez(buffer, **arrays)
    with atomic(path(folder, epoch, "npz"), "wb", sync=False) as f:
        f.write(buffer.getbuffer())
    pixels = (grid(arrays) * 255).round().astype(np.uint8)
    with atomic(path(folder, epoch, "png"), "wb", sync=False) as f:
        iio.imwrite(f, pixels, extension=".png", compress_level=1)  # 1 ms less than the default


REQUIRED = ("inputs", "outputs", "kind", "value_range")


def read(folder, epoch):
    """The arrays of one epoch's snapshot as a dict; a damaged file is a UsageError."""
    file = path(folder, epoch, "npz")
    try:
        with np.load(file, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise UsageError(f"{file} is damaged ({type(e).__name__}: {e})")
    missing = [key for key in REQUIRED if key not in arrays]
    if missing:
        raise UsageError(f"{file} is damaged: it has no {', '.join(missing)}")
    return arrays


def saved_epochs(folder):
    """Epochs with a snapshot's arrays, ascending."""
    if not os.path.isdir(folder):
        return []
    names = [n for n in os.listdir(folder) if n.startswith("epoch_") and n.endswith(".npz")]
    return sorted(int(n[len("epoch_"):-len(".npz")]) for n in names)


class Snapshots:
    """Callback: recon/epoch_NNNN.npz and .png of the fixed test samples after every epoch."""

    def __init__(self, run_dir, dataset, indices, labels=None):
        self.folder = os.path.join(run_dir, FOLDER)
        os.makedirs(self.folder, exist_ok=True)
        self.indices = indices
        self.static = {"inputs": dataset.test[indices], "kind": np.array(dataset.kind),
                       "view": np.array(dataset.view),
                       "value_range": np.array(dataset.value_range, np.float32)}
        if labels is not None:
            self.static["labels"] = np.asarray(labels)
        # The latent view's samples: a seeded order, of which the first latent.count() are
        # kept (decided at the first snapshot, from the code's size, then fixed).
        self.order = np.random.RandomState(latent.SEED).permutation(len(dataset.test))
        self.test_labels, self.kind, self.latent_index = dataset.test_labels, dataset.kind, None

    def __call__(self, trainer):
        model = trainer.model
        x = trainer.test_x[trainer.device.send(self.indices)]
        to_cpu = chainer.backends.cuda.to_cpu
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
            arrays.update(latent.arrays(trainer, model,
                                        trainer.test_x[trainer.device.send(self.latent_index)],
                                        labels, self.latent_index, self.kind))
        save(self.folder, trainer.epoch, arrays)


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
