"""Stop hopeless runs early: Optuna's pruners, fed by aezoo's own loop, epoch by epoch.

    aezoo sweep FILE --early-stop asha|hyperband|median [--grace 1] [--reduction-factor 3]

Each run of a sweep with --early-stop is a trial of the sweep's study (aezoo/sweeps/
study.py). At every epoch's end the callback reports the run's test score with
trial.report(value, epoch) and asks trial.should_prune(): the pruner (successive
halving, Hyperband or the median rule) compares it with what the other trials reported
at that epoch, in the shared storage, so it works the same in a local worker, a Ray
task or another machine. (Optuna's own integrations are for other loops: there is no
Chainer pruner in optuna-integration 5.)

A growing run is judged on its final network only: it reports nothing until its last
growth has settled (max(1, --grow-warmup, --fade-in, --freeze-old) epochs after it). Before
that its code is wider than the final one and reconstructs more easily, so a slower growth
schedule would look better at the same epoch and the pruner would stop the faster ones.
Its first report meets the rung it has reached (successive halving records a rung's value
at the first report past it).

A pruned run is "stopped early": its checkpoint says so (a repeated sweep skips it), its
metrics.jsonl gets a stopped_early event, and the sweep tells the study it was pruned.
"""
import warnings
from dataclasses import dataclass

from aezoo.errors import UsageError
from aezoo.runs import metrics
from aezoo.sweeps import study
from aezoo.train.callbacks import Callback
from aezoo.train.growth import Schedule


@dataclass(frozen=True)
class Judge:
    """What a worker needs to report one run's epochs to its trial (plain, picklable)."""
    storage: str
    study: str
    trial_id: int
    pruner: str
    grace: int
    factor: int


def first_judged(cfg):
    """The first epoch a run reports: 1, or a growing run's first epoch on its final network
    once settled (beyond --epochs when the run ends before its last growth: never judged)."""
    grown = Schedule.from_config(cfg).growth_epochs() if cfg.grow_every else []
    return grown[-1] + max(1, cfg.grow_warmup, cfg.fade_in, cfg.freeze_old) if grown else 1


def objective_key(record):
    """The score a search minimizes, as the score table ranks: test BCE, else test MSE."""
    return "test_bce" if "test_bce" in record else "test_mse"


class Pruning(Callback):
    """The judge as a trainer callback for the run in `folder`, trained with `cfg`."""

    def __init__(self, judge, folder, cfg):
        self.judge, self.folder, self.cfg = judge, folder, cfg
        self.trial = None

    def open(self):
        op = study.optuna()
        loaded = op.load_study(study_name=self.judge.study, storage=study.storage(self.judge.storage),
                               pruner=study.pruner(self.judge.pruner, self.judge.grace,
                                                   self.judge.factor, self.cfg.epochs))
        return op.trial.Trial(loaded, self.judge.trial_id)

    def on_epoch_end(self, trainer):
        if trainer.epoch < first_judged(self.cfg):
            return
        self.trial = self.trial or self.open()
        key = objective_key(trainer.metrics)
        epoch, value = trainer.epoch, trainer.metrics[key]
        with warnings.catch_warnings():  # a resumed run reports its epochs again: kept as were
            warnings.simplefilter("ignore")
            self.trial.report(value, trainer.epoch)
        if self.trial.should_prune():
            trainer.stopped = (f"{self.judge.pruner}: {key.replace('_', ' ')} {value:.4f} at "
                               f"epoch {epoch} is behind the other trials; pruned")
            trainer.state.stopped_early = trainer.epoch
            metrics.append(self.folder, {"event": "stopped_early", "epoch": trainer.epoch,
                                         "by": self.judge.pruner, "judged_epoch": epoch,
                                         key: value})


def pruned(folder):
    """Whether a pruner stopped the run in `folder` (not --patience)."""
    try:
        events = metrics.read(folder)[1]
    except UsageError:  # an edited metrics.jsonl: not the pruner's word
        return False
    return any(e.get("event") == "stopped_early" and e.get("by") in study.PRUNERS for e in events)
