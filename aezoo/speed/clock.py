"""Where a run's seconds go: its updates and evaluation, the files each epoch writes, loss.png.

    spent = clock_parts(trainer)      # then trainer.run(epochs); spent fills in

Used by `aezoo bench` (the per-epoch files' share) and benchmarks/epoch_cost.py.
"""
import time

from aezoo.train.start import LossPlot
from aezoo.loggers.tensorboard import TensorBoard


def clock_parts(trainer):
    """{"training", "files", "loss.png", "tensorboard": seconds}, filled in as the trainer runs:
    its updates and evaluation, its epoch-end callbacks that write files (and the wait for the
    checkpoint writer at the end), the loss plot, and the event files of --tensorboard (apart,
    to be compared with the files). A write in the background slows the training beside it:
    that shows in "training"."""
    spent = {"training": 0.0, "files": 0.0, "loss.png": 0.0, "tensorboard": 0.0}

    def clock(fn, key):
        def wrapper(*args):
            start = time.perf_counter()
            try:
                return fn(*args)
            finally:
                spent[key] += time.perf_counter() - start
        return wrapper

    trainer.train_epoch = clock(trainer.train_epoch, "training")
    trainer.evaluate = clock(trainer.evaluate, "training")
    for callback in trainer.callbacks:
        key = ("loss.png" if isinstance(callback, LossPlot) else
               "tensorboard" if isinstance(callback, TensorBoard) else "files")
        callback.on_epoch_end = clock(callback.on_epoch_end, key)
        # the checkpoint writer's last wait is the files' too
        callback.on_run_end = clock(callback.on_run_end, "files")
    return spent
