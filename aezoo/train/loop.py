"""The training loop: any model, any device, mini-batches, evaluation, callbacks.

What it does not know about: which model it trains (only the contract in
models/base.py: a call returns the loss and reports its terms), the model's
output head and scores (evaluation averages whatever the model reports under
train=False), files, plots, checkpoints and growth. Those are callbacks
(train/callbacks.py: named hooks, fired in the order of trainer.callbacks)
that receive the trainer and read what they need from it:
    trainer.epoch       epoch in progress, or just finished (0: before training)
    trainer.batch       index of the batch in this epoch
    trainer.loss        loss of the last batch (a float)
    trainer.metrics     the last epoch's averages and test scores
    trainer.state       a TrainState, which the checkpoint keeps for callbacks
    trainer.stopped     why a callback ended the run early, or None
    trainer.raised      the class of the exception that ended the run, or None (on_run_end)
"""
import math
import signal
import threading
import time
from contextlib import contextmanager
from collections import defaultdict

import chainer
import numpy as np
from tqdm import tqdm

from aezoo.data.pixels import Pixels
from aezoo.train.callbacks import OnHook, TrainState

EVAL_BATCH = 1000


DIVERGED = 10.0  # a test loss this many times the untrained model's: the run has diverged
RISING = 2.0     # this many times: say so once, the run goes on


class Diverged(Exception):
    """The loss stopped being finite or rose far above the untrained model's."""


