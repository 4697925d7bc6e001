"""Progressive growth, all of it: options, schedule, new layers bound to the optimizer, callbacks.

    python -m aezoo.run deep --grow-every 4 [--grow-init identity] [--fade-in 2] [--freeze-old 1]
                             [--grow-warmup 1] [--linear-code]

The schedule is a pure function of the epoch (and batch), so a resumed run
needs no hidden state: growth happens at the start of epochs K+1, 2K+1, ...
until --max-depth; alpha, the frozen flag and the new pair's learning-rate warm-up
follow from the last growth.
A model that can grow declares it (models/abilities.py: Growable, which lists what
it offers; models/deep.py and vae.py have it).
"""
import chainer
import numpy as np

from aezoo.config import flag
from aezoo.errors import UsageError
from aezoo.models import Growable
from aezoo.train import schedules
from aezoo.train.callbacks import Callback, GrowthLosses
from aezoo.train.optimizers import step_size_name

JUMP_BATCHES = 50  # batches compared before and after a growth (fewer if an epoch is shorter)
# Growth's options: the ability's, and the depth a growing model starts from (its own option).
OPTIONS = tuple(Growable.run_options) + ("depth",)


def resolve(cfg, given, cls, names):
    """Check the growth options against the model `cls`; fill depth and max_depth.

    `names` lists the growable models, for the error of a model that is not.
    """
    if not issubclass(cls, Growable):
        for option in OPTIONS:
            if option in given:
                raise UsageError(f"{flag(option)}: model {cfg.model} cannot grow (growable: {names})")
        return
    if cfg.grow_warmup is None:  # the best-known schedule, never a check the user did not ask for
        cfg.grow_warmup = default_warmup(cfg.grow_every, cfg.optimizer)
    plan = cls.growth_plan(vars(cfg))
    if not cfg.grow_every:
        for option in OPTIONS:
            if option != "grow_every" and option in given:
                raise UsageError(f"{flag(option)} only applies with --grow-every K")
        cfg.depth = cfg.max_depth = len(plan)
        return
    if cfg.depth is None:
        cfg.depth = 1
    if cfg.depth > len(plan):
        raise UsageError(f"--depth {cfg.depth}: the widths {plan} allow at most {len(plan)}")
    if cfg.max_depth is None:
        cfg.max_depth = len(plan)
    if cfg.max_depth < cfg.depth:
        raise UsageError(f"--max-depth {cfg.max_depth} is below --depth {cfg.depth}")
    if cfg.grow_warmup and cfg.optimizer == "adadelta":
        raise UsageError(f"--grow-warmup {cfg.grow_warmup}: adadelta has no learning rate to warm up")
    for option, spec in Growable.run_options.items():  # the bounds declared between them
        bound = spec.limits and spec.limits.within
        if bound and getattr(cfg, option) > getattr(cfg, bound):
            raise UsageError(f"{flag(option)} {getattr(cfg, option)} is longer than "
                             f"{flag(bound)} {getattr(cfg, bound)}")
    try:
        cls.check_growth(vars(cfg))
    except ValueError as e:
        raise UsageError(f"--grow-every {cfg.grow_every}: {e}")


WARMUP = 2  # epochs: the README's study of growth schedules found 2 best (docs/growth.md)


def default_warmup(grow_every, optimizer):
    """--grow-warmup's default: min(2, K) epochs for --grow-every K; 0 without growth or for an
    optimizer without a learning rate (adadelta)."""
    if not grow_every or optimizer == "adadelta":
        return 0
    return min(WARMUP, grow_every)


