"""--data cifar10: CIFAR-10's binary version, downloaded once, decoded once, memory-mapped.

The archive (cifar-10-binary.tar.gz, 170 MB, its MD5 checked) lands in CACHE/cifar10/
(CACHE: data/download.py's cache_dir()), or is read from --data-dir. Its members
cifar-10-batches-bin/data_batch_1..5.bin (training) and test_batch.bin (test) are
fixed-size records: one label byte, then 32x32 red, green and blue planes (3,072 bytes).
No pickle is read. The first use writes them as uint8 .npy files beside the archive
(each to a temporary name, renamed when whole); every run memory-maps those and reads
training batches as float32 when used (data/pixels.py). The split is CIFAR-10's own,
50,000 / 10,000, and the labels are its ten classes.
"""
import os
import tarfile
import tempfile

import numpy as np

from aezoo.data.dataset import Dataset
from aezoo.data.download import cache_dir, fetch
from aezoo.data.formats import md5_of
from aezoo.data.pixels import Pixels
from aezoo.errors import UsageError

MIRRORS = ["https://www.cs.toronto.edu/~kriz/"]
ARCHIVE = "cifar-10-binary.tar.gz"
MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
MEMBERS = {"train": [f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6)],
           "test": ["cifar-10-batches-bin/test_batch.bin"]}
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]
SIDE = 32
RECORD = 1 + 3 * SIDE * SIDE


def cifar10(options):
    folder = os.path.join(cache_dir(), "cifar10")
    paths = {part: [os.path.join(folder, f"{part}_{what}.npy") for what in ("images", "labels")]
             for part in MEMBERS}
    missing = [part for part, files in paths.items() if not all(map(os.path.exists, files))]
    archive = _archive(options.data_dir, folder) if missing else None  # decoded: not needed
    arrays = {}
    for part, (images, labels) in paths.items():
        if part in missing:
            _decode(archive, part, images, labels)
        arrays[part] = (np.load(images, mmap_mode="r"), np.load(labels))
    (train, train_labels), (test, test_labels) = arrays["train"], arrays["test"]
    return Dataset("cifar10", Pixels(train), Pixels(test)[:], train_labels, test_labels,
                   class_names=CLASSES)


def _archive(data_dir, folder):
    """The verified archive: in --data-dir, else in the cache (downloaded the first time)."""
    if data_dir:
        path = os.path.join(data_dir, ARCHIVE)
        if not os.path.exists(path):
            raise UsageError(f"--data-dir {data_dir}: no {ARCHIVE} in it")
    else:
        path = os.path.join(folder, ARCHIVE)
        if not os.path.exists(path):
            return fetch([m + ARCHIVE for m in MIRRORS], path, MD5, hint=(
                f"--data cifar10 needs {ARCHIVE} (170 MB): use --data photo-patches (bundled, "
                f"offline) or --data-dir DIR holding the archive"))
    if md5_of(path) != MD5:
        raise UsageError(f"{path}: checksum mismatch (expected MD5 {MD5}); "
                         f"{'replace' if data_dir else 'delete'} it to download again")
    return path


def _decode(archive, part, images_path, labels_path):
    """The part's records from the archive into two .npy files, each whole or not there."""
    images, labels = [], []
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for name in MEMBERS[part]:
                raw = tar.extractfile(name).read()
                if not raw or len(raw) % RECORD:
                    raise UsageError(f"{archive}: {name} holds {len(raw)} bytes, not whole "
                                     f"records of {RECORD}")
                records = np.frombuffer(raw, np.uint8).reshape(-1, RECORD)
                labels.append(records[:, 0].astype(np.int64))
                # (N, 3, 32, 32) planes -> (N, 32, 32, 3), channels last as aezoo's images
                images.append(records[:, 1:].reshape(-1, 3, SIDE, SIDE).transpose(0, 2, 3, 1))
    except (KeyError, AttributeError) as e:
        raise UsageError(f"{archive}: not CIFAR-10's binary version ({e})")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise UsageError(f"{archive}: cannot be read ({e})")
    for path, array in ((labels_path, np.concatenate(labels)), (images_path, np.concatenate(images))):
        fd, partial = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".partial-", suffix=".npy")
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, np.ascontiguousarray(array))
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
