"""Where a run's seconds go: its updates and evaluation, and each logger's share.

    spent = clock_parts(trainer)      # then trainer.run(epochs); spent fills in

Used by `aezoo bench` (the per-epoch files' share, TensorBoard's) and benchmarks/epoch_cost.py.
"""
import time

from aezoo.loggers import LOGGERS
from aezoo.train.tell import Tell


def clock_parts(trainer):
    """{"training", "files", one key a logger's cost names ("loss.png", "tensorboard",
    "terminal", "mlflow"): seconds}, filled in as the trainer runs: its updates and
    evaluation; the loggers, each counted in the share it declares (loggers/contract.py: cost),
    the capture of the snapshot's arrays and the other epoch-end callbacks (the checkpoint,
    and the wait for its writer at the end) in "files". A write in the background slows
    the training beside it: that shows in "training"."""
    spent = {"training": 0.0, "files": 0.0, **{cls.cost: 0.0 for cls in LOGGERS.values()}}

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
        if isinstance(callback, Tell):  # each logger on its own account, the capture in files
            if callback.capture is not None:
                callback.capture = clock(callback.capture, "files")
            for logger in callback.loggers:
                for call in ("epoch", "growth", "end"):
                    setattr(logger, call, clock(getattr(logger, call), logger.cost))
            continue
        callback.on_epoch_end = clock(callback.on_epoch_end, "files")
        # the checkpoint writer's last wait is the files' too
        callback.on_run_end = clock(callback.on_run_end, "files")
    return spent
