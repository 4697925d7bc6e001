"""From how many elements each elementwise numba kernel beats the numpy path it replaces.

    .venv/bin/python benchmarks/kernel_sizes.py [--threads 2]

A parallel numba call first wakes numba's threads (about 0.1 ms on the 2-core machine of
docs/speed.md), so a one-pass kernel pays only on large arrays: this times the ReLU (forward
and backward, against Chainer's numpy), and Adam's and RMSprop's updates (against aezoo's
in-place numpy and Chainer's rule) at sizes around the crossing, best of 7 x 50 calls, in
microseconds. The SMALL thresholds in models/relu_kernel.py and train/update_kernels.py come
from it. No PyTorch in this process; run it on an idle machine.
"""
import argparse
import os
import time

import numpy as np
import threadpoolctl

from aezoo.models import jit, relu_kernel
from aezoo.train import update_kernels


def best(f, reps=50):
    """Microseconds a call, best of 7 runs of `reps` calls."""
    f()  # compiles, or loads numba's cache
    fastest = float("inf")
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(reps):
            f()
        fastest = min(fastest, (time.perf_counter() - start) / reps)
    return fastest * 1e6


def relu_row(n, rng):
    x, gy = rng.randn(n).astype(np.float32), rng.randn(n).astype(np.float32)
    y, gx = np.empty_like(x), np.empty_like(x)
    kernel = best(lambda: (relu_kernel._forward(x, y), relu_kernel._backward(y, gy, gx)))
    numpy = best(lambda: (np.maximum(x, 0, dtype=x.dtype), gy * (y > 0)))  # Chainer's F.relu
    return kernel, numpy


def adam_row(n, rng):
    p, g, m, v = (rng.rand(n).astype(np.float32) for _ in range(4))
    s = np.empty_like(p)

    def numpy():  # optimizers.InPlaceAdamRule's numpy path
        np.multiply(g, 0.1, out=s); m.__imul__(0.9); m.__iadd__(s)  # noqa: E702
        np.multiply(g, g, out=s); s.__imul__(0.001); v.__imul__(0.999); v.__iadd__(s)  # noqa: E702
        np.sqrt(v, out=s); s.__iadd__(1e-8); np.divide(m, s, out=s); s.__imul__(1e-3)  # noqa: E702
        p.__isub__(s)
    return best(lambda: update_kernels.adam(p, g, m, v, 0.9, 0.999, 1e-8, 1e-3, 0.0)), best(numpy)


def rmsprop_row(n, rng):
    p, g, ms = (rng.rand(n).astype(np.float32) for _ in range(3))

    def numpy():  # Chainer's RMSprop rule on the CPU
        ms[...] *= 0.9
        ms[...] += 0.1 * g * g
        p[...] -= 1e-3 * g / (np.sqrt(ms) + 1e-7)
    return best(lambda: update_kernels.rmsprop(p, g, ms, 0.9, 1e-7, 1e-3, False)), best(numpy)


ROWS = {"relu": (relu_row, (1 << 15, 256_000, 1 << 18, 1 << 19, 1_605_632)),
        "adam": (adam_row, (60_000, 1 << 17, 250_000, 784_000)),
        "rmsprop": (rmsprop_row, (60_000, 1 << 17, 250_000, 784_000))}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=os.cpu_count())
    args = p.parse_args(argv)
    threadpoolctl.threadpool_limits(args.threads)
    jit.set_threads(args.threads)
    print(f"load {os.getloadavg()[0]:.2f}, {args.threads} threads")
    print("| kernel | elements | numba (us) | numpy (us) | numpy / numba |")
    print("|---|--:|--:|--:|--:|")
    rng = np.random.RandomState(0)
    for name, (row, sizes) in ROWS.items():
        for n in sizes:
            kernel, numpy = row(n, rng)
            print(f"| {name} | {n:,} | {kernel:.0f} | {numpy:.0f} | {numpy / kernel:.2f}× |",
                  flush=True)


if __name__ == "__main__":
    main()
