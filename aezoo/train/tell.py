"""The one seam between training and the run's sinks: it tells the loggers what happened.

    tell = Tell(loggers, run, capture)   # each logger's start(run), at once
    trainer.add(..., tell, ...)          # then an epoch's end, growth, and the run's end

At an epoch's end it gathers the epoch's line (the scores, seconds, parameters, learning
rate, depth), runs the model on the fixed samples (train/capture.py) when a run folder
keeps them, and tells every logger (loggers/contract.py: Epoch). Growth's records come
through `event`. When the run ends, however it ends, every logger is told how, even when
one of them fails (the first failure is raised after). The loop knows no logger, and no
logger sees the trainer.
"""
from aezoo.loggers.contract import (DIVERGED, FAILED, FINISHED, INTERRUPTED, OUT_OF_MEMORY, STOPPED,
                                Epoch)
from aezoo.models import Growable
from aezoo.train.best import is_best
from aezoo.train.callbacks import Callback
from aezoo.train.loop import Diverged
from aezoo.train.optimizers import learning_rate


def ending(trainer):
    """How the trainer's run ended, in the loggers' words."""
    raised = trainer.raised
    if raised is None:
        return STOPPED if trainer.stopped else FINISHED
    if issubclass(raised, KeyboardInterrupt):
        return INTERRUPTED
    if issubclass(raised, Diverged):
        return DIVERGED
    return OUT_OF_MEMORY if issubclass(raised, MemoryError) else FAILED


def line(trainer):
    """The epoch's line as metrics.jsonl keeps it: the trainer's metrics, the parameters, the
    learning rate and a grown model's depth."""
    found = {**trainer.metrics, "params": trainer.model.n_params(),
             "lr": learning_rate(trainer.optimizer)}
    if isinstance(trainer.model, Growable) and trainer.model.depth:
        found["depth"] = trainer.model.depth
    return found


class Tell(Callback):
    def __init__(self, loggers, run, capture=None):
        self.loggers, self.capture, self.layers = loggers, capture, None
        for logger in loggers:
            logger.start(run)

    def event(self, record, model):
        """A growth record (growth, growth_batches, faded_in), as it happens."""
        if record["event"] in ("growth", "faded_in"):  # the model's layers changed
            self.layers = model.layers()
        for logger in self.loggers:
            logger.growth(record)

    def on_epoch_end(self, trainer):
        arrays = self.capture(trainer) if self.capture else None
        epoch = Epoch(trainer.epoch, line(trainer), arrays, is_best(trainer), self.layers)
        self.layers = None
        for logger in self.loggers:
            logger.epoch(epoch)

    def on_run_end(self, trainer):
        how, failed = ending(trainer), None
        for logger in self.loggers:
            try:
                logger.end(how)
            except Exception as e:  # the others still end; the first failure is raised
                failed = failed or e
        if failed is not None:
            raise failed
