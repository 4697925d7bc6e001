"""What each of aezoo's numba kernels gains, on the bench's workloads it serves.

    .venv/bin/python benchmarks/kernel_gains.py [--threads N] [--rounds 5] [--only adam,bce]
    .venv/bin/python benchmarks/kernel_gains.py --only all    # all of them at once

For each kernel and workload two fresh processes train the same model from the same
weights (aezoo/speed/side.py): aezoo as it is, and aezoo with that one kernel switched off
(AEZOO_KERNELS_OFF=name), its caller's numpy or Chainer path taking over. After a warm-up,
rounds alternate between the two, the order turning each round; the gain is the median of
the rounds' time without the kernel over the time with it (above 1: the kernel pays). As
`aezoo bench` does, it first waits for the load to fall below 0.6 a core and says so when
it did not (the figures then measure contention). The rows are markdown, for docs/speed.md.
"""
import argparse
import os
import statistics
import sys

import threadpoolctl

from aezoo.commands.bench import WORKLOADS, check_first_losses, samples, settle
from aezoo.speed.side import Sides

# kernel -> the start of each bench workload's name that it serves
KERNELS = {
    "adam": ("deep MLP", "conv"),  # the optimizer each workload trains with
    "rmsprop": ("GRU", "LSTM"),
    "bce": ("deep MLP", "conv"),
    "relu": ("deep MLP", "conv"),
    "conv_direct": ("conv",),
    "maxpool": ("conv",),
    "unpool": ("conv",),
    "gru_gates": ("GRU",),
    "lstm_gates": ("LSTM",),
}
ALL = "all"  # --only all: every kernel above off at once, on every workload


def gain(kernel, workload, threads, rounds):
    """(samples/s with the kernel, without it, median ratio of the rounds' times)."""
    model, options, data, batch = WORKLOADS[workload]
    x = samples(data, batch * 4)
    names = ["with", "without"]
    off = ",".join(KERNELS) if kernel == ALL else kernel
    with Sides(names, threads, "cpu", envs={"without": {"AEZOO_KERNELS_OFF": off}}) as sides:
        first = {}
        for name in names:
            got = sides[name].setup(model, options, x, batch)
            first["aezoo" if name == "with" else name] = got["first"]
        check_first_losses(workload, first)
        times = {name: [] for name in names}
        for r in range(1 + rounds):  # the first round warms up (and compiles) and is not counted
            for name in (names if r % 2 else names[::-1]):
                times[name].append(sides[name].round())
    times = {name: t[1:] for name, t in times.items()}
    rate = {name: len(x) / statistics.median(t) for name, t in times.items()}
    return rate["with"], rate["without"], statistics.median(
        b / a for a, b in zip(times["with"], times["without"]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--only", help="kernels to time, comma-separated (default: all)")
    p.add_argument("--wait", type=float, default=300)
    args = p.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(KERNELS)
    unknown = sorted(set(chosen) - set(KERNELS) - {ALL})
    if unknown:
        sys.exit(f"kernel_gains.py: --only {','.join(unknown)}: expected some of "
                 f"{', '.join(KERNELS)}, or {ALL}")
    _, load, limit = settle(args.wait)
    print("| kernel | workload | threads | with it (samples/s) | without | gain |")
    print("|---|---|--:|--:|--:|--:|")
    with threadpoolctl.threadpool_limits(limits=args.threads, user_api="blas"):
        for kernel in chosen:
            serves = ("",) if kernel == ALL else KERNELS[kernel]
            for workload in (w for w in WORKLOADS for start in serves if w.startswith(start)):
                with_it, without, ratio = gain(kernel, workload, args.threads, args.rounds)
                print(f"| {kernel} | {workload} | {args.threads} | {with_it:,.0f} | "
                      f"{without:,.0f} | {ratio:.2f}× |", flush=True)
    after = os.getloadavg()[0]
    print(f"load {load:.2f} before, {after:.2f} after"
          f"{'' if load < limit else ': a busy machine, the gains measure contention'}")


if __name__ == "__main__":
    main()
