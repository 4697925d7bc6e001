"""Shared fixtures and helpers, imported by tests as `from conftest import ...`: tiny IDX files, a
local HTTP mirror, an isolated download cache, the tiny-run options and the growing trainer, and
the runs several test files read (made once per session, copied before any test changes them)."""
import functools
import gzip
import http.server
import os
import socket
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# The real MNIST test images, shared read-only beside the repository.
SHARED_MNIST = REPO_ROOT.parent / "shared" / "data" / "mnist"
# Files the tests read: tests/data/ (Keras GRU weights and predictions).
TEST_DATA = Path(__file__).resolve().parent / "data"

# A tiny run on the bundled digits: 1438 training images, 23 batches of 64.
TINY = ["--data", "digits", "--no-video", "--batch-size", "64"]


def idx_bytes(images):
    """The IDX encoding of a uint8 array of shape (N, H, W) or (N, D)."""
    images = np.asarray(images, dtype=np.uint8)
    header = bytes([0, 0, 0x08, images.ndim]) + struct.pack(">" + "I" * images.ndim, *images.shape)
    return header + images.tobytes()


def write_idx(path, images, gz=None):
    """Write `images` as an IDX file at `path` (gzipped when the name ends in .gz)."""
    path = Path(path)
    raw = idx_bytes(images)
    if gz is None:
        gz = path.name.endswith(".gz")
    path.write_bytes(gzip.compress(raw, mtime=0) if gz else raw)
    return path


def random_images(n, h=6, w=5, seed=0):
    """uint8 images with every value 0..255 likely present."""
    return np.random.RandomState(seed).randint(0, 256, size=(n, h, w)).astype(np.uint8)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the default writes every request to stderr
        pass


@pytest.fixture
def http_mirror():
    """Factory: serve a folder over HTTP on 127.0.0.1; returns the base URL (ends in /)."""
    servers = []

    def serve(folder):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # a short poll: shutdown() returns within 0.05 s instead of serve_forever's default 0.5
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port_url():
    """An http URL on 127.0.0.1 whose port nothing listens on (connection refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # never listened: a connect now is refused at once
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """AEZOO_CACHE pointing at an empty temporary folder, and a short download timeout."""
    import aezoo.data.download
    cache = tmp_path / "cache"
    monkeypatch.setenv("AEZOO_CACHE", str(cache))
    monkeypatch.setattr(aezoo.data.download, "TIMEOUT", 3)
    return cache


def tree_state(root):
    """{relative path: (kind, bytes or None, mtime_ns)} of everything under `root`, root included."""
    root = Path(root)
    state = {".": ("dir", None, root.stat().st_mtime_ns)}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            p = Path(dirpath, name)
            state[str(p.relative_to(root))] = ("dir", None, p.stat().st_mtime_ns)
        for name in filenames:
            p = Path(dirpath, name)
            state[str(p.relative_to(root))] = ("file", p.read_bytes(), p.stat().st_mtime_ns)
    return state


def ctrl_c_in_epoch(monkeypatch, epoch):
    """Make Trainer.train_epoch raise KeyboardInterrupt in `epoch`, as Ctrl-C would there;
    returns the function that puts the real one back (to resume the run)."""
    from aezoo.train.loop import Trainer
    real = Trainer.train_epoch

    def interrupted(self):
        if self.epoch == epoch:
            raise KeyboardInterrupt
        return real(self)
    monkeypatch.setattr(Trainer, "train_epoch", interrupted)
    return lambda: monkeypatch.setattr(Trainer, "train_epoch", real)


def only_epoch_0_checkpoint_lands(monkeypatch):
    """A run as one killed while its epoch-1 checkpoint was still being written in the
    background (train/writer.py): epoch 0's checkpoint is on disk, and the metrics lines and
    loggers' files of the epochs after it are written."""
    import json
    from aezoo.train import serialize
    real = serialize.write

    def write(run_dir, arrays, best=False):
        if json.loads(str(arrays["meta"]))["epoch"] == 0:
            real(run_dir, arrays, best)
    monkeypatch.setattr(serialize, "write", write)


