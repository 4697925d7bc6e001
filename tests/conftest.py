"""Shared fixtures: tiny IDX files, a local HTTP mirror, an isolated download cache."""
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
        thread = threading.Thread(target=server.serve_forever, daemon=True)
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
