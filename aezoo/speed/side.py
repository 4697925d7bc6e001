"""One side of `aezoo bench` in a fresh process of its own: aezoo, stock Chainer or PyTorch.

    with Sides(["aezoo", "stock", "torch"], threads=2, device="cpu") as sides:
        sides["torch"].setup(model, options, x, batch)  # {"pid", "first", "flops", ...}
        sides["torch"].round()                          # seconds of one pass over x
        sides["torch"].has_torch()                      # False: PyTorch is not installed

A side's process may be given environment variables (Sides(..., envs={name: {...}})):
benchmarks/kernel_gains.py starts aezoo with AEZOO_KERNELS_OFF=name beside aezoo.

Each side has its own process so that its threads (numpy's BLAS, PyTorch's OpenMP) never
share a process with another side's: a user's run has no PyTorch in it, and timing numba or
aezoo's kernels beside PyTorch's threads measured their fight, not the code. Every process
starts with the same thread count (set in its environment before numpy or torch load, then
again through threadpoolctl and torch.set_num_threads) and builds the model from the same
seed, so every side starts from the same weights; the bench compares the first losses.
"""
import multiprocessing
import os
import signal
import time
import traceback

import numpy as np

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
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


def build(name, options, x, batch, device):
    """(cfg, model on the device, its batches): the same weights in every process (seed 0)."""
    from aezoo.train.build import build_model, configured
    cfg, _ = configured(name, (options, "bench workload"))
    model = build_model(cfg, x.shape[1:], np.random.default_rng(0))
    model.to_device(device)
    return cfg, model, [device.send(x[i:i + batch]) for i in range(0, len(x), batch)]


def chainer_step(cfg, model, batches, device):
    """(step, first loss) of aezoo's model, kernels on or off as the process was told."""
    import chainer
    from aezoo.train.optimizers import build_optimizer
    optimizer = build_optimizer(cfg, model)
    with chainer.using_config("train", False):
        first = float(model(batches[0]).array)

    def step(x):
        loss = model(x)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        return float(loss.array)  # waits for the GPU too
    return step, first


def torch_step(cfg, model, batches, device):
    """(step, first loss) of the model's PyTorch twin (KeyError: no twin for a layer)."""
    import chainer
    import torch
    from aezoo.speed.twins import optimizer, twin
    gpu = device.xp is not np
    if gpu and not torch.cuda.is_available():
        raise LookupError("PyTorch has no CUDA here (a CUDA build of torch)")
    where = f"cuda:{device.device.id}" if gpu else "cpu"
    model.to_cpu()  # the twin copies the weights from numpy
    net, loss_fn = twin(model)
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


def serve(conn, side, threads, device_spec):
    """The side's process: answers setup and round requests until told to close."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the bench's: it ends this process
    import sys
    import threadpoolctl
    from aezoo.models import fast
    from aezoo.train import device as devices
    threadpoolctl.threadpool_limits(limits=threads)
    from aezoo.models import jit
    jit.set_threads(threads)  # aezoo's numba kernels: the same count as the BLAS
    torch_ok = False
    if side == "torch":
        try:
            import torch
            torch.set_num_threads(threads)
            torch_ok = True
        except ImportError:  # the bench says the comparison was skipped
            pass
    device = devices.get(device_spec)
    step = batches = None
    with fast.enabled(side != "stock"):  # other names: aezoo, with AEZOO_KERNELS_OFF if given
        while True:
            request = conn.recv()
            try:
                if request[0] == "close":
                    return
                if request[0] == "torch":  # whether PyTorch is installed, asked of its side
                    conn.send(("ok", torch_ok))
                    continue
                if request[0] == "setup":
                    cfg, model, batches = build(*request[1:], device)
                    flops = forward_flops(model)
                    try:
                        step, first = (torch_step if side == "torch" else chainer_step)(
                            cfg, model, batches, device)
                    except KeyError as e:
                        reply = {"skipped": f"no PyTorch twin for a {e} layer"}
                    except LookupError as e:
                        reply = {"skipped": str(e)}
                    else:
                        reply = {"first": first, "flops": flops,
                                 "samples": sum(len(x) for x in batches)}
                    reply.update(pid=os.getpid(), torch_loaded="torch" in sys.modules)
                else:  # a round: one pass over the batches
                    start = time.perf_counter()
                    for x in batches:
                        step(x)
                    reply = time.perf_counter() - start
                conn.send(("ok", reply))
            except Exception:
                conn.send(("error", traceback.format_exc()))


class Side:
    """The bench's end of one side's process."""

    def __init__(self, name, threads, device, env=None):
        self.name = name
        context = multiprocessing.get_context("spawn")  # fresh: nothing of this process's
        self.conn, theirs = context.Pipe()
        env = {**{key: str(threads) for key in THREAD_VARIABLES}, **(env or {})}
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        try:  # the child reads its thread counts from its environment as numpy/torch load
            self.process = context.Process(target=serve, args=(theirs, name, threads, device),
                                           daemon=True, name=f"aezoo bench: {name}")
            self.process.start()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        theirs.close()

    def ask(self, *request):
        try:
            self.conn.send(request)
            status, reply = self.conn.recv()
        except (EOFError, BrokenPipeError):
            self.process.join(5)
            raise RuntimeError(f"the bench's {self.name} process ended "
                               f"(exit code {self.process.exitcode})") from None
        if status == "error":
            raise RuntimeError(f"the bench's {self.name} process failed:\n{reply}")
        return reply

    def setup(self, model, options, x, batch):
        return self.ask("setup", model, options, x, batch)

    def has_torch(self):
        return self.ask("torch")

    def round(self):
        return self.ask("round")

    def close(self):
        try:
            self.conn.send(("close",))
        except (BrokenPipeError, OSError):
            pass
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.conn.close()


class Sides(dict):
    """{side name: Side}, every process closed at the end of the `with`, even on an error."""

    def __init__(self, names, threads, device, envs=None):
        super().__init__()
        try:
            for name in names:
                self[name] = Side(name, threads, device, (envs or {}).get(name))
        except BaseException:
            self.close()
            raise

    def close(self):
        for side in self.values():
            side.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
