"""Data-parallel training over MPI with ChainerMN: one run, several processes.

    mpiexec -n 2 aezoo run deep --grow-every 4 --data digits --distributed

Every process builds the same model from the same seed (rank 0's weights are
broadcast anyway), walks the same shuffled order, and takes its share of each
global batch (--batch-size stays the global batch: 2 processes take 32 each of
64). ChainerMN's multi-node optimizer averages the gradients (allreduce), so
the run follows a one-process run of the same seed. Test scores and the
epoch's train averages are summed over the processes. Only rank 0 writes.
"""
import os
import signal
import sys
import threading

import numpy as np

from aezoo.errors import UsageError
from aezoo.runs import checkpoints
from aezoo.runs.paths import shown
from aezoo.train.callbacks import Callback
from aezoo.train.loop import EVAL_BATCH

SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MPI_LOCALNRANKS")


def started_by_mpi():
    """True when mpiexec started this process as one of several."""
    return any(int(os.environ.get(name, "1") or 1) > 1 for name in SIZE_VARIABLES)


RANK_VARIABLES = ("OMPI_COMM_WORLD_RANK", "PMI_RANK")


def first_process():
    """False in a process that mpiexec started as rank 1, 2, ...: it writes and says nothing
    after training (rank 0 speaks for the run)."""
    return all(int(os.environ.get(name, "0") or 0) == 0 for name in RANK_VARIABLES)


class Cluster:
    """The processes of one run: rank, size, and what the loop needs from them."""

    def __init__(self, device_spec):
        try:
            import chainermn
        except ImportError as e:
            raise UsageError(f"--distributed needs mpi4py and an MPI: pip install 'aezoo[mpi]' ({e})")
        self.chainermn = chainermn
        gpu = str(device_spec) not in ("cpu", "-1", "@numpy")
        try:
            self.comm = chainermn.create_communicator("pure_nccl" if gpu else "naive")
        except RuntimeError as e:  # on a GPU, ChainerMN's only communicator needs NCCL
            raise UsageError(f"--distributed --device {device_spec}: ChainerMN cannot start: "
                             f"{str(e).rstrip('.')}; install NCCL (python -m "
                             f"cupyx.tools.install_library --library nccl --cuda 12.x) or use "
                             f"--device cpu")
        self.rank, self.size = self.comm.rank, self.comm.size
        self.device = str(self.comm.intra_rank) if gpu else "cpu"  # one GPU a process
        self.total = None  # samples in the batch being shared (share() notes it)

    @property
    def is_main(self):
        return self.rank == 0

    def callback(self):
        """Ctrl-C reaches every rank at once, but a rank inside an allreduce cannot act on it
        until the others arrive: so each rank only notes it, and at every batch the ranks
        agree (one tiny allreduce) to stop together, as one process would."""
        self.noted = False
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, lambda signum, frame: setattr(self, "noted", True))
        return ClusterHooks(self)

    def on_terminate(self, say):
        """When mpiexec ends the job (a rank died, or it got the Ctrl-C), it sends SIGTERM to
        the ranks still running. Their main thread may sit in an allreduce that will never
        return, so the signal is read from a wakeup pipe by a thread, which says `say()`
        once (rank 0) and ends the process."""
        if threading.current_thread() is not threading.main_thread():
            return
        read, write = os.pipe()
        os.set_blocking(write, False)
        signal.signal(signal.SIGTERM, lambda signum, frame: None)  # the byte goes to the pipe
        signal.set_wakeup_fd(write)

        def watch():
            while os.read(read, 1)[0] != signal.SIGTERM:
                pass
            if self.is_main:
                print(say(), file=sys.stderr, flush=True)
            os._exit(1)
        threading.Thread(target=watch, daemon=True).start()


    def wrap(self, optimizer, model):
        """The multi-node optimizer, primed so that its first update averages gradients
        (ChainerMN would otherwise spend it broadcasting, and skip the step)."""
        self.comm.bcast_data(model)
        wrapped = self.chainermn.create_multi_node_optimizer(optimizer, self.comm)
        wrapped.is_changed(model)
        return wrapped


    def check_shares(self, batch_size, n_train, n_test):
        """Every process needs a part of every batch, the last ones included."""
        for what, n, size in (("training", n_train, batch_size), ("test", n_test, EVAL_BATCH)):
            last = n % size or size
            if min(size, n, last) < self.size:
                raise UsageError(f"--distributed with {self.size} processes: the last {what} "
                                 f"batch has {last} samples, fewer than the processes; change "
                                 f"--batch-size")

    def share(self, indices):
        """This process's part of a batch (contiguous, as equal as the batch allows); the
        batch's size is noted for the draws made on it (SharedDraws)."""
        self.total = len(indices)
        return np.array_split(indices, self.size)[self.rank]

    def draws(self, rng):
        """What the model and its noise draw from on this process: see SharedDraws."""
        return SharedDraws(rng, self)

    def combine(self, sums, seen):
        """Sums of reported values and sample counts, over every process."""
        parts = self.comm.mpi_comm.allgather((dict(sums), seen))
        total = {}
        for part, _ in parts:
            for key, value in part.items():
                total[key] = total.get(key, 0.0) + value
        return total, sum(n for _, n in parts)


class SharedDraws:
    """The run's Generator as a process of a multi-process run draws from it.

    A draw of one row per sample (a VAE's z, --noise) is made for the whole batch the
    processes share, and this process keeps its share's rows: so every process draws the
    numbers a one-process run draws for those samples, and every generator moves on as that
    run's does. A draw of another shape (teacher forcing's one coin) is the same everywhere."""

    def __init__(self, rng, cluster):
        self.rng, self.cluster = rng, cluster

    def _draw(self, method, size, dtype):
        cluster, total = self.cluster, self.cluster.total
        if size is None or total is None or np.ndim(size) == 0:
            return getattr(self.rng, method)(size, dtype=dtype)
        rows = np.array_split(np.arange(total), cluster.size)[cluster.rank]
        if size[0] != len(rows):  # not one row per sample of this share
            return getattr(self.rng, method)(size, dtype=dtype)
        whole = getattr(self.rng, method)((total,) + tuple(size[1:]), dtype=dtype)
        return whole[rows[0]:rows[-1] + 1]

    def standard_normal(self, size=None, dtype=np.float64):
        return self._draw("standard_normal", size, dtype)

    def random(self, size=None, dtype=np.float64):
        return self._draw("random", size, dtype)


class ClusterHooks(Callback):
    """The processes stop together, and a grown model's new layers are primed on all."""

    def __init__(self, cluster):
        self.cluster = cluster

    def on_batch_start(self, trainer):
        if self.cluster.comm.mpi_comm.allreduce(int(self.cluster.noted)):
            raise KeyboardInterrupt

    def on_params_changed(self, trainer):
        """After a growth: the new layers are identical everywhere (same seed); prime again."""
        trainer.optimizer.is_changed(trainer.model)


def stopped_by_mpiexec(run_dir):
    """Rank 0's one line when mpiexec ends the job under it."""
    try:
        kept = f"epoch {checkpoints.read_meta(run_dir)['epoch']} kept"
    except UsageError:
        kept = "no epoch kept"
    return (f"aezoo run: error: mpiexec stopped the run (a process of it ended, or it was "
            f"interrupted); {kept} in {shown(run_dir)}. Continue with: aezoo run --resume "
            f"{shown(run_dir)}")
