"""The best epoch so far: its checkpoint beside the last one, and early stopping.

    --patience N    stop when the test loss has not improved for N epochs

Keras' ModelCheckpoint(save_best_only) and EarlyStopping, as trainer callbacks:
`track` (first at each epoch's end) updates trainer.state["best"], which the
checkpoint keeps, so a resumed run knows its best epoch and its patience;
`save` (after the last checkpoint) copies that checkpoint to checkpoint-best.npz
when the epoch is the best. aezoo.load(run, which="best") loads it.
"""
import os
import shutil

from aezoo.record.files import atomic
from aezoo.train import checkpoint

SCORE = "test_loss"  # what "best" means: the model's own test loss


def track(patience):
    def callback(trainer):
        best = trainer.state.setdefault("best", {"epoch": None, SCORE: None})
        loss = trainer.metrics[SCORE]
        if best[SCORE] is None or loss < best[SCORE]:
            best.update({"epoch": trainer.epoch, SCORE: loss})
        elif patience and trainer.epoch - best["epoch"] >= patience:
            trainer.stopped = (f"no better test loss for {patience} epochs (best "
                               f"{best[SCORE]:.4f} at epoch {best['epoch']})")
            trainer.state["stopped_early"] = trainer.epoch
    return callback


def save(run_dir):
    def callback(trainer):
        if trainer.state["best"]["epoch"] == trainer.epoch:
            with open(os.path.join(run_dir, checkpoint.FILE), "rb") as source, \
                    atomic(os.path.join(run_dir, checkpoint.BEST), "wb") as target:
                shutil.copyfileobj(source, target)
    return callback
