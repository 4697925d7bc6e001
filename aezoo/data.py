"""Data sets as float32 arrays in [0, 1]: (N, H, W) images or (N, D) vectors.

    digits          8x8 handwritten digits bundled with scikit-learn (offline)
    mnist           28x28, downloaded once into the cache, or read from --data-dir
    fashion-mnist   same, Zalando's clothes
    idx:PATH        any IDX image file; its last --test-fraction is the test split
    npy:PATH        any (N, H, W) or (N, D) numpy array, same split

Sequences (N, T, D) will come through the same Dataset type.
"""
import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass

import numpy as np

from aezoo.config import UsageError
from aezoo.download import fetch

DIGITS_SPLIT_SEED = 0  # the digits split never changes, whatever --seed says


@dataclass
class Dataset:
    name: str
    train: np.ndarray  # (N, *shape) float32 in [0, 1]
    test: np.ndarray

    @property
    def shape(self):
        return tuple(self.train.shape[1:])

    def describe(self):
        return dict(name=self.name, shape=list(self.shape),
                    n_train=len(self.train), n_test=len(self.test))


def load(spec, data_dir=None, test_fraction=0.2):
    """The Dataset named by `spec` (see the module docstring)."""
    if spec == "digits":
        return _digits()
    if spec in IDX_SETS:
        return _idx_set(spec, data_dir)
    kind, _, path = spec.partition(":")
    if kind == "idx" and path:
        return _split(spec, read_idx(path), test_fraction)
    if kind == "npy" and path:
        return _split(spec, read_npy(path), test_fraction)
    raise UsageError(f"--data {spec!r}: expected digits, mnist, fashion-mnist, idx:PATH or npy:PATH")


def _digits():
    from sklearn.datasets import load_digits
    images = load_digits().images.astype(np.float32) / 16.0  # (1797, 8, 8), 0..16
    order = np.random.RandomState(DIGITS_SPLIT_SEED).permutation(len(images))
    n_test = len(images) // 5
    return Dataset("digits", images[order[n_test:]], images[order[:n_test]])


def _split(name, images, test_fraction):
    n_test = int(round(len(images) * test_fraction))
    if n_test < 1 or n_test >= len(images):
        raise UsageError(f"--data {name}: {len(images)} samples cannot be split with "
                         f"--test-fraction {test_fraction}")
    return Dataset(name, images[:-n_test], images[-n_test:])


# name -> (mirrors, {split: (file name, md5 of the .gz)})
IDX_SETS = {
    "mnist": (
        ["https://ossci-datasets.s3.amazonaws.com/mnist/",
         "https://storage.googleapis.com/cvdf-datasets/mnist/"],
        {"train": ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
         "test": ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3")}),
    "fashion-mnist": (
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        {"train": ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
         "test": ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79")}),
}


def cache_dir():
    """Where downloads live: $AEZOO_CACHE, else $XDG_CACHE_HOME/aezoo, else ~/.cache/aezoo."""
    if os.environ.get("AEZOO_CACHE"):
        return os.environ["AEZOO_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "aezoo")


def _idx_set(name, data_dir):
    mirrors, files = IDX_SETS[name]
    arrays = {}
    for split, (filename, md5) in files.items():
        if data_dir:
            path = _find_in_dir(data_dir, filename)
            _check_md5sums(data_dir, path)
        else:
            path = os.path.join(cache_dir(), name, filename)
            if not os.path.exists(path):
                fetch([m + filename for m in mirrors], path, md5, hint=(
                    f"--data {name} needs {filename}: use --data digits (bundled, offline) "
                    f"or --data-dir DIR holding the IDX files"))
            elif md5_of(path) != md5:
                raise UsageError(f"{path}: checksum mismatch (expected MD5 {md5}); "
                                 f"delete it to download again")
        arrays[split] = read_idx(path)
    return Dataset(name, arrays["train"], arrays["test"])


def _find_in_dir(data_dir, filename):
    for candidate in (filename, filename[:-3]):  # gz or plain
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            return path
    raise UsageError(f"--data-dir {data_dir}: no {filename} (or {filename[:-3]}) in it")


def _check_md5sums(data_dir, path):
    """Verify `path` against an MD5SUMS file beside it, when there is one."""
    sums = os.path.join(data_dir, "MD5SUMS")
    if not os.path.exists(sums):
        return
    with open(sums) as f:
        expected = {line.split()[-1].lstrip("*"): line.split()[0] for line in f if line.strip()}
    name = os.path.basename(path)
    if name in expected and md5_of(path) != expected[name]:
        raise UsageError(f"{path}: checksum mismatch (MD5SUMS says {expected[name]})")


def md5_of(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_idx(path):
    """An IDX file of uint8 images (gz or plain) as float32 (N, H, W) in [0, 1]."""
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file")
    except (OSError, EOFError, zlib.error) as e:
        raise UsageError(f"{path}: not a readable gzip file ({e})")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise UsageError(f"{path}: not an IDX file (bad magic number)")
    dtype_code, ndim = raw[2], raw[3]
    if dtype_code != 0x08 or ndim not in (2, 3):
        raise UsageError(f"{path}: expected an IDX file of uint8 images (type 0x08, 2 or 3 dims), "
                         f"got type 0x{dtype_code:02x} with {ndim} dims")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise UsageError(f"{path}: truncated IDX header")
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        raise UsageError(f"{path}: truncated or padded IDX file: dims {dims} need {expected} bytes, "
                         f"file has {len(raw)}")
    if 0 in dims:
        raise UsageError(f"{path}: empty IDX file (dims {dims})")
    images = np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)
    return images.astype(np.float32) / 255.0


def read_npy(path):
    """A .npy array of shape (N, H, W) or (N, D) as float32 in [0, 1]."""
    try:
        array = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file")
    except (ValueError, OSError) as e:
        raise UsageError(f"{path}: not a readable .npy file ({e})")
    if array.ndim not in (2, 3):
        raise UsageError(f"{path}: expected an array of shape (N, H, W) or (N, D), got {array.shape}")
    if array.size == 0:
        raise UsageError(f"{path}: empty array of shape {array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise UsageError(f"{path}: expected a real numeric array, got dtype {array.dtype}")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise UsageError(f"{path}: contains NaN or infinite values")
    if array.min() < 0 or array.max() > 1:
        raise UsageError(f"{path}: values span [{array.min():g}, {array.max():g}], expected [0, 1] "
                         f"(or uint8 0..255)")
    return array
