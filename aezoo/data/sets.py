"""The data sets aezoo knows by name.

    digits          8x8 handwritten digits bundled with scikit-learn (offline), with labels
    mnist           28x28, downloaded once into the cache, or read from --data-dir (with
                    labels when the t10k/train-labels-idx1-ubyte files lie beside the images)
    fashion-mnist   same, Zalando's clothes
    cifar10         32x32 colour, 10 classes, downloaded once (data/cifar10.py)
    photo-patches   32x32 colour patches of scikit-learn's two sample photographs (offline;
                    data/photos.py)
    idx:PATH        any IDX image file; its last --test-fraction is the test split (labels
                    are read from the matching *-labels-idx1-ubyte file when one lies beside it)
    npy:PATH        any (N, H, W), (N, H, W, C) with C = 1 or 3, or (N, D) numpy array, same
                    split (a model of sequences reads (N, T, D) as sequences; a 4-D array is
                    always images, channels last)
    folder:PATH     the images under PATH, subfolders as classes (data/image_folder.py),
                    resized by --image-size and converted by --color
and the sequence sets of data/sequences.py: sine, digits-rows, mnist-rows,
fashion-mnist-rows, npz:PATH, synthetic:N,T,D.

A new data set is one loader function and one line in SETS (a named set) or FILES
(a file or generator with an argument); --help, the errors and config read the names
from there.
"""
import os
import sys
from collections import namedtuple

import numpy as np

from aezoo.data.dataset import Dataset, split
from aezoo.data.download import cache_dir, fetch
from aezoo.data.formats import md5_of, read_idx, read_labels, read_npy
from aezoo.data import image_folder, photos, sequences
from aezoo.data.cifar10 import cifar10
from aezoo.errors import UsageError

DIGITS_SPLIT_SEED = 0  # the digits split never changes, whatever --seed says


def load(spec, data_dir=None, test_fraction=0.2, seq_len=30, image_size=None, color=None):
    """The Dataset named by `spec` (see the module docstring and SETS, FILES)."""
    options = Options(data_dir, test_fraction, seq_len, image_size, color)
    if spec in SETS:
        return SETS[spec][1](options)
    if spec.endswith("-rows") and _has_rows(spec[:-len("-rows")]):
        return sequences.rows(load(spec[:-len("-rows")], data_dir), spec)
    kind, _, path = spec.partition(":")
    if kind in FILES and path:
        return FILES[kind][2](path, options)
    raise UsageError(f"--data {spec!r}: expected {names()}")


Options = namedtuple("Options", "data_dir test_fraction seq_len image_size color")


def names():
    """'digits, mnist, ..., idx:PATH, ..., or sequences: sine, digits-rows, ...' from the
    registry: --help and the error of an unknown --data say it."""
    def of(kind):
        named = [n for n, (k, _) in SETS.items() if k == kind]
        if kind == "sequence":
            named += [f"{n}-rows" for n in SETS if _has_rows(n)]
        return named + [f"{n}:{arg}" for n, (k, arg, _) in FILES.items() if k == kind]
    return ", ".join(of("image")) + ", or sequences: " + ", ".join(of("sequence"))


def _has_rows(name):
    return SETS.get(name, ("",))[0] == "image" and name not in COLOUR


def _digits(options):
    images, target = digits_arrays()
    images = images.astype(np.float32) / 16.0  # (1797, 8, 8), 0..16
    order = np.random.RandomState(DIGITS_SPLIT_SEED).permutation(len(images))
    n_test = len(images) // 5
    train, test = order[n_test:], order[:n_test]
    return Dataset("digits", images[train], images[test], target[train], target[test])


DIGITS_FILE = os.path.join("sklearn", "datasets", "data", "digits.csv.gz")


def digits_arrays():
    """scikit-learn's bundled digits, (images (1797, 8, 8), labels), as load_digits gives
    them. Read from its own file where it is installed: importing scikit-learn takes a
    second or more, the file a few milliseconds (a sweep plans every run again, each
    loading its data); load_digits when the file is not where it has been since 0.x."""
    for folder in sys.path:
        path = os.path.join(folder or ".", DIGITS_FILE)
        if os.path.isfile(path):
            table = np.loadtxt(path, delimiter=",")  # 64 pixels, then the label, a row each
            return table[:, :-1].reshape(-1, 8, 8), table[:, -1].astype(int)
    from sklearn.datasets import load_digits
    digits = load_digits()
    return digits.images, digits.target


def _labels_path(images_path):
    """The label file MNIST's naming puts beside an IDX image file (gz or plain), or None."""
    folder, name = os.path.split(images_path)
    if "images-idx3" not in name:
        return None
    name = name.replace("images-idx3", "labels-idx1")
    for candidate in (name, name[:-3] if name.endswith(".gz") else name + ".gz"):
        if os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    return None


def _labels_beside(images_path):
    path = _labels_path(images_path)
    return read_labels(path) if path else None


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


def _idx_set(name, data_dir):
    mirrors, files = IDX_SETS[name]
    arrays = {}
    for part, (filename, md5) in files.items():
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
        arrays[part] = read_idx(path)
        labels = _labels_path(path)
        if labels and data_dir:
            _check_md5sums(data_dir, labels)
        arrays[part + "_labels"] = read_labels(labels) if labels else None
    return Dataset(name, arrays["train"], arrays["test"], arrays["train_labels"],
                   arrays["test_labels"])


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


# A data set is a loader and one line here. Named sets: name -> (kind, loader(options));
# every named gray image set can also be read as sequences, row by row (NAME-rows).
SETS = {
    "digits": ("image", _digits),
    "mnist": ("image", lambda o: _idx_set("mnist", o.data_dir)),
    "fashion-mnist": ("image", lambda o: _idx_set("fashion-mnist", o.data_dir)),
    "cifar10": ("image", cifar10),  # data/cifar10.py
    "photo-patches": ("image", photos.photo_patches),  # data/photos.py
    "sine": ("sequence", lambda o: sequences.sine(o.seq_len, o.test_fraction)),
}
# Named sets of colour images: no NAME-rows (a model of sequences reads gray rows).
COLOUR = ("cifar10", "photo-patches")
# The sets whose windows --seq-len sets: for any other, the option is refused, not ignored.
SEQ_LEN = ("sine",)
# The kinds of --data that --image-size and --color apply to (decoded image files).
DECODED = ("folder",)
# Files and generators: kind -> (what it holds, its argument, loader(argument, options)).
FILES = {
    "idx": ("image", "PATH", lambda path, o: split(f"idx:{path}", read_idx(path), o.test_fraction,
                                                   _labels_beside(path))),
    "npy": ("image", "PATH", lambda path, o: split(f"npy:{path}", read_npy(path), o.test_fraction)),
    "folder": ("image", "PATH", lambda path, o: image_folder.load(path, o.test_fraction,
                                                                  o.image_size, o.color)),
    "npz": ("sequence", "PATH", lambda path, o: sequences.read_npz(path, o.test_fraction)),
    "synthetic": ("sequence", "N,T,D", lambda spec, o: sequences.synthetic(spec, o.test_fraction)),
}
