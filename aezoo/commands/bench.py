"""How fast aezoo trains, against PyTorch on the same model, CPU and threads.

    aezoo bench [--quick] [--threads N] [--wait SECONDS] [--json FILE] [--device 0]

Each workload trains three ways, each side in a fresh process of its own
(aezoo/speed/side.py): aezoo, aezoo with its kernels off ("stock" Chainer), and its
PyTorch twin (aezoo/speed/twins.py: same layers, same starting weights, checked by the
first loss, same loss, optimizer, batch and float32), with the same thread count. After a
warm-up, rounds alternate between the processes, several times, because these machines
are noisy. First the bench waits (--wait, 300 s) for the load average to fall below 0.6 a
core (1.2 on 2 cores); if it stays above, the figures come without ratios and the exit
status is 3, as on a busy machine PyTorch's threads starve and aezoo looks 2-3x ahead.
The table gives samples per second, the ratio aezoo / PyTorch (medians of the rounds),
aezoo's GFLOP/s and its share of this machine's sgemm peak (numpy, measured in the same
run), and the BLAS kernel in use. Without PyTorch (make bench installs the CPU wheel) it
prints aezoo's own figures and says the comparison was skipped. The last line is what a
run's per-epoch files cost, as a share of its training, and what each of its loggers costs
(loggers/: TensorBoard's and MLflow's when their extras are here). With --device 0 every
side trains on that GPU (aezoo through CuPy, PyTorch through torch.cuda) and the peak is
CuPy's sgemm there.
"""
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import types

import chainer
import numpy as np
import threadpoolctl

from aezoo.commands import COMMANDS
from aezoo.commands.parser import Parser, guarded
from aezoo.data import load
from aezoo.errors import UsageError
from aezoo.loggers import LOGGERS
from aezoo.runs.atomic import atomic, check_writable
from aezoo.speed.clock import clock_parts
from aezoo.speed.side import Sides
from aezoo.train import device as devices
from aezoo.train.build import configured
from aezoo.train.plan import plan
from aezoo.train.start import prepare

DEVICE = chainer.get_device("@numpy")  # --device: where both sides train

# name -> (model, options, data, batch size)
WORKLOADS = {
    "deep MLP AE 784-1000-500-250-30": ("deep", {"hidden": [1000, 500, 250], "code_dim": 30},
                                        "mnist", 256),
    "conv AE 16-8-8, 28x28 (Keras blog)": ("conv", {"hidden": [16, 8, 8], "decoder": "keras"},
                                           "mnist", 128),
    "GRU AE T=30 D=200 hidden 100": ("gru", {"hidden": [100], "keras_version": 3,
                                             "recurrent_activation": "sigmoid"},
                                     "synthetic:1250,30,200", 250),  # 1000 to train on
    "LSTM AE T=30 D=200 hidden 100": ("lstm", {"hidden": [100], "keras_version": 3},
                                      "synthetic:1250,30,200", 250),
}


def images(n):
    """MNIST-sized images in [0, 1] (random: the speed does not depend on the pictures)."""
    return np.random.RandomState(0).rand(n, 28, 28).astype(np.float32)


def samples(data, n):
    """A workload's first n training samples."""
    return images(n) if data == "mnist" else load(data).train[:n]


LOAD_PER_CORE = 0.6  # 1.2 on 2 cores: above it PyTorch's threads starve (docs/speed.md)
BUSY = 3  # exit status: the machine stayed busy, the figures are printed without ratios


def settle(wait, loadavg=os.getloadavg, sleep=time.sleep, cores=None):
    """(load before, load after waiting, the limit): waits up to `wait` seconds, saying so,
    for the 1-minute load average to fall below LOAD_PER_CORE a core."""
    cores = cores or os.cpu_count()
    limit = LOAD_PER_CORE * cores
    before = load = loadavg()[0]
    print(f"load {before:.2f} before the bench; ratios need it below {limit:.1f} "
          f"({LOAD_PER_CORE} a core, {cores} cores)", flush=True)
    if load >= limit and wait > 0:
        print(f"aezoo bench: waiting up to {wait:g} s for the load to fall below {limit:.1f}",
              file=sys.stderr, flush=True)
    waited = 0.0
    while load >= limit and waited < wait:
        pause = min(10.0, wait - waited)
        sleep(pause)
        waited += pause
        load = loadavg()[0]
    return before, load, limit


