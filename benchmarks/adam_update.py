"""One Adam update of the deep MLP's 2.7 M parameters: numpy in place against the numba kernel.

    .venv/bin/python benchmarks/adam_update.py

Interleaved, 15 rounds, medians: numpy's in-place update (the kernel before
train/update_kernel.py, eight passes on one thread) and the fused kernel on 1 and
2 threads. docs/speed.md's figures come from here.
"""
import time

import numba
import numpy as np

from aezoo.train import update_kernel

N = 2_700_000
f = np.float32


def main():
    r = np.random.RandomState(0)
    p, g, m, v = (r.rand(N).astype(np.float32) for _ in range(4))
    s = np.empty_like(p)

    def fused():
        update_kernel.adam(p, g, m, v, f(0.1), f(0.001), f(1e-8), f(1e-3))

    def numpy_in_place():
        np.multiply(g, 0.1, out=s)
        m.__imul__(0.9)
        m.__iadd__(s)
        np.multiply(g, g, out=s)
        s.__imul__(0.001)
        v.__imul__(0.999)
        v.__iadd__(s)
        np.sqrt(v, out=s)
        s.__iadd__(1e-8)
        np.divide(m, s, out=s)
        s.__imul__(1e-3)
        p.__isub__(s)

    fused()  # compiled, or loaded from the cache
    found = {"numpy in place": [], "numba, 1 thread": [], "numba, 2 threads": []}
    for _ in range(15):
        for key in found:
            if key.startswith("numba"):
                numba.set_num_threads(min(int(key.split(", ")[1][0]), numba.config.NUMBA_NUM_THREADS))
            fn = numpy_in_place if key.startswith("numpy") else fused
            start = time.perf_counter()
            fn()
            found[key].append(time.perf_counter() - start)
    print(", ".join(f"{key} {1e3 * np.median(t):.1f} ms" for key, t in found.items()))


if __name__ == "__main__":
    main()
