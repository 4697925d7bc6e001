"""The best epoch so far: its checkpoint beside the last one, and early stopping.

    --patience N    stop when the test score has not improved for N epochs

Keras' ModelCheckpoint(save_best_only) and EarlyStopping, as trainer callbacks:
`track` (first at each epoch's end) updates trainer.state["best"], which the
checkpoint keeps, so a resumed run knows its best epoch and its patience;
`save` writes checkpoint-best.npz when the epoch is the best, before the last
checkpoint: a run killed between the two redoes the epoch and writes both again.
aezoo.load(run, which="best") loads it.

The score is the model's own (`Autoencoder.best_score`: the test loss, or a VAE's
ELBO, which a KL warm-up does not move). A growth starts the count again: the
grown model is measured against itself, and patience waits for it.
"""
from aezoo.models import Growable
from aezoo.train import checkpoint


def depth_of(model):
    """A growing model's depth (its best epoch is counted anew at each), else None."""
    return model.depth if isinstance(model, Growable) else None


def score_of(trainer):
    return f"test_{trainer.model.best_score}"


def track(patience):
    def callback(trainer):
        score = score_of(trainer)
        best = trainer.state.get("best")
        if not best or best.get("score") != score or best.get("depth") != depth_of(trainer.model):
            best = trainer.state["best"] = {"score": score, "epoch": None, "value": None,
                                            "depth": depth_of(trainer.model)}
        value = trainer.metrics[score]
        if best["value"] is None or value < best["value"]:
            best.update({"epoch": trainer.epoch, "value": value})
        elif patience and trainer.epoch - max(best["epoch"], trainer.state.get("patience_from", 0)) \
                >= patience:
            trainer.stopped = (f"no better {score.replace('_', ' ')} for {patience} epochs (best "
                               f"{best['value']:.4f} at epoch {best['epoch']})")
            trainer.state["stopped_early"] = trainer.epoch
    return callback


def resumed(state, epoch):
    """A resumed run goes on even if it had stopped early: patience counts from here."""
    if state.pop("stopped_early", None) is not None:
        state["patience_from"] = epoch


def save(run_dir, version):
    def callback(trainer):
        if trainer.state["best"]["epoch"] == trainer.epoch:
            checkpoint.save(run_dir, trainer, version, checkpoint.BEST)
    return callback