def measure(sides, name, options, data, batch, quick, ratios):
    """One workload's figures, each side in its own process; every speed a median over
    rounds that alternate between the processes (the order turning each round)."""
    n_batches, rounds = (1, 1) if quick else (4, 5)
    x = samples(data, batch * n_batches)
    found = {"batch": batch, "pids": {}, "torch_loaded": {}, "first_loss": {}}
    ready = []
    for key, side in sides.items():
        got = side.setup(name, options, x, batch)
        found["pids"][key] = got["pid"]
        found["torch_loaded"][key] = got["torch_loaded"]
        if "skipped" in got:
            found["skipped"] = got["skipped"]
            continue
        found["first_loss"][key], flops, n = got["first"], got["flops"], got["samples"]
        ready.append(key)
    check_first_losses(name, found["first_loss"])
    times = {key: [] for key in ready}
    for r in range(1 + rounds):  # the first round warms up and is not counted
        for key in ready[r % len(ready):] + ready[:r % len(ready)]:
            times[key].append(sides[key].round())
    times = {key: t[1:] for key, t in times.items()}
    found["samples_per_s"] = {key: n / statistics.median(t) for key, t in times.items()}
    found["gflops"] = 3 * flops * found["samples_per_s"]["aezoo"] / 1e9
    if ratios and "torch" in times:  # speed ratios, round by round: aezoo (or stock) / PyTorch
        found["ratio"] = {key: statistics.median(p / a for a, p in zip(times[key], times["torch"]))
                          for key in ("aezoo", "stock")}
    return found


def check_first_losses(name, first):
    """Every side starts from the same model: the same first loss, or the bench stops."""
    for key, value in first.items():
        if abs(value - first["aezoo"]) > 1e-4 * max(1.0, abs(first["aezoo"])):
            raise RuntimeError(f"{name}: the {key} side's first loss {value} differs from "
                               f"aezoo's {first['aezoo']}: not the same model")


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def blas():
    """'openblas 0.3.23 Cooperlake, 2 threads' from threadpoolctl."""
    info = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"
            and "numpy" in i["filepath"]]  # numpy's (Chainer's), not PyTorch's own
    return ", ".join(f"{i['internal_api']} {i['version']} {i.get('architecture')}, "
                     f"{i['num_threads']} thread{'s' if i['num_threads'] != 1 else ''}"
                     for i in info) or "unknown"


def sgemm_peak(size=2048, repeats=3):
    """GFLOP/s of numpy's float32 matmul of two size x size matrices, best of `repeats`
    (CuPy's on the GPU of --device, waiting for the result)."""
    a = DEVICE.send(np.random.RandomState(0).rand(size, size).astype(np.float32))
    product = (lambda _: float((a @ a)[0, 0])) if DEVICE.xp is not np else (lambda _: a @ a)
    product(None)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        product(None)
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best / 1e9


def artifacts(folder, epochs):
    """What a run's sinks cost, as shares of its training: {"files": the per-epoch files
    (snapshot, metrics, checkpoint), then one a logger's declared cost ("loss.png",
    "terminal", "tensorboard", "mlflow")}, with every optional logger whose extra is
    installed here on (MLflow into a SQLite store in `folder`, never a configured server)."""
    np.save(os.path.join(folder, "x.npy"), (images(4000) * 255).astype(np.uint8))
    cfg, given = configured("deep", ({"data": f"npy:{os.path.join(folder, 'x.npy')}",
                                      "epochs": epochs, "video": False, "quiet": True,
                                      "device": str(DEVICE.device.id) if DEVICE.xp is not np else "cpu",
                                      "out": os.path.join(folder, "run"), **optional_loggers()},
                                     "bench"))
    uri = os.environ.pop("MLFLOW_TRACKING_URI", None)
    try:
        trainer = prepare(plan(cfg, given)).trainer
        spent = clock_parts(trainer)
        trainer.run(epochs)
    finally:
        if uri is not None:
            os.environ["MLFLOW_TRACKING_URI"] = uri
    on = {cls.cost for cls in LOGGERS.values() if cls.wanted(cfg)} | {"files"}
    return {key: spent[key] / spent["training"] for key in spent if key in on}


def optional_loggers():
    """{option: True} of the loggers that an option turns on and whose extras are installed."""
    found = {}
    for cls in LOGGERS.values():
        flags = {name: True for name, option in cls.options.items() if option.type is bool}
        try:
            cls.check(types.SimpleNamespace(**flags))
        except UsageError:
            continue
        found.update(flags)
    return found


