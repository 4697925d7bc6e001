"""Data sets: digits, mnist/fashion-mnist (download, cache, --data-dir), idx:/npy: files.

Downloads are tested against a local HTTP server on 127.0.0.1 that serves
small IDX files made here; nothing goes to the internet.
"""
import gzip
import hashlib
import json
import os
import shutil

import numpy as np
import pytest

from aezoo import data
from aezoo.errors import UsageError
from aezoo.run import main
from conftest import SHARED_MNIST, idx_bytes, random_images, tree_state, write_idx

TRAIN, TEST = "train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"


def md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


def one_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    return lines[0]


# ---------------------------------------------------------------- digits

def test_digits_are_scaled_to_unit_range_and_split_into_a_partition():
    from sklearn.datasets import load_digits
    raw = load_digits().images  # integers 0..16
    ds = data.load("digits")
    assert ds.name == "digits" and ds.shape == raw.shape[1:]
    assert ds.train.dtype == np.float32 and ds.test.dtype == np.float32
    assert len(ds.train) + len(ds.test) == len(raw)
    assert len(ds.test) == pytest.approx(0.2 * len(raw), abs=1)
    both = np.concatenate([ds.train, ds.test])
    assert both.min() == 0.0 and both.max() == 1.0
    # every original image is in exactly one split, scaled by 1/16
    ours = np.sort((both * 16).round().reshape(len(both), -1), axis=0)
    theirs = np.sort(raw.reshape(len(raw), -1), axis=0)
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(both * 16, (both * 16).round(), atol=1e-5)


@pytest.mark.parametrize("where", ["scikit-learn's file", "load_digits"])
def test_digits_are_what_load_digits_gives(where, monkeypatch):
    """Read from scikit-learn's own file (no import of it: a sweep plans its runs again in a
    second), or, where that file is not found, from load_digits itself."""
    from sklearn.datasets import load_digits
    from aezoo.data import sets
    if where == "load_digits":
        monkeypatch.setattr(sets, "DIGITS_FILE", "no/such/digits.csv.gz")
    images, labels = sets.digits_arrays()
    raw = load_digits()
    for ours, theirs in ((images, raw.images), (labels, raw.target)):
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)


def test_digits_split_is_shuffled_fixed_and_independent_of_any_seed():
    from sklearn.datasets import load_digits
    raw = load_digits().images.astype(np.float32) / 16
    np.random.seed(1)
    first = data.load("digits")
    np.random.seed(12345)
    np.random.rand(7)
    second = data.load("digits")
    np.testing.assert_array_equal(first.train, second.train)
    np.testing.assert_array_equal(first.test, second.test)
    # seeded shuffle, not the file order
    assert not np.array_equal(first.test, raw[-len(first.test):])
    assert not np.array_equal(first.test, raw[:len(first.test)])


def test_digits_split_is_the_same_whatever_seed_a_run_uses(tmp_path, monkeypatch):
    import aezoo.train.start
    seen = []

    class Recording(aezoo.train.start.Trainer):  # what a run actually trains and tests on
        def __init__(self, model, optimizer, train, test, *args, **kwargs):
            seen.append((np.array(train), np.array(test)))
            super().__init__(model, optimizer, train, test, *args, **kwargs)

    monkeypatch.setattr(aezoo.train.start, "Trainer", Recording)
    for seed in ("0", "7"):
        np.random.seed(int(seed) + 100)
        assert main(["simple", "--data", "digits", "--epochs", "1", "--seed", seed,
                     "--out", str(tmp_path / f"seed{seed}"), "--no-video"]) == 0
    assert len(seen) == 2
    np.testing.assert_array_equal(seen[0][0], seen[1][0])
    np.testing.assert_array_equal(seen[0][1], seen[1][1])
    np.testing.assert_array_equal(seen[0][1], data.load("digits").test)


# ---------------------------------------------------------------- idx: and npy:

