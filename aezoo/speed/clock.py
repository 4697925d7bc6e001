"""Where a run's seconds go: its updates and evaluation, the files each epoch writes, loss.png.

    spent = clock_parts(trainer)      # then trainer.run(epochs); spent fills in

Used by `aezoo bench` (the per-epoch files' share) and benchmarks/epoch_cost.py.
"""
import time

from aezoo.train.start import LossPlot


def clock_parts(trainer):
    """{"training", "files", "loss.png": seconds}, filled in as the trainer runs: its updates
    and evaluation, its epoch-end callbacks that write files (and the wait for the checkpoint
    writer at the end), and the loss plot. A write in the background slows the training
    beside it: that shows in "training"."""
    spent = {"training": 0.0, "files": 0.0, "loss.png": 0.0}

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
        callback.on_epoch_end = clock(callback.on_epoch_end,
                                      "loss.png" if isinstance(callback, LossPlot) else "files")
        # the checkpoint writer's last wait is the files' too
        callback.on_run_end = clock(callback.on_run_end, "files")
    return spent
