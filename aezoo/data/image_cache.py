"""A folder's images decoded once into a uint8 .npy, memory-mapped by every later run.

    raw = images(root, files, image_size, color, "folder:PATH")   # (N, H, W[, 3]) uint8

The cache is CACHE/images/<key>.npy (CACHE: data/download.py's cache_dir()), the key a
hash of the folder's path, its file list with each file's size and modification time,
and the --image-size and --color options: a later run finds it by listing the folder
(no image is opened), and an edited folder (a file added, removed, replaced or touched)
is decoded again. The first use checks every header (sizes, colour) before writing
anything (unless --image-size and --color are both given: then decoding checks), then
decodes with a progress bar (on a terminal: "decoding N images", images/s
and the time left) into a temporary file beside the cache and
renames it into place when complete: a run interrupted or stopped by a bad file leaves
no file a later run reads. Its partial file (.partial-*) is removed on the way out.
"""
import hashlib
import json
import os
import sys
import tempfile
import time

import numpy as np
from tqdm import tqdm

from aezoo.data import image_file, remarks
from aezoo.data.download import cache_dir
from aezoo.errors import UsageError

FORMAT = 1  # bump when what a cache holds changes: older caches are then not read
MAX_SIDE = 4096  # --image-size above this is a typo: 4096 x 4096 x 3 is 48 MB an image


def parse_size(spec):
    """'32' -> (32, 32); '32x48' -> (32, 48), height x width; None -> None."""
    if spec is None:
        return None
    parts = str(spec).lower().split("x")
    if len(parts) in (1, 2) and all(p.strip().isdigit() for p in parts):
        size = tuple(int(p) for p in parts) * (3 - len(parts))
        if all(image_file.MIN_SIDE <= s <= MAX_SIDE for s in size):
            return size
    raise UsageError(f"--image-size {spec}: expected H or HxW, each side from "
                     f"{image_file.MIN_SIDE} to {MAX_SIDE} pixels, like 32 or 64x48")


def images(root, files, image_size, color, name, say=None):
    """The images of `files` (under `root`) as a read-only memory map, decoded if needed."""
    say = say or remarks.say
    path = os.path.join(cache_dir(), "images", key(root, files, image_size, color) + ".npy")
    cached = _read(path, len(files))
    if cached is not None:
        say(f"aezoo: reading {len(files)} images of {name} from the cache {path}")
        return cached
    size, color = _settle(files, parse_size(image_size), color)
    shape = (len(files),) + size + ((3,) if color == "rgb" else ())
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".partial-",
                                       suffix=".npy")
        os.close(fd)
    except OSError as e:
        raise UsageError(f"cannot write the image cache in {os.path.dirname(path)} "
                         f"({e.strerror or e}); set AEZOO_CACHE to a writable folder")
    started = time.perf_counter()
    try:
        out = np.lib.format.open_memmap(partial, mode="w+", dtype=np.uint8, shape=shape)
        with tqdm(files, desc=f"decoding {len(files)} images", unit="img", file=sys.stderr,
                  leave=False, disable=remarks.bar_off()) as bar:
            for i, file in enumerate(bar):
                out[i] = image_file.decode(file, size, color)
        out.flush()
        del out
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    seconds = time.perf_counter() - started
    # Said once it is done, so a file that stops the run leaves its one error line alone.
    say(f"aezoo: decoding {len(files)} images of {name} ({color}, {size[0]}x{size[1]}): "
        f"{seconds:.1f} s, {len(files) / max(seconds, 1e-9):.0f} images/s; cached in {path}")
    return np.load(path, mmap_mode="r")


def key(root, files, image_size, color):
    """The hash of what the decoded images depend on (the module docstring)."""
    listed, start = [], len(os.path.join(root, ""))  # every file is root/...
    for file in files:
        try:
            stat = os.stat(file)
        except OSError as e:
            raise UsageError(f"{file}: cannot be read ({e.strerror or e})")
        listed.append((file[start:], stat.st_size, stat.st_mtime_ns))
    text = json.dumps({"format": FORMAT, "root": root, "files": listed,
                       "image_size": image_size, "color": color})
    return hashlib.sha1(text.encode()).hexdigest()


def _read(path, n):
    """The cache at `path` when it is complete (n uint8 images), else None."""
    try:
        raw = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if raw.dtype != np.uint8 or raw.ndim not in (3, 4) or len(raw) != n:
        return None
    return raw


def _settle(files, size, color):
    """(size, color) of the decoded images. Without --image-size all sizes must agree;
    without --color, rgb when any image has colour: then every header is read first (a
    bad file stops the run there). Given both, nothing is read twice."""
    if size is not None and color is not None:
        return size, color
    headers = [image_file.header(f) for f in files]
    if size is None:
        sizes = {h[0] for h in headers}
        if len(sizes) > 1:
            first = headers[0][0]
            other = next(f for f, h in zip(files, headers) if h[0] != first)
            raise UsageError(f"{other} is {_shown(next(h[0] for h in headers if h[0] != first))}"
                             f" but {files[0]} is {_shown(first)}: give --image-size H[xW] to "
                             f"resize them all")
        size = headers[0][0]
    return size, color or ("rgb" if any(h[1] for h in headers) else "gray")


def _shown(size):
    return f"{size[0]}x{size[1]} (height x width)"