def test_idx_file_gz_or_plain_last_fraction_is_the_test_split(tmp_path):
    images = random_images(10)
    for name in ("set.idx.gz", "set.idx"):
        path = write_idx(tmp_path / name, images)
        ds = data.load(f"idx:{path}")
        np.testing.assert_allclose(ds.train, images[:8] / 255.0, rtol=1e-6)
        np.testing.assert_allclose(ds.test, images[8:] / 255.0, rtol=1e-6)
        assert ds.train.dtype == np.float32 and ds.shape == (6, 5)
    ds = data.load(f"idx:{path}", test_fraction=0.5)
    assert (len(ds.train), len(ds.test)) == (5, 5)
    np.testing.assert_allclose(ds.test, images[5:] / 255.0, rtol=1e-6)


def test_idx_file_of_vectors(tmp_path):
    vectors = np.random.RandomState(3).randint(0, 256, size=(5, 12)).astype(np.uint8)
    ds = data.load(f"idx:{write_idx(tmp_path / 'v.idx', vectors)}")
    assert ds.shape == (12,) and (len(ds.train), len(ds.test)) == (4, 1)
    np.testing.assert_allclose(ds.test, vectors[4:] / 255.0, rtol=1e-6)


@pytest.mark.parametrize("shape", [(10, 4, 3), (10, 7)])
def test_npy_float_array_keeps_its_values_and_splits_last_fraction(tmp_path, shape):
    array = np.random.RandomState(0).rand(*shape).astype(np.float64)
    np.save(tmp_path / "a.npy", array)
    ds = data.load(f"npy:{tmp_path / 'a.npy'}")
    assert ds.shape == shape[1:] and ds.train.dtype == np.float32
    np.testing.assert_allclose(ds.train, array[:8], rtol=1e-6)
    np.testing.assert_allclose(ds.test, array[8:], rtol=1e-6)
    ds = data.load(f"npy:{tmp_path / 'a.npy'}", test_fraction=0.3)
    assert (len(ds.train), len(ds.test)) == (7, 3)


def test_npy_uint8_is_scaled_by_255(tmp_path):
    images = random_images(5, 3, 3, seed=4)
    np.save(tmp_path / "u.npy", images)
    ds = data.load(f"npy:{tmp_path / 'u.npy'}")
    np.testing.assert_allclose(np.concatenate([ds.train, ds.test]), images / 255.0, rtol=1e-6)


def test_test_fraction_reaches_the_run(tmp_path):
    array = np.random.RandomState(1).rand(20, 4, 4).astype(np.float32)
    np.save(tmp_path / "a.npy", array)
    out = tmp_path / "run"
    assert main(["simple", "--data", f"npy:{tmp_path / 'a.npy'}", "--test-fraction", "0.25",
                 "--epochs", "1", "--out", str(out), "--no-video"]) == 0
    described = json.loads((out / "config.json").read_text())["data"]
    assert described == {"name": f"npy:{tmp_path / 'a.npy'}", "kind": "image", "shape": [4, 4],
                         "value_range": [float(array.min()), float(array.max())],
                         "n_train": 15, "n_test": 5, "labels": False,
                         "fingerprint": data.load(f"npy:{tmp_path / 'a.npy'}", None, 0.25).fingerprint(),
                         "entropy_floor": data.load(f"npy:{tmp_path / 'a.npy'}", None, 0.25)
                         .entropy_floor()}


@pytest.mark.parametrize("make", ["empty_float", "empty_uint8", "one_sample"])
def test_too_few_samples_is_a_usage_error(tmp_path, make):
    path = tmp_path / "small.npy"
    array = {"empty_float": np.zeros((0, 4, 4), np.float32),
             "empty_uint8": np.zeros((0, 4, 4), np.uint8),
             "one_sample": np.zeros((1, 4, 4), np.float32)}[make]
    np.save(path, array)
    with pytest.raises(UsageError, match="small.npy"):
        data.load(f"npy:{path}")


def test_unknown_data_spec_names_the_choices():
    for spec in ("cifar", "idx:", "npy:", "csv:foo.csv"):
        with pytest.raises(UsageError) as e:
            data.load(spec)
        assert repr(spec) in str(e.value) and "digits" in str(e.value)