def growth_width(cfg, plan, depth, current):
    """Width of the layer that takes the model from `depth` to depth + 1."""
    if cfg.grow_width:
        return cfg.grow_width
    return plan[depth] if depth < len(plan) else max(current // 2, 1)


def bind_new_params(optimizer, link):
    """Give parameters added after optimizer.setup() an update rule.

    Chainer silently skips parameters without one, so a grown layer would never
    train. Old parameters keep their rules and state (Adam moments, step count).
    aezoo trains in float32 only, so no rule needs use_fp32_update().
    """
    for param in link.params():
        if param.update_rule is None:
            param.update_rule = optimizer.create_update_rule()


class Schedule:
    def __init__(self, grow_every, start_depth, max_depth, fade_in=0, freeze_old=0, warmup=0):
        self.grow_every, self.start_depth, self.max_depth = grow_every, start_depth, max_depth
        self.fade_in, self.freeze_old, self.warmup = fade_in, freeze_old, warmup
        # Epochs at whose start the model grows: K+1, 2K+1, ... (asked every batch: kept)
        self._growth_epochs = [k * grow_every + 1 for k in range(1, max_depth - start_depth + 1)
                               ] if grow_every else []

    @classmethod
    def from_config(cls, cfg):
        return cls(cfg.grow_every, cfg.depth, cfg.max_depth, cfg.fade_in, cfg.freeze_old,
                   cfg.grow_warmup)

    def growth_epochs(self):
        return self._growth_epochs

    def depth_at(self, epoch):
        return self.start_depth + sum(1 for g in self.growth_epochs() if g <= epoch)

    def last_growth(self, epoch):
        past = [g for g in self.growth_epochs() if g <= epoch]
        return past[-1] if past else None

    def alpha(self, epoch, batch, n_batches):
        """Fade-in weight of the newest pair for this batch: 0 -> 1 linearly over fade_in epochs."""
        return self._ramp(self.fade_in, epoch, batch, n_batches)

    def lr_factor(self, epoch, batch, n_batches):
        """The newest pair's share of the learning rate: 1/(warmup * n_batches), ... up to 1."""
        return self._ramp(self.warmup, epoch, batch, n_batches)

    def _ramp(self, epochs, epoch, batch, n_batches):
        grown = self.last_growth(epoch)
        if grown is None or not epochs:
            return 1.0
        steps = (epoch - grown) * n_batches + batch + 1
        return min(1.0, steps / (epochs * n_batches))

    def frozen(self, epoch):
        """True while only the newest pair trains (the first freeze_old epochs after growth)."""
        grown = self.last_growth(epoch)
        return grown is not None and epoch < grown + self.freeze_old


class Growth(Callback):
    """The callback that grows the model and records the loss jump.

    The batch losses around a growth live in trainer.state.growth, which the
    checkpoint keeps, so a resumed run measures the same jump as an unbroken one.
    `log` receives the event records (a process that writes nothing passes a no-op).
    """

    def __init__(self, cfg, sample, log, optimizer):
        self.cfg, self.schedule = cfg, Schedule.from_config(cfg)
        self.sample = sample  # training inputs for identity (PCA) initialization
        self.log = log        # log(record): append an event line
        hp = optimizer.hyperparam  # the run's learning rate, before any schedule moves it
        self.lr_name = step_size_name(hp)
        self.base_lr = getattr(hp, self.lr_name) if self.lr_name else None

    @staticmethod
    def losses(trainer):
        """Batch losses: the recent ones, and those before and after the current growth."""
        if trainer.state.growth is None:
            trainer.state.growth = GrowthLosses()
        return trainer.state.growth

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
        if self.cfg.grow_warmup:
            self.warm_up(trainer)

    def warm_up(self, trainer):
        """The newest pair's learning rate: the run's (with --lr-schedule) times the warm-up
        factor, set on its own update rules; every other parameter follows the optimizer's."""
        t, name = trainer, self.lr_name
        factor = self.schedule.lr_factor(t.epoch, t.batch, t.n_batches())
        newest = {id(p) for link in t.model.innermost_pair() for p in link.params()}
        lr = self.base_lr * factor * schedules.lr_factor(self.cfg.lr_schedule, t.epoch, t.batch,
                                                        t.n_batches(), self.cfg.epochs,
                                                        self.cfg.lr_decay)
        for param in t.model.params():
            hp = param.update_rule.hyperparam
            if factor < 1 and id(param) in newest:
                setattr(hp, name, lr)
            elif name in vars(hp):  # warmed up: back to the optimizer's (parent) value
                delattr(hp, name)

    def on_batch_end(self, trainer):
        losses = self.losses(trainer)
        losses.recent = (losses.recent + [trainer.loss])[-JUMP_BATCHES:]
        if trainer.epoch in self.schedule.growth_epochs() and len(losses.after) < JUMP_BATCHES:
            losses.after.append(trainer.loss)

    def grow(self, trainer):
        model, cfg = trainer.model, self.cfg
        score = f"test_{model.head.primary}"  # test_bce for today's models
        before = trainer.metrics[score]
        width = growth_width(cfg, type(model).growth_plan(vars(cfg)), model.depth, model.widths[-1])
        rng = np.random.RandomState([cfg.seed, model.depth])  # same draw on resume
        sample = trainer.device.send(self.sample)
        with chainer.using_config("train", False), chainer.no_backprop_mode():
            old_code = model.grow_point(sample)
        # The growth that reaches the full plan may be another kind (a linear code): the model says.
        last = type(model).last_growth(vars(cfg)) if model.depth + 1 == cfg.max_depth else {}
        for link in model.add_layer(width, init=cfg.grow_init, sample=self.sample, rng=rng, **last):
            bind_new_params(trainer.optimizer, link)
        trainer.fire("params_changed")  # e.g. the multi-node optimizer takes note
        with chainer.using_config("train", False), chainer.no_backprop_mode():
            new_units = model.innermost_pair()[0](old_code).array
        # ReLU units that no sample switches on get no gradient and never train (a last layer
        # of another kind, a linear code, has none).
        dead = 0 if last else int((new_units <= 0).all(axis=0).sum())
        if cfg.fade_in:
            model.fade_alpha = 0.0
        after = trainer.evaluate()[score]
        self.log({"event": "growth", "epoch": trainer.epoch, "depth": model.depth,
                  "widths": model.widths[1:], "params": model.n_params(),
                  "init": cfg.grow_init, "dead_units": dead, f"{score}_before": before, f"{score}_after": after,
                  f"{score}_jump": after - before})
        losses = self.losses(trainer)
        losses.before, losses.after = list(losses.recent), []

    def on_epoch_end(self, trainer):
        """When a fade-in ends: say so (the model's code is the new one from now on). After a
        growth epoch: mean loss of its first batches against as many last ones before."""
        grown = self.schedule.last_growth(trainer.epoch)
        if self.cfg.fade_in and grown is not None and trainer.epoch == grown + self.cfg.fade_in - 1:
            self.log({"event": "faded_in", "epoch": trainer.epoch, "depth": trainer.model.depth})
        if trainer.epoch not in self.schedule.growth_epochs():
            return
        losses = self.losses(trainer)
        # Equal windows: as many batches before the growth as the growth epoch had after it.
        window = losses.before[-len(losses.after):]
        before, after = float(np.mean(window)), float(np.mean(losses.after))
        self.log({"event": "growth_batches", "epoch": trainer.epoch, "depth": trainer.model.depth,
                  "batches_before": len(window), "batches_after": len(losses.after),
                  "batch_loss_before": before, "batch_loss_after": after,
                  "batch_loss_jump": after - before})
