"""Pixels: uint8 images (usually a memory-mapped cache) read as float32 a slice at a time.

    raw = np.load("cache.npy", mmap_mode="r")   # (N, H, W) or (N, H, W, 3) uint8
    train = Pixels(raw, rows)                    # the split's rows of it, nothing read yet
    x = train[indices]                           # float32 in [0, 1], only those rows read

A training split larger than memory as float32 still trains: the loop takes a batch's
rows and converts them (train/loop.py), and nothing else reads the whole split at once
except np.asarray(pixels), which the PCA baseline does (docs/data.md says so).
"""
import numpy as np

CHUNK = 4096  # samples a whole-split pass (range, fingerprint) converts at a time


class Pixels:
    dtype = np.dtype(np.float32)

    def __init__(self, raw, rows=None):
        self.raw = raw  # uint8, kept as it is (a memmap stays a memmap)
        self.rows = np.arange(len(raw)) if rows is None else np.asarray(rows)

    @property
    def shape(self):
        return (len(self.rows),) + tuple(self.raw.shape[1:])

    @property
    def ndim(self):
        return self.raw.ndim

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        """float32 in [0, 1] as read_idx gives: (x / 255) rounded the same way."""
        return np.asarray(self.raw[self.rows[index]]).astype(np.float32) / 255.0

    def __array__(self, dtype=None, copy=None):
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype)

    def chunks(self):
        for start in range(0, len(self), CHUNK):
            yield self[start:start + CHUNK]


def chunks(array):
    """Float32 slices of `array` (an ndarray or Pixels), CHUNK samples at a time."""
    if isinstance(array, Pixels):
        return array.chunks()
    return (array[start:start + CHUNK] for start in range(0, len(array), CHUNK))