# ---------------------------------------------------------------- the real MNIST test set

needs_shared_mnist = pytest.mark.skipif(
    not (SHARED_MNIST / TEST).exists(),
    reason=f"real MNIST test images not found at {SHARED_MNIST / TEST}")


def read_md5sums(folder):
    sums = {}
    for line in (folder / "MD5SUMS").read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name.lstrip("*")] = digest
    return sums


@needs_shared_mnist
def test_real_mnist_test_set_matches_its_md5sums_and_our_checksum():
    expected = read_md5sums(SHARED_MNIST)[TEST]
    assert md5(SHARED_MNIST / TEST) == expected
    assert data.md5_of(str(SHARED_MNIST / TEST)) == expected
    # the checksum a download is verified against is the real file's
    assert data.IDX_SETS["mnist"][1]["test"] == (TEST, expected)


@needs_shared_mnist
def test_real_mnist_test_set_loads_through_idx_spec():
    path = SHARED_MNIST / TEST
    ds = data.load(f"idx:{path}")
    assert ds.train.shape == (8000, 28, 28) and ds.test.shape == (2000, 28, 28)
    assert ds.train.dtype == np.float32
    assert ds.train.min() == 0.0 and ds.train.max() == 1.0
    assert ds.test.min() >= 0.0 and ds.test.max() <= 1.0
    # the bytes after the 16-byte header, in file order: the last 2000 are the test split
    raw = np.frombuffer(gzip.decompress(path.read_bytes())[16:], np.uint8).reshape(10000, 28, 28)
    np.testing.assert_array_equal((ds.test * 255).round().astype(np.uint8), raw[8000:])
    # a digit has ink in the middle and little at the border
    mean = np.concatenate([ds.train, ds.test]).mean(axis=0)
    assert mean[10:18, 10:18].mean() > 5 * mean[:2].mean()


@needs_shared_mnist
def test_mnist_from_a_data_dir_with_the_real_test_file(tmp_path):
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / TEST).symlink_to(SHARED_MNIST / TEST)
    shutil.copy(SHARED_MNIST / "MD5SUMS", folder / "MD5SUMS")  # verifies the test file
    train = random_images(12, 28, 28)
    write_idx(folder / TRAIN, train)
    ds = data.load("mnist", data_dir=str(folder))
    assert ds.train.shape == (12, 28, 28) and ds.test.shape == (10000, 28, 28)
    np.testing.assert_allclose(ds.train, train / 255.0, rtol=1e-6)


@needs_shared_mnist
def test_shared_folder_alone_lacks_the_train_file():
    with pytest.raises(UsageError, match="train-images-idx3-ubyte"):
        data.load("mnist", data_dir=str(SHARED_MNIST))


# ---------------------------------------------------------------- --data-dir

@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
@pytest.mark.parametrize("compressed", [True, False])
def test_data_dir_gz_or_plain(tmp_path, name, compressed, isolated_cache):
    train, test = random_images(7, seed=1), random_images(3, seed=2)
    for filename, images in ((TRAIN, train), (TEST, test)):
        write_idx(tmp_path / (filename if compressed else filename[:-3]), images)
    ds = data.load(name, data_dir=str(tmp_path))
    assert ds.name == name
    np.testing.assert_allclose(ds.train, train / 255.0, rtol=1e-6)
    np.testing.assert_allclose(ds.test, test / 255.0, rtol=1e-6)
    assert not isolated_cache.exists()  # a data dir never touches the cache


def test_data_dir_through_the_cli(tmp_path):
    folder = tmp_path / "idx"
    folder.mkdir()
    write_idx(folder / TRAIN, random_images(9, seed=1))
    write_idx(folder / TEST[:-3], random_images(4, seed=2))
    out = tmp_path / "run"
    assert main(["simple", "--data", "mnist", "--data-dir", str(folder), "--epochs", "1",
                 "--out", str(out), "--no-video"]) == 0
    described = json.loads((out / "config.json").read_text())["data"]
    assert {k: described[k] for k in ("name", "kind", "shape", "n_train", "n_test")} == \
        {"name": "mnist", "kind": "image", "shape": [6, 5], "n_train": 9, "n_test": 4}


