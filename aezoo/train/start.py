"""Start a planned run: claim its folder, build the trainer, train, and say how it ended.

    start(plan)                      # RunFailed (diverged, out of memory), RunInterrupted
    started = prepare(plan)          # the parts, for a caller that drives the trainer itself

Only here does a run touch the disk: the folder is claimed (a new one made, or
an empty one taken; a resumed one locked), config.json and architecture.json
are written, then the callbacks write each epoch. With is_main=False (another
process of the same MPI run) nothing is written at all.
"""
import dataclasses
import datetime
import os
import shutil
import sys
from collections import namedtuple

import numpy as np

from aezoo import __version__
from aezoo.data import augment
from aezoo.errors import RunFailed, RunInterrupted, UsageError
from aezoo import loggers
from aezoo.loggers.contract import RunInfo
from aezoo.loggers.terminal import Terminal
from aezoo.runs import checkpoints, metrics, rundir
from aezoo.runs.paths import shown
from aezoo.distributed import mpi
from aezoo.keras import weights as keras_weights
from aezoo.train import best, capture, device as devices, growth, schedules, serialize, threads
from aezoo.train.build import build_model, check_range, describe, model_cls
from aezoo.train.writer import Writer
from aezoo.train.callbacks import Callback, TrainState
from aezoo.train.loop import Diverged, Trainer
from aezoo.train.optimizers import build_optimizer
from aezoo.train.plan import check_fingerprint, dataset_for, last_line
from aezoo.train.tell import Tell

IDENTITY_SAMPLE = 2000  # training inputs whose code statistics initialize an identity pair

# fresh: this process made run_dir; lock: held while this process trains it; terminal: the
# terminal logger, which start() says its own lines through
Started = namedtuple("Started", "plan cfg dataset trainer run_dir fresh lock is_main terminal")


def prepare(plan, is_main=True, extra=()):
    """The run's parts, ready to train; its folder claimed (see the module docstring)."""
    cfg = dataclasses.replace(plan.cfg)  # the plan stays as it was made
    threads.apply(cfg.threads)
    cluster = None
    if cfg.distributed or mpi.started_by_mpi():
        cluster = mpi.Cluster(cfg.device)
        is_main = is_main and cluster.is_main
        cfg.device = cluster.device if cfg.device != "cpu" else "cpu"
    device = devices.get(cfg.device)
    dataset = dataset_for(cfg)
    changed = dataset.difference(plan.data)
    if changed:  # the plan was made elsewhere, or the file changed since
        raise UsageError(f"--data {cfg.data} changed since the run was planned: {changed}")
    keras = (keras_weights.read(cfg.keras_weights, model_cls(cfg.model))
             if cfg.keras_weights and not plan.resume else None)
    rng = np.random.default_rng(cfg.seed)
    meta = checkpoints.read_meta(plan.run_dir) if plan.resume else None
    # Several processes: the model's draws are the one-process run's (SharedDraws).
    draws = cluster.draws(rng) if cluster else rng
    model = build_model(cfg, dataset.shape, draws, meta and meta["arch"])
    check_range(model, cfg, dataset)
    if keras:
        keras_weights.load(model, keras, cfg.keras_weights)
    if meta:
        logged = last_line(plan.run_dir, meta["epoch"], f"test_{model.head.primary}")
        check_fingerprint(plan.run_dir, dataset)
        untrained = [r for r in metrics.read(plan.run_dir)[0] if r["epoch"] == 0]
        if untrained and "untrained_test_loss" not in meta["state"]:  # a 0.1 checkpoint lacks it
            meta["state"]["untrained_test_loss"] = untrained[0].get(
                "test_loss", untrained[0][f"test_{model.head.primary}"])
    model.to_device(device)
    optimizer = build_optimizer(cfg, model)
    if cluster:
        cluster.check_shares(cfg.batch_size, len(dataset.train), len(dataset.test))
        optimizer = cluster.wrap(optimizer, model)
    # Everything is validated: only now touch the disk.
    fresh = False
    if plan.resume:
        run_dir = plan.run_dir
    elif is_main:
        # else an empty folder the user made: it stays (a run killed before its first
        # checkpoint left an unstarted one: aezoo's, so it goes as a new one would)
        fresh = not os.path.exists(plan.run_dir) or rundir.unstarted(plan.run_dir)
        run_dir = rundir.create(plan.run_dir)
    else:
        run_dir = None
    held = rundir.lock(run_dir) if is_main else None
    if plan.resume:
        serialize.load(run_dir, model, optimizer, rng)
    if is_main:
        record_start(run_dir, cfg, model, dataset, meta)

    tty = is_main and sys.stderr.isatty() and not cfg.quiet
    trainer = Trainer(model, optimizer, dataset.train, dataset.test, cfg.batch_size, device, rng,
                      progress=tty, warn=warn if is_main else None, cluster=cluster,
                      augment=augment.parse(cfg.augment))
    if cluster:
        cluster.on_terminate(lambda: mpi.stopped_by_mpiexec(run_dir))
    if meta:
        trainer.epoch, trainer.state = meta["epoch"], TrainState.from_json(meta["state"])
        best.resumed(trainer.state, trainer.epoch)
        trainer.metrics = logged  # what callbacks saw at that epoch's end
    # The run's loggers (loggers/__init__.py), told through one seam; one process writes
    sinks = loggers.wanted(cfg) if is_main else []
    terminal = next((s for s in sinks if isinstance(s, Terminal)), None) or Terminal(quiet=True)
    capturing = None
    if is_main:
        indices = capture.fixed_indices(len(dataset.test), cfg.show)
        labels = None if dataset.test_labels is None else dataset.test_labels[indices]
        capturing = capture.EpochArrays(dataset, indices, labels)
    try:  # a logger that cannot start (an MLflow server that is down) leaves no new folder
        tell = Tell(sinks, RunInfo(cfg, run_dir, dataset, model.layers(), model.n_params(),
                                   model.line_score(), trainer.epoch, tty, resumed=meta is not None),
                    capturing)
    except BaseException:
        if is_main and not plan.resume:
            free(run_dir, fresh)
        raise
    trainer.add(*callbacks(trainer, cfg, dataset, run_dir if is_main else None, tell, cluster,
                           extra))
    return Started(plan, cfg, dataset, trainer, run_dir, fresh, held, is_main, terminal)


