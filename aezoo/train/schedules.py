"""Schedules that change a value while training, each a pure function of the iteration,
so that a resumed run needs no state for them (nanoGPT's get_lr).

    --kl-warmup N        a VAE's KL weight rises linearly from 0 to beta over N epochs
    --lr-schedule step   the learning rate times 0.1 from half the run, 0.01 from 3/4
    --lr-schedule cosine the learning rate falls as half a cosine, to 0 at the last batch
    --lr-decay F         ... and then falls linearly to 0 over the last F of the run (the
                         decay phase of a warmup-stable-decay schedule: a large rate
                         explores, the decay settles; Hägele et al. 2024)

The learning-rate schedules span --epochs: resuming with more epochs stretches them.
"""
import math

from aezoo.train.callbacks import Callback
from aezoo.train.optimizers import step_size_name


def warmup(epoch, batch, n_batches, epochs):
    """1/(epochs * n_batches), 2/..., up to 1 at the last batch of epoch `epochs` (epoch 1 first)."""
    if not epochs:
        return 1.0
    return min(1.0, ((epoch - 1) * n_batches + batch + 1) / (epochs * n_batches))


def lr_factor(kind, epoch, batch, n_batches, epochs, decay=0.0):
    """The multiple of the base learning rate for `batch` of `epoch` (epoch 1 first): the
    schedule `kind`, times the final decay over the last `decay` of the run."""
    done = ((epoch - 1) * n_batches + batch) / (epochs * n_batches)  # share of the run behind
    final = min(1.0, (1 - done) / decay) if decay else 1.0
    if kind == "step":
        return final * 0.1 ** ((done >= 0.5) + (done >= 0.75))
    if kind == "cosine":
        return final * 0.5 * (1 + math.cos(math.pi * done))
    return final


def scheduled(cfg):
    """Whether the learning rate changes over the run."""
    return cfg.lr_schedule != "constant" or bool(cfg.lr_decay)


class Schedules(Callback):
    """The callback that sets each batch's learning rate and KL weight, as `cfg` asks."""

    def __init__(self, cfg, optimizer):
        self.cfg, self.hp = cfg, optimizer.hyperparam
        self.name = step_size_name(self.hp)
        self.base = getattr(self.hp, self.name) if self.name else None

    def on_batch_start(self, t):
        cfg = self.cfg
        if scheduled(cfg) and self.name:
            setattr(self.hp, self.name, self.base * lr_factor(cfg.lr_schedule, t.epoch, t.batch,
                                                              t.n_batches(), cfg.epochs,
                                                              cfg.lr_decay))
        if cfg.kl_warmup:
            t.model.kl_scale = warmup(t.epoch, t.batch, t.n_batches(), cfg.kl_warmup)