def table(results, peak, threads):
    """The Speed page's rows: one a workload, at this run's thread count."""
    lines = ["| workload | threads | aezoo samples/s | stock Chainer | PyTorch | aezoo / PyTorch | "
             "stock / PyTorch | aezoo GFLOP/s | of sgemm peak |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for name, r in results.items():
        rate, ratio = r["samples_per_s"], r.get("ratio", {})
        cell = lambda v, spec: "–" if v is None else format(v, spec)  # noqa: E731
        lines.append(f"| {name} | {threads} | {rate['aezoo']:,.0f} | {rate['stock']:,.0f} | "
                     f"{cell(rate.get('torch'), ',.0f')} | {cell(ratio.get('aezoo'), '.2f')}× | "
                     f"{cell(ratio.get('stock'), '.2f')}× | {r['gflops']:.1f} | "
                     f"{100 * r['gflops'] / peak:.0f} % |")
    return "\n".join(lines)


def parser():
    p = Parser(prog="aezoo bench", description=COMMANDS["bench"])
    p.add_argument("--quick", action="store_true", help="one small round each: a smoke test")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--threads", type=int, default=os.cpu_count(),
                   help="threads for every side: numpy's BLAS, PyTorch (default: one a core)")
    p.add_argument("--device", default="cpu", help="cpu, or a GPU id such as 0 (default: cpu)")
    p.add_argument("--wait", type=float, default=300, metavar="SECONDS",
                   help="how long to wait for the load to fall below 0.6 a core before "
                        "measuring; still above it, no ratios and exit status 3 (default: 300)")
    return p


def main(argv=None, loadavg=os.getloadavg, sleep=time.sleep):
    """The command; `loadavg` and `sleep` are the clock of the wait (tests give their own)."""
    return guarded("aezoo bench", lambda a: _main(a, loadavg, sleep), argv)


def _main(argv, loadavg, sleep):
    args = parser().parse_args(argv)
    global DEVICE
    DEVICE = devices.get(args.device)  # no GPU: one line, exit status 2
    if not 1 <= args.threads <= 1024:
        raise UsageError(f"--threads {args.threads}: expected 1 to 1024")
    if not 0 <= args.wait <= 86400:
        raise UsageError(f"--wait {args.wait:g}: expected 0 to 86400 seconds")
    if args.json:  # before the minutes of measuring, not after them
        check_writable(args.json, "--json")
    with threadpoolctl.threadpool_limits(limits=args.threads, user_api="blas"):
        return bench(args, loadavg, sleep)


def bench(args, loadavg=os.getloadavg, sleep=time.sleep):
    before, after, limit = settle(args.wait, loadavg, sleep)
    busy = after >= limit
    peak = sgemm_peak(512 if args.quick else 2048)
    with Sides(["aezoo", "stock", "torch"], args.threads, args.device) as sides:
        torch_ok = sides["torch"].has_torch()  # torch is imported in its own process only
        if not torch_ok:
            sides.pop("torch").close()
        results = {name: measure(sides, *spec, args.quick, not busy)
                   for name, spec in WORKLOADS.items()}
    with tempfile.TemporaryDirectory() as folder:
        shares = artifacts(folder, 1 if args.quick else 3)
    if DEVICE.xp is np:
        print(f"machine: {cpu_name()}, {os.cpu_count()} cores, load {before:.2f} before the run"
              f"{'' if after == before else f', {after:.2f} after the wait'}; BLAS: {blas()}; "
              f"numpy sgemm peak {peak:.0f} GFLOP/s")
    else:
        name = DEVICE.xp.cuda.runtime.getDeviceProperties(DEVICE.device.id)["name"].decode()
        print(f"GPU {DEVICE.device.id}: {name}; CuPy {DEVICE.xp.__version__}, cuDNN "
              f"{'on' if chainer.backends.cuda.cudnn_enabled else 'off'}; CuPy sgemm peak "
              f"{peak:.0f} GFLOP/s")
    print(table(results, peak, args.threads))
    if not torch_ok:
        print("PyTorch is not installed: the comparison was skipped (make bench, or pip install "
              "torch, the CPU wheel)")
    for name, r in results.items():
        if "skipped" in r:
            print(f"{name}: comparison skipped, {r['skipped']}")
    refused = (f"the load stayed at {after:.2f}, above {limit:.1f} ({LOAD_PER_CORE} a core), "
               f"after waiting {args.wait:g} s" if busy else None)
    if refused:
        print(f"aezoo bench: no ratios: {refused}; on a busy machine they measure the "
              f"contention, not the code (exit status {BUSY})", file=sys.stderr)
    others = ", ".join(f"{key} {100 * share:.1f} %" for key, share in shares.items()
                       if key != "files")
    print(f"per-epoch files of a run (deep, MNIST-sized): {100 * shares['files']:.0f} % of its "
          f"training; its loggers: {others}{f' (load {after:.2f}: a busy machine)' if busy else ''}")
    if args.json:
        with atomic(args.json) as f:
            json.dump({"results": results, "sgemm_gflops": peak, "blas": blas(),
                       "artifacts_share": shares["files"], "shares": shares, "torch": torch_ok,
                       "threads": args.threads, "load": before, "load_after_wait": after,
                       "load_limit": limit, "ratios_refused": refused}, f, indent=1)
    return BUSY if busy else 0


if __name__ == "__main__":
    sys.exit(main())