def start(plan, is_main=True, extra=()):
    """Train the planned run to its last epoch; raises RunInterrupted (Ctrl-C) or RunFailed
    (diverged, out of memory), each saying why and what was kept; returns the Started run.
    `extra` callbacks (a sweep's) fire after the loggers and before the checkpoints."""
    started = prepare(plan, is_main, extra)
    cfg, trainer = started.cfg, started.trainer
    # as messages name it; a second process of a distributed run has no folder (None)
    run_dir = shown(started.run_dir) if started.run_dir else None
    say = started.terminal.say  # nothing with --quiet; errors are printed regardless
    verb = f"resuming from epoch {trainer.epoch}" if plan.resume else "training"
    cluster = trainer.cluster
    processes = f" with {cluster.size} processes" if cluster else ""
    say(f"aezoo: {verb} {cfg.model} on {cfg.data} {started.dataset.shape} into {run_dir}"
        f"{processes}")
    try:  # the loggers end (the terminal's bar goes) before any message below
        trainer.run(cfg.epochs, evaluate_untrained=not plan.resume)
    except KeyboardInterrupt:
        if not started.is_main:  # rank 0 of a distributed run speaks for the run
            raise RunInterrupted("interrupted", run_dir, silent=True) from None
        if not checkpoints.exists(started.run_dir):
            raise RunInterrupted(f"interrupted before the first checkpoint; "
                                 f"{free(started.run_dir, started.fresh)}", run_dir) from None
        raise RunInterrupted(f"interrupted; {saved_epochs(started.run_dir)} saved", run_dir,
                             resumable=True) from None
    except Diverged as e:
        if not started.is_main:
            raise RunFailed(str(e), run_dir, silent=True) from None
        if not checkpoints.exists(started.run_dir):
            raise RunFailed(f"{e}; stopped before the first checkpoint, so "
                            f"{free(started.run_dir, started.fresh)} (try a smaller --lr)",
                            run_dir) from None
        raise RunFailed(f"{e}; stopped, {saved_epochs(started.run_dir)} kept in {run_dir} (try a "
                        f"smaller --lr)", run_dir) from None
    except MemoryError:  # the model fitted, an epoch's work or files did not
        if not started.is_main:
            raise RunFailed("out of memory", run_dir, silent=True) from None
        advice = "try a smaller --batch-size or model, or free memory"
        if not checkpoints.exists(started.run_dir):
            raise RunFailed(f"out of memory in epoch {trainer.epoch}; stopped before the first "
                            f"checkpoint, so {free(started.run_dir, started.fresh)} ({advice})",
                            run_dir) from None
        raise RunFailed(f"out of memory in epoch {trainer.epoch}; stopped, "
                        f"{saved_epochs(started.run_dir)} kept ({advice})", run_dir,
                        resumable=True) from None
    if trainer.stopped and started.is_main:
        say(f"aezoo: stopped early after epoch {trainer.epoch}: {trainer.stopped}")
    say(f"aezoo: {cfg.model} epoch {trainer.epoch}: {summary(trainer)} -> {run_dir}")
    return started


