"""The direct 3x3 convolution (models/conv_direct.py) against im2col (models/kernels.py),
side by side in one process, on the bench's conv AE's shapes and a few wider ones.

    nice -n 10 .venv/bin/python benchmarks/conv_shapes.py [--threads 1] [--repeats 7]

For each shape (batch 128): milliseconds of the forward pass and of the backward pass
(the weights' and bias's gradients, and the input's where the model needs it: not for
the data), medians of the rounds, the two kernels alternating round by round; GFLOP/s
(2 x multiply-adds / time) and that as a share of numpy's sgemm peak at the same threads.
The load average is printed before and after: on a busy machine only the ratios mean much.
"""
import argparse
import os
import sys
import time


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--batch", type=int, default=128)
    args = p.parse_args(argv)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(args.threads)  # before numpy loads
    import numpy as np
    from threadpoolctl import threadpool_limits

    from aezoo.commands.bench import sgemm_peak
    from aezoo.models import conv_direct, jit, kernels

    threadpool_limits(args.threads)
    jit.set_threads(args.threads)
    # (C_in, C_out, side, pad, the input's gradient wanted): the conv AE 16-8-8 on 28x28
    # with the Keras blog's decoder, in the order it runs them, then wider layers
    shapes = [(1, 16, 28, 1, False), (16, 8, 14, 1, True), (8, 8, 7, 1, True),
              (8, 8, 4, 1, True), (8, 8, 8, 1, True), (8, 16, 16, 0, True),
              (16, 1, 28, 1, True), (32, 32, 14, 1, True), (64, 64, 7, 1, True),
              (32, 32, 28, 1, True),
              # colour pictures (folder:, cifar10: 3 channels in and out) and wider layers
              (3, 32, 32, 1, False), (32, 3, 32, 1, True), (64, 64, 14, 1, True),
              (64, 64, 28, 1, True), (128, 128, 7, 1, True), (128, 128, 14, 1, True)]
    rng = np.random.RandomState(0)
    print(f"load {os.getloadavg()[0]:.2f}, {args.threads} thread(s), batch {args.batch}; "
          f"sgemm peak ", end="", flush=True)
    peak = sgemm_peak()
    print(f"{peak:.0f} GFLOP/s")
    print("| C_in -> C_out | side | pad | direct fwd ms | im2col fwd ms | direct bwd ms | "
          "im2col bwd ms | direct / im2col (fwd+bwd) | direct GFLOP/s | of peak |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for c_in, c_out, side, pad, need_x in shapes:
        x = rng.rand(args.batch, c_in, side, side).astype(np.float32)
        w = rng.randn(c_out, c_in, 3, 3).astype(np.float32)
        b = rng.randn(c_out).astype(np.float32)
        out = side + 2 * pad - 2
        gy = rng.randn(args.batch, c_out, out, out).astype(np.float32)
        macs = args.batch * c_out * c_in * 9 * out * out
        flops = 2 * macs * (3 if need_x else 2)  # forward, weights', input's

        def direct():
            t0 = time.perf_counter()
            conv_direct.ConvDirect(pad).forward_cpu((x, w, b))
            t1 = time.perf_counter()
            conv_direct.ConvDirectGrad(pad, need_x).forward_cpu((x, w, gy))
            return t1 - t0, time.perf_counter() - t1

        def im2col():
            t0 = time.perf_counter()
            node = kernels.Conv3x3Node(pad)
            node.forward_cpu((x, w, b))
            t1 = time.perf_counter()
            kernels.Conv3x3Grad(pad, node.cols, need_x).forward_cpu((w, gy))
            return t1 - t0, time.perf_counter() - t1

        direct(), im2col()  # compile, warm the caches
        times = {direct: [], im2col: []}
        for r in range(args.repeats):
            for fn in ((direct, im2col) if r % 2 == 0 else (im2col, direct)):
                times[fn].append(fn())
        med = {fn: np.median(np.array(t), axis=0) * 1e3 for fn, t in times.items()}
        d, i = med[direct], med[im2col]
        gflops = flops / (d.sum() * 1e-3) / 1e9
        print(f"| {c_in} -> {c_out} | {side} | {pad} | {d[0]:.2f} | {i[0]:.2f} | {d[1]:.2f} | "
              f"{i[1]:.2f} | {d.sum() / i.sum():.2f} | {gflops:.1f} | {100 * gflops / peak:.0f} % |",
              flush=True)
    print(f"load {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
