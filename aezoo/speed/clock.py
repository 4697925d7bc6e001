"""Where a run's seconds go: its updates and evaluation, the files each epoch writes, loss.png.

    spent = clock_parts(trainer)      # then trainer.run(epochs); spent fills in

Used by `aezoo bench` (the per-epoch files' share) and benchmarks/epoch_cost.py.
"""
import time


def clock_parts(trainer):
    """{"training", "files", "loss.png": seconds}, filled in as the trainer runs: its updates
    and evaluation, its epoch-end callbacks that write files, and the loss plot."""
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
    trainer.callbacks["epoch_end"] = [
        clock(fn, "loss.png" if type(fn).__name__ == "LossPlot" else "files")
        for fn in trainer.callbacks["epoch_end"]]
    return spent
