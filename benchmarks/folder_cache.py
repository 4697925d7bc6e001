"""A folder of images: the first decode into aezoo's cache, a cached run's start-up, and a
plain Pillow loop that decodes the folder every time, side by side.

    .venv/bin/python benchmarks/folder_cache.py [--images 3000] [--side 64] [--size 32]

Generates --images JPEG and PNG photographs-like pictures (smooth colour gradients plus
noise, --side pixels a side, in 10 class folders) in a temporary folder, then, each in a
fresh process (imports and all, as a run starts), times:
  decode   aezoo.data.load("folder:DIR", image_size, color="rgb") with an empty cache: list,
           decode, resize (ImageOps.fit) and write the uint8 memory-mapped cache; then again
           without --color into another cache, so every header is read first to find it;
  cached   the first call again: list and stat the folder, map the cache, split, and the
           value range and fingerprint (one pass over the pixels);
  pillow   a plain loop over the same files: Image.open, convert("RGB"), ImageOps.fit,
           into one float32 array: what a run without a cache pays on every start.
Prints seconds (after the imports, shown apart) and images/s of each, the ratios, and the
load average beside them
(the machine may be shared: compare the ratios). torchvision is not measured: a torchvision
matching the bench's torch needs setuptools >= 77, and aezoo pins setuptools < 74.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

LOAD = """
import sys, time
start = time.perf_counter()
from aezoo.data import load
imported = time.perf_counter()
found = load("folder:" + sys.argv[1], image_size=sys.argv[2], color=sys.argv[3] or None)
print(time.perf_counter() - imported, imported - start, len(found.train) + len(found.test))
"""

PILLOW = """
import os, sys, time
start = time.perf_counter()
import numpy as np
from PIL import Image, ImageOps
imported = time.perf_counter()
size = int(sys.argv[2])
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs)
out = np.empty((len(files), size, size, 3), np.float32)
for i, f in enumerate(files):
    with Image.open(f) as image:
        out[i] = np.asarray(ImageOps.fit(image.convert("RGB"), (size, size),
                                         Image.Resampling.BICUBIC)) / np.float32(255)
print(time.perf_counter() - imported, imported - start, len(files))
"""


def generate(folder, n, side, seed=0):
    from PIL import Image
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:side, 0:side] / side
    for i in range(n):
        label = i % 10
        os.makedirs(os.path.join(folder, f"class{label}"), exist_ok=True)
        colour = rng.rand(3, 1, 1)
        pixels = (colour * (x + y) / 2 + 0.3 * rng.rand(3, side, side)).transpose(1, 2, 0)
        image = Image.fromarray((np.clip(pixels, 0, 1) * 255).astype(np.uint8))
        image.save(os.path.join(folder, f"class{label}", f"{i:05d}.{'jpg' if i % 2 else 'png'}"))


def timed(script, folder, size, env, color=""):
    """(seconds after the imports, seconds of the imports, images) of `script` in a new process."""
    done = subprocess.run([sys.executable, "-c", script, folder, str(size), color], env=env,
                          capture_output=True, text=True, check=True)
    seconds, imports, n = done.stdout.split()
    return float(seconds), float(imports), int(n)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--images", type=int, default=3000)
    p.add_argument("--side", type=int, default=64, help="generated images' side in pixels")
    p.add_argument("--size", type=int, default=32, help="--image-size they are decoded to")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as root:
        folder = os.path.join(root, "images")
        generate(folder, args.images, args.side)
        env = {**os.environ, "AEZOO_CACHE": os.path.join(root, "cache")}
        load = os.getloadavg()[0]
        rows = [("decode, --color rgb", timed(LOAD, folder, args.size, env, "rgb")),
                ("cached run", timed(LOAD, folder, args.size, env, "rgb")),
                ("plain Pillow loop", timed(PILLOW, folder, args.size, env))]
        env["AEZOO_CACHE"] = os.path.join(root, "cache2")  # again, the colour found by headers
        rows.insert(1, ("decode, colour found", timed(LOAD, folder, args.size, env)))
        load = (load + os.getloadavg()[0]) / 2
    n = rows[0][1][2]
    print(f"{n} images of {args.side}x{args.side} (half JPEG, half PNG) to {args.size}x{args.size} "
          f"rgb; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"  {'':22s} {'seconds':>8s} {'images/s':>9s}  (imports apart: seconds)")
    for name, (seconds, imports, _) in rows:
        print(f"  {name:22s} {seconds:8.2f} {n / seconds:9.0f}  ({imports:.2f})")
    times = {name: seconds for name, (seconds, _, _) in rows}
    pillow = times["plain Pillow loop"]
    print(f"  a cached run's data is ready in {times['cached run'] / pillow:.3f} of the Pillow "
          f"loop's time; the first decode takes {times['decode, --color rgb'] / pillow:.2f} of "
          f"it ({times['decode, colour found'] / pillow:.2f} when the colour is found from the "
          f"headers)")


if __name__ == "__main__":
    main()