def test_data_dir_md5sums_verify_listed_files(tmp_path):
    write_idx(tmp_path / TRAIN, random_images(4, seed=1))
    write_idx(tmp_path / TEST, random_images(2, seed=2))
    good = {TRAIN: md5(tmp_path / TRAIN), TEST: md5(tmp_path / TEST)}
    (tmp_path / "MD5SUMS").write_text("".join(f"{d}  {n}\n" for n, d in good.items()))
    assert len(data.load("mnist", data_dir=str(tmp_path)).train) == 4
    (tmp_path / "MD5SUMS").write_text(f"{good[TRAIN]}  {TRAIN}\n{'0' * 32} *{TEST}\n")
    with pytest.raises(UsageError) as e:
        data.load("mnist", data_dir=str(tmp_path))
    assert TEST in str(e.value) and "checksum" in str(e.value) and "0" * 32 in str(e.value)
    assert md5(tmp_path / TEST) == good[TEST]  # the file itself is left alone


def test_data_dir_missing_file_names_both_forms(tmp_path):
    write_idx(tmp_path / TRAIN, random_images(4))
    with pytest.raises(UsageError) as e:
        data.load("mnist", data_dir=str(tmp_path))
    assert TEST in str(e.value) and TEST[:-3] in str(e.value) and str(tmp_path) in str(e.value)


# ---------------------------------------------------------------- download and cache

