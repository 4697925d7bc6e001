"""--data folder:PATH: every PNG, JPEG, BMP or GIF (its first frame) under PATH.

    PATH/cat/1.png, PATH/dog/x/2.jpg    class folders, as torchvision's ImageFolder: the
                                        labels are the sorted folder names' indices
    PATH/1.png, PATH/2.png              no subfolders: no labels

Files are found by their extension (case aside); other files and names starting with a
dot are passed over. The images are decoded once into a uint8 cache (data/image_cache.py)
and read from it as Pixels; the test split is seeded and stratified by class, so every
class is in both splits and the same images are tested on every run of the folder.
Anything wrong stops the run with one line naming the file (data/image_file.py says what
a file may be).
"""
import errno
import os

import numpy as np

from aezoo.data import image_cache
from aezoo.data.dataset import Dataset
from aezoo.data.pixels import Pixels
from aezoo.errors import UsageError

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
SPLIT_SEED = 0  # a folder's split never changes with --seed: runs on it are comparable


def load(path, test_fraction, image_size=None, color=None):
    """The Dataset of the images under `path` (module docstring)."""
    root = os.path.abspath(os.path.expanduser(path))
    files, labels, class_names = listing(root, f"--data folder:{path}")
    train, test = stratified(labels, test_fraction, f"--data folder:{path}", class_names)
    raw = image_cache.images(root, files, image_size, color, f"folder:{path}")
    train_labels, test_labels = (None, None) if class_names is None else (labels[train],
                                                                          labels[test])
    return Dataset(f"folder:{path}", Pixels(raw, train), Pixels(raw, test)[:], train_labels,
                   test_labels, class_names=class_names)


def stamp(path):
    """What changes when the folder's images do (its cache key without the options)."""
    root = os.path.abspath(os.path.expanduser(path))
    return image_cache.key(root, listing(root, f"--data folder:{path}")[0], None, None)


def listing(root, what):
    """(files, labels, class names): the image files under `root` sorted by their path, their
    class indices (all 0 without class folders) and the class names (None without)."""
    if not os.path.isdir(root):
        raise UsageError(f"{what}: {'not a folder' if os.path.exists(root) else 'no such folder'}")
    found, others = [], []
    _walk(root, root, {_identity(root)}, found, others)
    if not found:
        seen = f" (only {len(others)} other files, e.g. {others[0]})" if others else ""
        raise UsageError(f"{what}: no PNG, JPEG, BMP or GIF files in it{seen}")
    start = len(os.path.join(root, ""))  # every f is root/...
    tops = [f[start:].split(os.sep, 1)[0] for f in found]
    classes = sorted({top for f, top in zip(found, tops) if os.path.dirname(f) != root})
    if not classes:
        return found, np.zeros(len(found), np.int64), None
    loose = [f for f in found if os.path.dirname(f) == root]
    if loose:
        raise UsageError(f"{what}: {loose[0]} lies beside the class folders "
                         f"({', '.join(classes[:3])}...); move it into one of them")
    index = {name: i for i, name in enumerate(classes)}
    labels = np.array([index[top] for top in tops], np.int64)
    return found, labels, classes


def _identity(folder):
    stat = os.stat(folder)
    return stat.st_dev, stat.st_ino


def _walk(root, folder, above, found, others):
    """Every image file below `folder`, following folder links but not round a loop:
    `above` holds the folders on the way down."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        raise UsageError(f"{folder}: cannot be read ({e.strerror or e})")
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_symlink():
                os.stat(entry.path)  # where it leads exists (is_dir() below would say False)
            is_folder = entry.is_dir()  # no system call for a plain entry
        except OSError as e:  # a dangling link, a link to itself, no permission
            if e.errno == errno.ELOOP:
                raise UsageError(f"{entry.path}: a symlink loop (a link that leads back to "
                                 f"itself); remove the link")
            raise UsageError(f"{entry.path}: cannot be read ({e.strerror or e})")
        if is_folder:
            me = _identity(entry.path)
            if me in above:
                raise UsageError(f"{entry.path}: a symlink loop (it leads back to a folder "
                                 f"above it); remove the link")
            _walk(root, entry.path, above | {me}, found, others)
        elif entry.name.lower().endswith(EXTENSIONS):
            found.append(entry.path)
        else:
            others.append(entry.path)


def stratified(labels, test_fraction, what, class_names=None):
    """(train, test) sample indices, each sorted: of every class, round(n * fraction) of its
    samples (at least 1, at most n - 1) drawn with SPLIT_SEED go to the test split."""
    rng = np.random.RandomState(SPLIT_SEED)
    test = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < 2:
            name = f"class {class_names[c]!r} has" if class_names else "it has"
            raise UsageError(f"{what}: {name} {len(members)} image; each class needs at least "
                             f"2, one for each split")
        n_test = min(max(int(round(len(members) * test_fraction)), 1), len(members) - 1)
        test.extend(rng.permutation(members)[:n_test])
    test = np.sort(np.array(test, np.int64))
    return np.setdiff1d(np.arange(len(labels)), test), test
