"""Stop hopeless runs early: asynchronous successive halving (ASHA, Li et al. 2018).

    aezoo sweep FILE --early-stop asha [--grace 2] [--reduction-factor 3]

The rule is Ray Tune's AsyncHyperBandScheduler with one bracket (its ASHAScheduler):
rungs at grace x factor^k epochs, below the run's last epoch. When a run reaches a
rung, its test score is compared with those recorded at that rung by the runs that
reached it before: if it is worse than the best 1/factor of them (numpy's percentile,
as Ray's cutoff), the run stops there; either way its score is recorded. The first
run at a rung always goes on. Decisions never wait for other runs, so workers stay busy.

A growing run's loss jumps when it grows. So the score a rung reads is that of the
epoch before the latest growth when the rung falls within a growth's settling window
(max(1, --grow-warmup, --fade-in, --freeze-old) epochs from the growth): a run is
judged on a settled model, never on the jump.

The rung record is OUT/asha.jsonl on the sweep folder (which local and Ray workers
share), appended under a file lock; a retried or resumed run finds its own earlier
decision there and keeps it. A stopped run's checkpoint says so (stopped_early), so a
repeated sweep skips it, and its metrics.jsonl has a stopped_early event.
"""
import json
import os

import numpy as np

from aezoo.errors import UsageError
from aezoo.runs import locks, metrics
from aezoo.sweeps.file import ASHA
from aezoo.train.best import score_of
from aezoo.train.callbacks import Callback
from aezoo.train.growth import Schedule

FILE = ASHA  # OUT/asha.jsonl: every rung's record


def rungs(grace, factor, epochs):
    """Epochs at which runs are compared: grace, grace x factor, ... below `epochs`."""
    if grace < 1 or factor < 2:
        raise UsageError(f"--grace {grace} --reduction-factor {factor}: expected a grace of at "
                         f"least 1 epoch and a factor of at least 2")
    found, epoch = [], grace
    while epoch < epochs:
        found.append(epoch)
        epoch *= factor
    return found


def judged_epoch(cfg, rung):
    """The epoch whose score stands for the run at `rung`: the rung itself, or the epoch
    before a growth whose settling window holds the rung."""
    if not cfg.grow_every:
        return rung
    settle = max(1, cfg.grow_warmup, cfg.fade_in, cfg.freeze_old)
    for grown in reversed(Schedule.from_config(cfg).growth_epochs()):
        if grown <= rung < grown + settle and grown - 1 >= 1:
            return grown - 1
    return rung


def cutoff(values, factor):
    """The score a run must not exceed to go on: the best 1/factor of `values` (lower is better)."""
    return float(np.nanpercentile(values, 100.0 / factor)) if values else None


class Asha(Callback):
    """The rule as a trainer callback, for the run `name` of the sweep folder `out`."""

    def __init__(self, out, name, folder, cfg, grace, factor):
        self.path, self.name, self.cfg, self.factor = os.path.join(out, FILE), name, cfg, factor
        self.folder = folder
        self.rungs = rungs(grace, factor, cfg.epochs)

    def on_epoch_end(self, trainer):
        if trainer.epoch not in self.rungs:
            return
        rung, score = trainer.epoch, score_of(trainer)
        epoch = judged_epoch(self.cfg, rung)
        lines = [r for r in metrics.read(self.folder)[0] if r["epoch"] == epoch]
        value = lines[-1][score] if lines else trainer.metrics[score]
        decision = self.decide(rung, value)
        if decision["stop"]:
            trainer.stopped = (f"ASHA: {score.replace('_', ' ')} {value:.4f} at epoch {epoch} is "
                               f"worse than the best 1/{self.factor} of the runs at epoch {rung} "
                               f"(cutoff {decision['cutoff']:.4f})")
            trainer.state.stopped_early = trainer.epoch
            metrics.append(self.folder, {"event": "stopped_early", "epoch": trainer.epoch,
                                             "by": "asha", "rung": rung, "judged_epoch": epoch,
                                             score: value, "cutoff": decision["cutoff"]})

    def decide(self, rung, value):
        """Record the run's value at `rung` and whether it stops (its earlier decision, if any)."""
        with open(self.path, "a+") as f:
            locks.exclusive(f, wait=True)  # one decision at a time, whatever the worker's host
            f.seek(0)
            try:
                records = [json.loads(line) for line in f if line.strip()]
            except json.JSONDecodeError:
                raise UsageError(f"{self.path} is damaged; delete it to let ASHA start again")
            at_rung = [r for r in records if r["rung"] == rung]
            mine = [r for r in at_rung if r["run"] == self.name]
            if mine:  # a retried or resumed run: the decision stands
                return mine[0]
            limit = cutoff([r["value"] for r in at_rung], self.factor)
            record = {"rung": rung, "run": self.name, "value": value, "cutoff": limit,
                      "stop": limit is not None and value > limit}
            f.write(json.dumps(record) + "\n")
            f.flush()
            os.fsync(f.fileno())
            return record