class Trainer:

    def __init__(self, model, optimizer, train, test, batch_size, device, rng, progress=True,
                 warn=None, cluster=None, augment=None):
        self.model, self.optimizer = model, optimizer
        self.device, self.rng = device, rng
        # The whole set lives on the device, unless it is Pixels (a folder's uint8 cache,
        # memory-mapped): then each batch is read, converted to float32 and sent as used.
        self.train_x = train if isinstance(train, Pixels) else device.send(train)
        self.test_x = device.send(test)
        self.batch_size, self.progress = batch_size, progress
        self.warn = warn or (lambda message: None)
        self.cluster = cluster  # several processes: each takes a share (distributed/mpi.py)
        self.kept = None  # capture.Kept: the rows of the evaluation the snapshot shows
        self.augment = augment  # moves each training batch's images (data/augment.py), or None
        self.epoch, self.batch, self.loss = 0, 0, None
        self.metrics, self.state = {}, TrainState()
        self.stopped = None  # a callback sets a reason to end the run after this epoch
        self.raised = None   # the class of the exception that ended the run, or None (run_end)
        self.callbacks = []  # fired in this order at every hook
        self.reporter = chainer.Reporter()  # collects what the model reports
        self.reporter.add_observer("main", model)

    def add(self, *callbacks):
        self.callbacks.extend(callbacks)

    def add_callback(self, hook, fn):
        """One function on one hook (a quick callback, e.g. in a test)."""
        self.add(OnHook(hook, fn))

    def fire(self, hook):
        for callback in self.callbacks:
            getattr(callback, f"on_{hook}")(self)

    def end_epoch(self):
        """Check the epoch's test loss, then the epoch_end callbacks, which Ctrl-C does not cut
        in two: the files an epoch writes (metrics, snapshot, checkpoint) all land, or none."""
        self.check_divergence(self.metrics["test_loss"])
        with deferred_interrupt():
            self.fire("epoch_end")

    def check_divergence(self, loss):
        if self.state.untrained_test_loss is None:
            self.state.untrained_test_loss = loss
        untrained = self.state.untrained_test_loss
        if not untrained > 0:
            return
        ratio = loss / untrained
        if ratio > DIVERGED:
            raise Diverged(f"test loss {loss:.4g} after epoch {self.epoch} is {ratio:.0f} times "
                           f"the untrained model's {untrained:.4g}: training diverged")
        if ratio > RISING and not self.state.warned_rising:
            self.state.warned_rising = True
            self.warn(f"test loss {loss:.4g} after epoch {self.epoch} is {ratio:.1f} times the "
                      f"untrained model's {untrained:.4g}; if it keeps rising, try a smaller --lr")

    def n_batches(self):
        return math.ceil(len(self.train_x) / self.batch_size)

    def run(self, epochs, evaluate_untrained=True):
        """Train until `epochs` epochs are done; epoch 0 (untrained) is evaluated first
        unless this continues a run that did that already. However it ends, the run_end
        callbacks finish their work first (Ctrl-C held back meanwhile)."""
        try:
            if self.epoch == 0 and evaluate_untrained:
                self.metrics = {"epoch": 0, **self.evaluate()}
                self.end_epoch()
            while self.epoch < epochs and not self.stopped:
                self.epoch += 1
                self.fire("epoch_start")
                start = time.perf_counter()
                averages = self.train_epoch()
                seconds = time.perf_counter() - start
                self.metrics = {"epoch": self.epoch, **averages, **self.evaluate(),
                                "seconds": seconds}
                self.end_epoch()
        except BaseException as e:
            self.raised = type(e)  # not e: its traceback would keep the run's objects alive
            raise
        finally:
            with deferred_interrupt():
                self.fire("run_end")

    def train_epoch(self):
        """One pass over shuffled training data; the averages of what the model reported."""
        order = self.rng.permutation(len(self.train_x))
        lazy = isinstance(self.train_x, Pixels)
        order = order if lazy else self.device.send(order)
        sums = Averages()
        bar = tqdm(range(self.n_batches()), desc=f"epoch {self.epoch}", leave=False, position=1,
                   disable=not self.progress, unit="batch")
        for self.batch in bar:
            indices = order[self.batch * self.batch_size:(self.batch + 1) * self.batch_size]
            x = self.train_x[self.cluster.share(indices) if self.cluster else indices]
            if lazy:
                x = self.device.send(x)
            if self.augment is not None:  # drawn on the CPU from the run's Generator
                x = self.device.send(self.augment(chainer.backends.cuda.to_cpu(x), self.rng))
            self.fire("batch_start")
            observation = {}
            # A diverging run is caught below by its loss, not by numpy's warnings.
            with self.reporter.scope(observation), np.errstate(over="ignore", invalid="ignore"):
                loss = self.model(x)
                self.model.cleargrads()
                loss.backward()
                self.optimizer.update()
            self.loss = float(loss.array)
            if not math.isfinite(self.loss):
                raise Diverged(f"loss became {self.loss} in epoch {self.epoch}, "
                                    f"batch {self.batch + 1}")
            sums.add(observation, len(x))
            bar.set_postfix(loss=f"{self.loss:.4f}")
            self.fire("batch_end")
        return sums.means("train_", self.cluster)

    def evaluate(self):
        """Test scores: the averages of what the model reports in evaluation mode."""
        sums, kept = Averages(), self.kept
        if kept is not None:
            kept.begin()
        self.model.kept = kept  # the forward hands it the rows the snapshot shows
        try:
            with chainer.using_config("train", False), chainer.no_backprop_mode(), \
                    np.errstate(over="ignore", invalid="ignore"):
                for start in range(0, len(self.test_x), EVAL_BATCH):
                    x = self.test_x[start:start + EVAL_BATCH]
                    if self.cluster:
                        x = x[self.cluster.share(np.arange(len(x)))]
                    if kept is not None:
                        kept.batch(start, len(x))
                    observation = {}
                    with self.reporter.scope(observation):
                        self.model(x)
                    sums.add(observation, len(x))
        finally:
            self.model.kept = None
        if kept is not None:
            kept.end(self.epoch, self.model)
        scores = sums.means("test_", self.cluster)
        bad = [k for k, v in scores.items() if not math.isfinite(v)]
        if bad:  # the last update diverged
            raise Diverged(f"test loss became {scores.get('test_loss', scores[bad[0]])} "
                                f"after epoch {self.epoch}")
        return scores


class Averages:
    """Sample-weighted means of reported values, named by their last part ("main/loss" -> loss)."""

    def __init__(self):
        self.sums, self.seen = defaultdict(float), 0

    def add(self, observation, n):
        for key, value in observation.items():
            self.sums[key.split("/")[-1]] += float(chainer.as_array(value)) * n
        self.seen += n

    def means(self, prefix, cluster=None):
        sums, seen = cluster.combine(self.sums, self.seen) if cluster else (self.sums, self.seen)
        return {prefix + key: total / seen for key, total in sums.items()}


@contextmanager
def deferred_interrupt():
    """Hold a Ctrl-C (SIGINT) until the block is done, then raise it (main thread only)."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield  # another thread, or SIGINT ignored (`cmd &`) or handled by someone else
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt
