"""How fast aezoo trains, against PyTorch on the same model, CPU and threads.

    aezoo bench [--quick] [--threads N] [--json FILE] [--device 0]

Each workload trains one aezoo model and its PyTorch twin (aezoo/speed/twins.py:
same layers, same starting weights, same loss, optimizer, batch and float32) in
this one process, after a warm-up, interleaving the two (and aezoo with its fast
kernels off, "stock") several times, because these machines are noisy. The table
gives samples per second, the ratio aezoo / PyTorch (medians of the rounds),
aezoo's GFLOP/s and its share of this machine's sgemm peak (numpy, measured in
the same run), and the BLAS kernel in use. Without PyTorch (pip install torch,
the CPU wheel) it prints aezoo's own figures and says the comparison was skipped.
The last line is what a run's per-epoch files cost, as a share of its training, and what
each of its loggers costs (loggers/: TensorBoard's and MLflow's when their extras are here).
With --device 0 both sides train on that GPU (aezoo through CuPy, PyTorch through torch.cuda)
and the peak is CuPy's sgemm there.
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
from aezoo.models import fast
from aezoo.speed.clock import clock_parts
from aezoo.train import device as devices
from aezoo.train.build import build_model, configured
from aezoo.train.optimizers import build_optimizer
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


def setup(name, options, data, batch, n_batches):
    cfg, _ = configured(name, (options, "bench workload"))
    x = images(batch * n_batches) if data == "mnist" else load(data).train[:batch * n_batches]
    model = build_model(cfg, x.shape[1:], np.random.default_rng(0))
    model.to_device(DEVICE)
    return cfg, model, build_optimizer(cfg, model), [DEVICE.send(x[i:i + batch])
                                                     for i in range(0, len(x), batch)]


GATES = {"simplernn": 1, "gru": 3, "lstm": 4}  # blocks of units in a recurrent layer's kernel


def forward_flops(model):
    """Multiply-adds x 2 of one sample's forward pass, from the model's layers."""
    total = 0
    for layer in model.layers():
        if layer["type"] == "dense":
            total += 2 * layer["in"][0] * layer["out"][0]
        elif layer["type"] == "conv3x3":
            total += 2 * layer["in"][0] * int(np.prod(layer["out"])) * 9
        elif layer["type"] in GATES:
            steps, n_in = layer["in"]
            total += steps * 2 * GATES[layer["type"]] * layer["units"] * (n_in + layer["units"])
    return total


def aezoo_step(model, optimizer):
    def step(x):
        loss = model(x)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        return float(loss.array)
    return step


def torch_step(model, cfg, batches):
    """(step, first loss) of the model's PyTorch twin (KeyError: no twin for a layer)."""
    import torch
    from aezoo.speed.twins import optimizer, twin
    torch.set_num_threads(blas_threads())  # as many as numpy's BLAS has
    gpu = DEVICE.xp is not np
    where = f"cuda:{DEVICE.device.id}" if gpu else "cpu"
    model.to_cpu()  # the twin copies the weights from numpy
    net, loss_fn = twin(model)
    model.to_device(DEVICE)
    net = net.to(where)
    opt = optimizer(cfg.optimizer, net.parameters(), cfg.lr or 1e-3)
    tensors = {id(b): torch.from_numpy(chainer.backends.cuda.to_cpu(b)).to(where) for b in batches}

    def step(x):
        t = tensors[id(x)]
        opt.zero_grad(set_to_none=True)  # torch's default, said out loud
        loss = loss_fn(net(t), t)
        loss.backward()
        opt.step()
        if gpu:  # aezoo's step waits for its loss too
            torch.cuda.synchronize()
    with torch.no_grad():
        first = float(loss_fn(net(tensors[id(batches[0])]), tensors[id(batches[0])]))
    return step, first


def timed(step, batches):
    start = time.perf_counter()
    for x in batches:
        step(x)
    return time.perf_counter() - start


def measure(name, options, data, batch, quick, torch_ok):
    """One workload's figures; every speed a median over interleaved rounds."""
    n_batches, rounds = (1, 1) if quick else (4, 5)
    cfg, model, optimizer, batches = setup(name, options, data, batch, n_batches)
    with chainer.using_config("train", False):
        first = float(model(batches[0]).array)
    step = aezoo_step(model, optimizer)
    steps = {"aezoo": step, "stock": step}  # the same step, kernels on and off (fast.enabled)
    found = {"batch": batch}
    if torch_ok:
        try:
            steps["torch"], torch_first = torch_step(model, cfg, batches)
        except KeyError as e:
            found["skipped"] = f"no PyTorch twin for a {e} layer"
        else:
            if abs(torch_first - first) > 1e-4 * max(1.0, abs(first)):  # not the same model
                raise RuntimeError(f"{name}: the PyTorch twin's first loss {torch_first} "
                                   f"differs from aezoo's {first}")
    times = {key: [] for key in steps}
    for _ in range(1 + rounds):  # the first round warms up and is not counted
        for key, step in steps.items():
            with fast.enabled(key != "stock"):
                times[key].append(timed(step, batches))
    times = {key: t[1:] for key, t in times.items()}
    samples = sum(len(x) for x in batches)
    found["samples_per_s"] = {key: samples / statistics.median(t) for key, t in times.items()}
    found["gflops"] = 3 * forward_flops(model) * found["samples_per_s"]["aezoo"] / 1e9
    if "torch" in times:  # speed ratios, round by round: aezoo (or stock) against PyTorch
        found["ratio"] = {key: statistics.median(p / a for a, p in zip(times[key], times["torch"]))
                          for key in ("aezoo", "stock")}
    return found


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def blas_threads():
    return max([i["num_threads"] for i in threadpoolctl.threadpool_info()
                if "numpy" in i["filepath"]] or [1])


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
    best = min(timed(product, [None]) for _ in range(repeats))
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


def table(results, peak):
    lines = ["| workload | aezoo samples/s | stock Chainer | PyTorch | aezoo / PyTorch | "
             "stock / PyTorch | aezoo GFLOP/s | of sgemm peak |", "|---|--:|--:|--:|--:|--:|--:|--:|"]
    for name, r in results.items():
        rate, ratio = r["samples_per_s"], r.get("ratio", {})
        cell = lambda v, spec: "–" if v is None else format(v, spec)  # noqa: E731
        lines.append(f"| {name} | {rate['aezoo']:,.0f} | {rate['stock']:,.0f} | "
                     f"{cell(rate.get('torch'), ',.0f')} | {cell(ratio.get('aezoo'), '.2f')}× | "
                     f"{cell(ratio.get('stock'), '.2f')}× | {r['gflops']:.1f} | "
                     f"{100 * r['gflops'] / peak:.0f} % |")
    return "\n".join(lines)


def parser():
    p = Parser(prog="aezoo bench", description=COMMANDS["bench"])
    p.add_argument("--quick", action="store_true", help="one small round each: a smoke test")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--threads", type=int, default=os.cpu_count(),
                   help="threads for numpy's BLAS and for PyTorch (default: one a core)")
    p.add_argument("--device", default="cpu", help="cpu, or a GPU id such as 0 (default: cpu)")
    return p


def main(argv=None):
    return guarded("aezoo bench", _main, argv)


def _main(argv):
    args = parser().parse_args(argv)
    global DEVICE
    DEVICE = devices.get(args.device)  # no GPU: one line, exit status 2
    if not 1 <= args.threads <= 1024:
        raise UsageError(f"--threads {args.threads}: expected 1 to 1024")
    if args.json:  # before the minutes of measuring, not after them
        check_writable(args.json, "--json")
    with threadpoolctl.threadpool_limits(limits=args.threads, user_api="blas"):
        return bench(args)


def bench(args):
    load = os.getloadavg()[0]  # before this run's own threads count
    try:
        import torch
        torch_ok = DEVICE.xp is np or torch.cuda.is_available()
    except ImportError:
        torch_ok = False
    peak = sgemm_peak(512 if args.quick else 2048)
    results = {name: measure(*spec, args.quick, torch_ok) for name, spec in WORKLOADS.items()}
    with tempfile.TemporaryDirectory() as folder:
        shares = artifacts(folder, 1 if args.quick else 3)
    if DEVICE.xp is np:
        print(f"machine: {cpu_name()}, {os.cpu_count()} cores, load {load:.1f} before the run; "
              f"BLAS: {blas()}; numpy sgemm peak {peak:.0f} GFLOP/s")
    else:
        name = DEVICE.xp.cuda.runtime.getDeviceProperties(DEVICE.device.id)["name"].decode()
        print(f"GPU {DEVICE.device.id}: {name}; CuPy {DEVICE.xp.__version__}, cuDNN "
              f"{'on' if chainer.backends.cuda.cudnn_enabled else 'off'}; CuPy sgemm peak "
              f"{peak:.0f} GFLOP/s")
    if load > 0.5 * os.cpu_count():
        print(f"aezoo bench: warning: the machine was busy (load {load:.1f}); the ratios are "
              f"rougher" + ("; PyTorch's OpenMP threads suffer most from it, try --threads 1"
                            if args.threads > 1 else ""), file=sys.stderr)
    print(table(results, peak))
    if not torch_ok:
        print("PyTorch is not installed: the comparison was skipped (pip install torch)"
              if DEVICE.xp is np or "torch" not in sys.modules else
              "PyTorch has no CUDA here: the comparison was skipped (a CUDA build of torch)")
    for name, r in results.items():
        if "skipped" in r:
            print(f"{name}: comparison skipped, {r['skipped']}")
    others = ", ".join(f"{key} {100 * share:.1f} %" for key, share in shares.items()
                       if key != "files")
    print(f"per-epoch files of a run (deep, MNIST-sized): {100 * shares['files']:.0f} % of its "
          f"training; its loggers: {others}")
    if args.json:
        with atomic(args.json) as f:
            json.dump({"results": results, "sgemm_gflops": peak, "blas": blas(),
                       "artifacts_share": shares["files"], "shares": shares, "torch": torch_ok, "threads": args.threads,
                       "load": load}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