def weights(run_dir):
    """The arrays of a run's checkpoint, without its meta."""
    from aezoo.runs import checkpoints
    with np.load(os.path.join(run_dir, checkpoints.FILE)) as npz:
        return {k: npz[k] for k in npz.files if k != "meta"}


def comparable(run_dir):
    """metrics.jsonl without the wall-clock times."""
    from aezoo.runs import metrics
    epochs, events = metrics.read(run_dir)
    return [{k: v for k, v in r.items() if k != "seconds"} for r in epochs + events]


def growing_trainer(events=None, **options):
    """A deep model on digits that grows by one pair at the start of epoch 2 (growth
    events into the list `events` when given)."""
    from aezoo.config import merge
    from aezoo.data import load
    from aezoo.train import device
    from aezoo.train.build import build_model, default_config, resolve
    from aezoo.train.growth import Growth
    from aezoo.train.loop import Trainer
    from aezoo.train.optimizers import build_optimizer
    options = {"grow_every": 1, "max_depth": 2, "hidden": [32], "code_dim": 16, **options}
    cfg = resolve(merge(default_config("deep"), options, "test"), set(options))
    data = load("digits")
    rng = np.random.default_rng(0)
    model = build_model(cfg, data.shape, rng)
    trainer = Trainer(model, build_optimizer(cfg, model), data.train, data.test, 64,
                      device.get("cpu"), rng, progress=False)
    trainer.add(Growth(cfg, data.train[:500], events.append if events is not None else lambda r: None,
                       trainer.optimizer))
    return trainer


def growth_events(run):
    from aezoo.runs import metrics
    return [e for e in metrics.read(run)[1] if e["event"] == "growth"]


@pytest.fixture(scope="session")
def stopped_at_epoch_0(tmp_path_factory):
    """A run that diverged in epoch 1: it holds only the untrained epoch."""
    from aezoo.run import main
    run = tmp_path_factory.mktemp("zero") / "run"
    assert main(["simple", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "3", *TINY,
                 "--out", str(run)]) == 1
    return run


@pytest.fixture(scope="session")
def grown(tmp_path_factory):
    """deep on digits: 2 epochs at depth 1 (the model kept), then resumed to 4, growing at 3."""
    import aezoo
    import aezoo.run
    out = tmp_path_factory.mktemp("insight") / "grown"
    args = ["--data", "digits", "--no-video", "--quiet"]
    assert aezoo.run.main(["deep", "--epochs", "2", "--grow-every", "2", "--out", str(out)]
                          + args) == 0
    before = aezoo.load(str(out)).model.layers()
    assert aezoo.run.main(["--resume", str(out), "--epochs", "4", "--quiet"]) == 0
    after = aezoo.load(str(out)).model.layers()
    return out, before, after


@pytest.fixture
def grown_wide_early(grown, tmp_path):
    """A copy of `grown` whose epoch 2 (depth 1, a code 128 wide) has the lowest test BCE of
    the run, 0.001: a best score must still come from the final network's epochs 3 and 4.
    Returns the copy and its epoch lines at the final depth."""
    import json
    import shutil
    from aezoo.runs import metrics
    copy = tmp_path / "grown"
    shutil.copytree(grown[0], copy)
    lines = [json.loads(line) for line in (copy / metrics.FILE).read_text().splitlines()]
    for r in lines:
        if r.get("epoch") == 2 and "test_bce" in r:
            r["test_bce"] = 0.001
    (copy / metrics.FILE).write_text("".join(json.dumps(r) + "\n" for r in lines))
    final = [r for r in lines if "test_bce" in r and r.get("depth") == 2]
    assert [r["epoch"] for r in final] == [3, 4]
    return copy, final
