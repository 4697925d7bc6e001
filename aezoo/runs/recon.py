"""recon/epoch_NNNN.npz and .png: the per-epoch arrays every picture is drawn from.

    inputs, outputs (reconstructions), codes, labels (when the data set has them), kind,
    view and value range, and targets when the model reconstructs something other than
    its input (a GRU: the sequence reversed); epoch 0 is untrained; the latent view's
    codes of ~1,000 fixed test samples (latent_codes, latent_index, latent_labels, and
    class_names when the labels have names: a folder's classes); a
    generative model's prior samples (and, for a 2-D code, its manifold).

Training captures the arrays (train/capture.py) and viz turns them into pixels;
this module only writes and reads the files. Names are zero-padded so they sort in
epoch order. The PNG beside each .npz is a quick look: pictures read the arrays.
"""
import io
import os
import zipfile
import zlib

import imageio.v3 as iio
import numpy as np

from aezoo.errors import UsageError
from aezoo.runs.atomic import atomic

FOLDER = "recon"
REQUIRED = ("inputs", "outputs", "kind", "value_range")


def path(folder, epoch, ext="png"):
    return os.path.join(folder, f"epoch_{epoch:04d}.{ext}")


def save(folder, epoch, arrays, picture):
    """epoch_NNNN.npz, then epoch_NNNN.png of `picture` (grey in [0, 1]); each whole or not at all."""
    buffer = io.BytesIO()  # a full disk fails one plain write, not the zip writer
    np.savez(buffer, **arrays)
    with atomic(path(folder, epoch, "npz"), "wb", sync=False) as f:
        f.write(buffer.getbuffer())
    pixels = (picture * 255).round().astype(np.uint8)
    with atomic(path(folder, epoch, "png"), "wb", sync=False) as f:
        iio.imwrite(f, pixels, extension=".png", compress_level=1)  # 1 ms less than the default


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