def free(run_dir, fresh):
    """Undo a new run that saved no epoch: its folder goes (or, if the user made it, empties
    again), so the name can be used at once. Returns what was done, for the message."""
    if fresh:
        shutil.rmtree(run_dir)
        return f"{shown(run_dir)} removed, nothing to resume"
    for name in os.listdir(run_dir):  # it was empty when the run began
        target = os.path.join(run_dir, name)
        shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)
    return f"{shown(run_dir)} emptied again, nothing to resume"


def summary(trainer):
    """'test bce 0.2895, squared error per image 1.409' from what the model reported."""
    last, score = trainer.metrics, trainer.model.head.primary
    text = f"test {score} {last[f'test_{score}']:.4f}"
    if "test_sqerr" in last:
        sample = "sequence" if trainer.test_x.ndim == 3 and trainer.model.masks_padding else "image"
        text += f", squared error per {sample} {last['test_sqerr']:.3f}"
    return text


def saved_epochs(run_dir):
    if not checkpoints.exists(run_dir):
        return "no epoch"
    return f"epoch {checkpoints.read_meta(run_dir)['epoch']}"


def warn(message):
    print(f"aezoo: warning: {message}", file=sys.stderr)


def record_start(run_dir, cfg, model, dataset, meta):
    """config.json (the initial model) and architecture.json; a resume drops what the
    checkpoint does not hold and keeps the model the run started with."""
    now = datetime.datetime.now().isoformat(timespec="seconds")
    history, initial = {"created": now, "resumed": []}, describe(model)
    if meta:
        rundir.truncate_architecture(run_dir, meta["epoch"])
        previous = rundir.read_config(run_dir)
        history = {"created": previous.get("created"), "resumed": previous.get("resumed", []) + [now]}
        initial = previous.get("model", initial)
        if not rundir.read_architecture(run_dir):  # a run of aezoo 0.1: record what it is now
            rundir.write_architecture(run_dir, meta["epoch"] if cfg.grow_every else 0,
                                      describe(model))
    else:
        rundir.write_architecture(run_dir, 0, describe(model))
    rundir.write_config(run_dir, {
        "config": cfg.to_dict(), "model": initial, "architecture": rundir.ARCHITECTURE,
        "data": dataset.describe(), "versions": rundir.versions(), "git_commit": rundir.git_commit(),
        **history})


def callbacks(trainer, cfg, dataset, run_dir, tell, cluster=None, extra=()):
    """The run's callbacks, in the order they fire at every hook (written down here only):

       1 cluster      several processes: stop together on Ctrl-C; prime new layers on all
       2 growth       grows at an epoch's start, fades and warms the new pair each batch,
                      logs the jump; first, so everything after sees the grown model
       3 schedules    the batch's learning rate and KL weight
       4 best         the best epoch and early stopping; before the loggers, whose line
                      says "best"
       5 tell         the run's loggers (loggers/__init__.py: the terminal line, recon/,
                      metrics.jsonl, loss.png, TensorBoard, MLflow), through train/tell.py
         extra        the caller's (a sweep's early stopping: what it decides, the checkpoints keep)
       6 checkpoint   with a run folder, last, so a checkpoint never runs ahead of the files
                      it continues; written in the background, the best one linked to it
    """
    def log(record):
        tell.event(record, trainer.model)
        if run_dir is not None and record["event"] in ("growth", "faded_in"):
            rundir.write_architecture(run_dir, record["epoch"], describe(trainer.model))

    found = [cluster.callback()] if cluster else []
    if cfg.grow_every:
        found.append(growth.Growth(cfg, dataset.train[:IDENTITY_SAMPLE], log, trainer.optimizer))
    found += [schedules.Schedules(cfg, trainer.optimizer), best.Tracker(cfg.patience), tell]
    if run_dir is None:
        return found
    return found + [*extra, Checkpoint(run_dir)]


class Checkpoint(Callback):
    """checkpoint.npz every epoch (and checkpoint-best.npz, the same bytes, at the best one):
    copied here, written and synced by a background writer while the next epoch trains.
    A failed write is raised at the next epoch's end or when the run ends."""

    def __init__(self, run_dir):
        self.run_dir, self.writer = run_dir, Writer()

    def on_epoch_end(self, trainer):
        arrays, is_best = serialize.contents(trainer, __version__), best.is_best(trainer)
        self.writer.submit(lambda: serialize.write(self.run_dir, arrays, is_best))

    def on_run_end(self, trainer):
        self.writer.wait()
