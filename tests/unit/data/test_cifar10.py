"""--data cifar10 against a small archive in CIFAR-10's binary format served on 127.0.0.1."""
import hashlib
import io
import os
import tarfile

import numpy as np
import pytest

from aezoo import data
from aezoo.commands.run import main
from aezoo.data import cifar10
from aezoo.data.pixels import Pixels
from aezoo.errors import UsageError


def records(n, seed):
    """(images (n, 32, 32, 3) uint8, labels (n,), the records' bytes: label, R, G, B planes)."""
    rng = np.random.RandomState(seed)
    images = rng.randint(0, 256, (n, 32, 32, 3)).astype(np.uint8)
    labels = rng.randint(0, 10, n).astype(np.uint8)
    raw = b"".join(bytes([label]) + image.transpose(2, 0, 1).tobytes()
                   for image, label in zip(images, labels))
    return images, labels, raw


def write_archive(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, raw in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))


@pytest.fixture
def served(tmp_path, http_mirror, monkeypatch):
    """A mirror with a small archive (5 x 3 training records, 4 test), pointed at; returns
    (training images, labels, test images, labels, the served folder)."""
    folder = tmp_path / "served"
    folder.mkdir()
    parts = [records(3, seed) for seed in range(5)]
    test_images, test_labels, test_raw = records(4, 9)
    members = {name: raw for name, (_, _, raw) in zip(cifar10.MEMBERS["train"], parts)}
    members[cifar10.MEMBERS["test"][0]] = test_raw
    members["cifar-10-batches-bin/batches.meta.txt"] = b"airplane\n"
    write_archive(folder / cifar10.ARCHIVE, members)
    monkeypatch.setattr(cifar10, "MIRRORS", [http_mirror(folder)])
    monkeypatch.setattr(cifar10, "MD5", hashlib.md5((folder / cifar10.ARCHIVE).read_bytes()).hexdigest())
    train = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return train[0], train[1], test_images, test_labels, folder


def test_downloaded_once_checked_decoded_and_read_as_colour_images(served, isolated_cache,
                                                                   monkeypatch, closed_port_url):
    train, train_labels, test, test_labels, _ = served
    found = data.load("cifar10")
    assert found.shape == (32, 32, 3) and found.class_names[0] == "airplane"
    assert isinstance(found.train, Pixels) and len(found.train) == 15 and len(found.test) == 4
    np.testing.assert_array_equal(found.train[np.arange(15)], train / np.float32(255.0))
    np.testing.assert_array_equal(found.test, test / np.float32(255.0))
    np.testing.assert_array_equal(found.train_labels, train_labels)
    np.testing.assert_array_equal(found.test_labels, test_labels)
    assert sorted(os.listdir(isolated_cache / "cifar10")) == [
        cifar10.ARCHIVE, "test_images.npy", "test_labels.npy", "train_images.npy",
        "train_labels.npy"]  # no partial file
    # later runs: the decoded arrays only, no mirror needed
    monkeypatch.setattr(cifar10, "MIRRORS", [closed_port_url])
    assert data.load("cifar10").fingerprint() == found.fingerprint()


def test_a_checksum_mismatch_saves_nothing(served, isolated_cache, monkeypatch):
    monkeypatch.setattr(cifar10, "MD5", "0" * 32)
    with pytest.raises(UsageError, match="checksum mismatch"):
        data.load("cifar10")
    assert os.listdir(isolated_cache / "cifar10") == []


def test_an_archive_of_another_shape_is_one_line(served, isolated_cache, monkeypatch, tmp_path):
    folder = served[4]
    write_archive(folder / cifar10.ARCHIVE, {cifar10.MEMBERS["train"][0]: b"\0" * 100})
    monkeypatch.setattr(cifar10, "MD5", hashlib.md5((folder / cifar10.ARCHIVE).read_bytes()).hexdigest())
    with pytest.raises(UsageError, match="not whole records of 3073"):
        data.load("cifar10")
    assert not [n for n in os.listdir(isolated_cache / "cifar10") if n.endswith(".npy")]


def test_aezoo_run_conv_on_cifar10(served, isolated_cache, tmp_path):
    assert main(["conv", "--data", "cifar10", "--epochs", "1", "--batch-size", "5", "--no-video",
                 "--out", str(tmp_path / "run")]) == 0
    arrays = np.load(tmp_path / "run" / "recon" / "epoch_0001.npz")
    assert arrays["outputs"].shape == (4, 32, 32, 3)
