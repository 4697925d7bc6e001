"""The best epoch so far: its checkpoint beside the last one, and early stopping.

    --patience N    stop when the test score has not improved for N epochs

Keras' ModelCheckpoint(save_best_only) and EarlyStopping, as trainer callbacks:
`Tracker` (before the epoch's line and files) updates trainer.state.best, which
the checkpoint keeps, so a resumed run knows its best epoch and its patience.
When the epoch is the best (`is_best`), the checkpoint callback (train/start.py)
makes checkpoint-best.npz the same bytes as the last checkpoint, linked before
that one is renamed into place: a run killed between the two redoes the epoch
and writes both again. aezoo.load(run, which="best") loads it.

The score is the model's own (`Autoencoder.best_score`: the test loss, or a VAE's
ELBO, which a KL warm-up does not move). A growth starts the count again: the
grown model is measured against itself, and patience waits for it.
"""
from aezoo.models import Growable
from aezoo.train.callbacks import Best, Callback


def depth_of(model):
    """A growing model's depth (its best epoch is counted anew at each), else None."""
    return model.depth if isinstance(model, Growable) else None


def score_of(trainer):
    return f"test_{trainer.model.best_score}"


class Tracker(Callback):
    def __init__(self, patience):
        self.patience = patience

    def on_epoch_end(self, trainer):
        state, score, depth = trainer.state, score_of(trainer), depth_of(trainer.model)
        best = state.best
        if best is None or best.score != score or best.depth != depth:
            best = state.best = Best(score, depth=depth)
        value = trainer.metrics[score]
        if best.value is None or value < best.value:
            best.epoch, best.value = trainer.epoch, value
        elif self.patience and trainer.epoch - max(best.epoch, state.patience_from) >= self.patience:
            trainer.stopped = (f"no better {score.replace('_', ' ')} for {self.patience} epochs "
                               f"(best {best.value:.4f} at epoch {best.epoch})")
            state.stopped_early = trainer.epoch


def resumed(state, epoch):
    """A resumed run goes on even if it had stopped early: patience counts from here."""
    if state.stopped_early is not None:
        state.stopped_early = None
        state.patience_from = epoch


def is_best(trainer):
    """Whether the epoch just ended is the best so far (Tracker ran before)."""
    return trainer.state.best is not None and trainer.state.best.epoch == trainer.epoch