def test_cache_dir_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("AEZOO_CACHE", str(tmp_path / "c"))
    assert data.cache_dir() == str(tmp_path / "c")
    monkeypatch.delenv("AEZOO_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.cache_dir() == os.path.join(str(tmp_path / "home"), ".cache", "aezoo")


@pytest.fixture
def mirror(tmp_path, http_mirror):
    """A local mirror holding a small valid train and test IDX .gz; returns (url, folder, arrays)."""
    folder = tmp_path / "served"
    folder.mkdir()
    arrays = {"train": random_images(8, seed=5), "test": random_images(3, seed=6)}
    write_idx(folder / TRAIN, arrays["train"])
    write_idx(folder / TEST, arrays["test"])
    return http_mirror(folder), folder, arrays


def point_mnist_at(monkeypatch, mirrors, md5s):
    monkeypatch.setitem(data.IDX_SETS, "mnist", (
        list(mirrors), {"train": (TRAIN, md5s[TRAIN]), "test": (TEST, md5s[TEST])}))


def test_download_lands_in_cache_verified_and_is_reused(monkeypatch, mirror, isolated_cache,
                                                       closed_port_url):
    url, folder, arrays = mirror
    sums = {TRAIN: md5(folder / TRAIN), TEST: md5(folder / TEST)}
    # the first mirror is down: the second one answers
    point_mnist_at(monkeypatch, [closed_port_url, url], sums)
    ds = data.load("mnist")
    assert ds.train.shape == (8, 6, 5) and ds.test.shape == (3, 6, 5)
    np.testing.assert_allclose(ds.train, arrays["train"] / 255.0, rtol=1e-6)
    np.testing.assert_allclose(ds.test, arrays["test"] / 255.0, rtol=1e-6)
    cached = isolated_cache / "mnist"
    assert sorted(os.listdir(cached)) == sorted([TRAIN, TEST])  # no temporary files left
    for name in (TRAIN, TEST):
        assert (cached / name).read_bytes() == (folder / name).read_bytes()
    # second use: from the cache only, no mirror answers any more
    point_mnist_at(monkeypatch, [closed_port_url], sums)
    again = data.load("mnist")
    np.testing.assert_array_equal(again.train, ds.train)


def test_download_checksum_mismatch_saves_nothing_and_keeps_other_files(
        monkeypatch, mirror, isolated_cache, tmp_path, capsys):
    url, folder, arrays = mirror
    good = {TRAIN: md5(folder / TRAIN), TEST: md5(folder / TEST)}
    # a good copy of the train file is already cached; one elsewhere too
    cached = isolated_cache / "mnist"
    cached.mkdir(parents=True)
    shutil.copy(folder / TRAIN, cached / TRAIN)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(folder / TEST, elsewhere / TEST)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns)
              for p in (cached / TRAIN, elsewhere / TEST, folder / TEST)}
    wrong = "0123456789abcdef0123456789abcdef"
    point_mnist_at(monkeypatch, [url], {TRAIN: good[TRAIN], TEST: wrong})
    with pytest.raises(UsageError) as e:
        data.load("mnist")
    assert "checksum" in str(e.value) and wrong in str(e.value) and good[TEST] in str(e.value)
    assert os.listdir(cached) == [TRAIN]  # no test file, no temporary file
    # the same through the CLI: one line, exit 2
    monkeypatch.chdir(tmp_path)
    assert main(["simple", "--data", "mnist", "--epochs", "1"]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("aezoo run: error:") and "checksum" in line and TEST in line
    assert os.listdir(cached) == [TRAIN]
    assert not (tmp_path / "outputs").exists()
    for p, state in before.items():
        assert (p.read_bytes(), p.stat().st_mtime_ns) == state, p


def test_corrupt_file_in_cache_is_reported_not_replaced(monkeypatch, mirror, isolated_cache):
    url, folder, arrays = mirror
    point_mnist_at(monkeypatch, [url], {TRAIN: md5(folder / TRAIN), TEST: md5(folder / TEST)})
    cached = isolated_cache / "mnist"
    cached.mkdir(parents=True)
    (cached / TRAIN).write_bytes(b"half a download")
    with pytest.raises(UsageError) as e:
        data.load("mnist")
    assert str(cached / TRAIN) in str(e.value) and "checksum" in str(e.value)
    assert (cached / TRAIN).read_bytes() == b"half a download"


def test_unreachable_mirror_is_the_offline_message(monkeypatch, isolated_cache, closed_port_url,
                                                  tmp_path, capsys):
    point_mnist_at(monkeypatch, [closed_port_url, closed_port_url + "again/"],
                   {TRAIN: "0" * 32, TEST: "1" * 32})
    with pytest.raises(UsageError) as e:
        data.load("mnist")
    message = str(e.value)
    assert "--data digits" in message and "--data-dir" in message
    assert closed_port_url in message
    monkeypatch.chdir(tmp_path)
    assert main(["deep", "--data", "mnist"]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("aezoo run: error:")
    assert "--data digits" in line and "--data-dir" in line
    cached = isolated_cache / "mnist"
    assert not cached.exists() or os.listdir(cached) == []
    assert not (tmp_path / "outputs").exists()


def test_missing_file_on_the_mirror_tries_the_next(monkeypatch, mirror, isolated_cache, tmp_path,
                                                  http_mirror):
    url, folder, arrays = mirror
    empty = tmp_path / "empty"
    empty.mkdir()
    point_mnist_at(monkeypatch, [http_mirror(empty), url],
                   {TRAIN: md5(folder / TRAIN), TEST: md5(folder / TEST)})
    assert data.load("mnist").test.shape == (3, 6, 5)
    point_mnist_at(monkeypatch, [http_mirror(empty)], {TRAIN: "0" * 32, TEST: "0" * 32})
    monkeypatch.setenv("AEZOO_CACHE", str(tmp_path / "other-cache"))
    with pytest.raises(UsageError, match="--data-dir"):
        data.load("mnist")


def test_cache_that_cannot_be_created_is_a_usage_error(monkeypatch, tmp_path, mirror):
    url, folder, arrays = mirror
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AEZOO_CACHE", str(blocker))
    point_mnist_at(monkeypatch, [url], {TRAIN: md5(folder / TRAIN), TEST: md5(folder / TEST)})
    with pytest.raises(UsageError, match="AEZOO_CACHE"):
        data.load("mnist")
    assert blocker.read_text() == "not a folder"


def test_idx_bytes_helper_round_trips_through_read_idx(tmp_path):
    # guards the helper the other tests build on
    images = random_images(2, 3, 4)
    (tmp_path / "x").write_bytes(idx_bytes(images))
    np.testing.assert_array_equal(data.read_idx(str(tmp_path / "x")) * 255, images)
    assert tree_state(tmp_path)["x"][0] == "file"


@pytest.fixture
def odd_server():
    """Factory: a server on 127.0.0.1 whose every GET announces `announce` bytes, sends `body`, hangs up."""
    import http.server
    import threading
    servers = []

    def start(body, announce):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(announce))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_mirror_that_hangs_up_midway_falls_through_to_the_next(monkeypatch, mirror, isolated_cache,
                                                              odd_server):
    url, folder, arrays = mirror
    sums = {TRAIN: md5(folder / TRAIN), TEST: md5(folder / TEST)}
    half = (folder / TRAIN).read_bytes()[:40]
    broken = odd_server(half, len(half) + 1000)
    point_mnist_at(monkeypatch, [broken, url], sums)
    ds = data.load("mnist")  # not a checksum error: the second mirror delivers
    np.testing.assert_allclose(ds.train, arrays["train"] / 255.0, rtol=1e-6)
    # with only the broken mirror it is a download failure, and nothing is kept
    monkeypatch.setenv("AEZOO_CACHE", str(isolated_cache / "second"))
    point_mnist_at(monkeypatch, [broken], sums)
    with pytest.raises(UsageError) as e:
        data.load("mnist")
    assert "--data digits" in str(e.value) and "checksum" not in str(e.value)
    assert os.listdir(isolated_cache / "second" / "mnist") == []


def test_mirror_that_never_answers_times_out(monkeypatch, isolated_cache):
    import socket
    import time
    import aezoo.data.download
    monkeypatch.setattr(aezoo.data.download, "TIMEOUT", 0.5)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # accepts connections, never answers
    try:
        point_mnist_at(monkeypatch, [f"http://127.0.0.1:{silent.getsockname()[1]}/"],
                       {TRAIN: "0" * 32, TEST: "0" * 32})
        start = time.monotonic()
        with pytest.raises(UsageError, match="--data-dir"):
            data.load("mnist")
        assert time.monotonic() - start < 5
    finally:
        silent.close()


def test_labels_come_from_the_files_beside_the_images(tmp_path):
    labels = np.arange(13) % 10
    write_idx(tmp_path / TRAIN, random_images(9, seed=1))
    write_idx(tmp_path / TEST[:-3], random_images(4, seed=2))  # plain images, gzipped labels
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels[:9])))
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels[9:])))
    ds = data.load("mnist", data_dir=str(tmp_path))
    np.testing.assert_array_equal(ds.train_labels, labels[:9])
    np.testing.assert_array_equal(ds.test_labels, labels[9:])
    ds = data.load(f"idx:{tmp_path / TRAIN}", test_fraction=1 / 3)  # one file: split with it
    np.testing.assert_array_equal(ds.test_labels, labels[6:9])
    (tmp_path / "MD5SUMS").write_text("0" * 32 + "  t10k-labels-idx1-ubyte.gz\n")
    with pytest.raises(UsageError, match="t10k-labels-idx1-ubyte.gz: checksum mismatch"):
        data.load("mnist", data_dir=str(tmp_path))


@pytest.mark.skipif(not (SHARED_MNIST / "t10k-labels-idx1-ubyte.gz").exists(),
                    reason="the shared MNIST labels (../shared/data/mnist) are not here")
def test_real_mnist_labels_load_beside_the_test_images():
    ds = data.load(f"idx:{SHARED_MNIST / TEST}")
    assert ds.test_labels.shape == (2000,) and set(ds.test_labels) == set(range(10))
