"""Progressive growth: add_layer every K epochs, fade-in, freeze-old, jump measurement.

    python -m aezoo.run deep --grow-every 4 [--grow-init identity] [--fade-in 2] [--freeze-old 1]

The schedule is a pure function of the epoch (and batch), so a resumed run
needs no hidden state: growth happens at the start of epochs K+1, 2K+1, ...
until --max-depth; alpha and the frozen flag follow from the last growth.
Any model with add_layer(width, init, sample, rng) -> (new links) and
innermost_pair() can grow.
"""
from collections import deque

import numpy as np

from aezoo.build import bind_new_params, count_params, growth_width

JUMP_BATCHES = 50  # batches compared before and after a growth


class Schedule:
    def __init__(self, grow_every, start_depth, max_depth, fade_in=0, freeze_old=0):
        self.grow_every, self.start_depth, self.max_depth = grow_every, start_depth, max_depth
        self.fade_in, self.freeze_old = fade_in, freeze_old

    def growth_epochs(self):
        """Epochs at whose start the model grows: K+1, 2K+1, ..."""
        if not self.grow_every:
            return []
        return [k * self.grow_every + 1 for k in range(1, self.max_depth - self.start_depth + 1)]

    def depth_at(self, epoch):
        return self.start_depth + sum(1 for g in self.growth_epochs() if g <= epoch)

    def last_growth(self, epoch):
        past = [g for g in self.growth_epochs() if g <= epoch]
        return past[-1] if past else None

    def alpha(self, epoch, batch, n_batches):
        """Fade-in weight of the newest pair for this batch: 0 -> 1 linearly over fade_in epochs."""
        grown = self.last_growth(epoch)
        if grown is None or not self.fade_in:
            return 1.0
        steps = (epoch - grown) * n_batches + batch + 1
        return min(1.0, steps / (self.fade_in * n_batches))

    def frozen(self, epoch):
        """True while only the newest pair trains (the first freeze_old epochs after growth)."""
        grown = self.last_growth(epoch)
        return grown is not None and epoch < grown + self.freeze_old


class Growth:
    """Trainer callbacks that grow the model and record the loss jump in metrics.jsonl."""

    def __init__(self, cfg, schedule, sample, log):
        self.cfg, self.schedule = cfg, schedule
        self.sample = sample  # training inputs for identity (PCA) initialization
        self.log = log        # log(record): append an event line
        self.recent = deque(maxlen=JUMP_BATCHES)  # last batch losses
        self.pending = None   # a growth whose first batches are still being counted

    def attach(self, trainer):
        trainer.add_callback("epoch_start", self.on_epoch_start)
        trainer.add_callback("batch_start", self.on_batch_start)
        trainer.add_callback("batch_end", self.on_batch_end)

    def on_epoch_start(self, trainer):
        if trainer.epoch in self.schedule.growth_epochs():
            self.grow(trainer)
        frozen = self.schedule.frozen(trainer.epoch)
        newest = {id(p) for link in trainer.model.innermost_pair() for p in link.params()}
        for param in trainer.model.params():
            if id(param) not in newest:
                param.update_rule.enabled = not frozen

    def on_batch_start(self, trainer):
        trainer.model.fade_alpha = self.schedule.alpha(trainer.epoch, trainer.batch,
                                                       trainer.n_batches())

    def on_batch_end(self, trainer):
        self.recent.append(trainer.loss)
        if self.pending is not None:
            self.pending["after"].append(trainer.loss)
            if len(self.pending["after"]) == JUMP_BATCHES:
                self.flush()

    def grow(self, trainer):
        model, cfg = trainer.model, self.cfg
        self.flush()
        before = trainer.metrics.get("test_bce")
        width = growth_width(cfg, model.depth, model.widths[-1])
        rng = np.random.RandomState([cfg.seed, model.depth])  # same draw on resume
        for link in model.add_layer(width, init=cfg.grow_init, sample=self.sample, rng=rng):
            bind_new_params(trainer.optimizer, link)
        if cfg.fade_in:
            model.fade_alpha = 0.0
        after = trainer.evaluate()["test_bce"]
        self.log({"event": "growth", "epoch": trainer.epoch, "depth": model.depth,
                  "widths": model.arch()["widths"], "params": count_params(model),
                  "init": cfg.grow_init, "test_bce_before": before, "test_bce_after": after,
                  "test_bce_jump": after - before})
        self.pending = {"epoch": trainer.epoch, "depth": model.depth,
                        "before": list(self.recent), "after": []}

    def flush(self):
        """Log the batch-loss jump of the last growth (first batches after vs last before)."""
        if self.pending is None or not self.pending["after"]:
            return
        p, self.pending = self.pending, None
        after = float(np.mean(p["after"]))
        before = float(np.mean(p["before"])) if p["before"] else None  # none after a resume
        self.log({"event": "growth_batches", "epoch": p["epoch"], "depth": p["depth"],
                  "batches": len(p["after"]), "batch_loss_before": before, "batch_loss_after": after,
                  "batch_loss_jump": None if before is None else after - before})
