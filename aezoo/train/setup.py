"""From a Config to a run ready to train: data, model, optimizer, run folder, callbacks.

    prepared = prepare(cfg, given, resume=None, is_main=True)
    prepared.trainer.run(cfg.epochs)

Shared by `aezoo.run` (training, resume), `aezoo.sweep` (checking a file before
anything trains) and `aezoo.load` (inference), so a model is always rebuilt the
same way. With is_main=False (another process of the same run) nothing is
written: no run folder, no config, no snapshots, metrics or checkpoints.
"""
import datetime
import os
import sys
from collections import namedtuple

import numpy as np

from aezoo import __version__
from aezoo.config import MODEL_OPTIONS, Config, flag, merge, parse_noise, validate
from aezoo.data import load as load_data
from aezoo.errors import UsageError
from aezoo.models import MODELS, NAMES, PRESETS, model_class
from aezoo.models.regularizers import noise, sparsity
from aezoo.record import metrics, rundir
from aezoo.train import best, checkpoint, device as devices, distributed, growth, port, schedules
from aezoo.train.optimizers import build_optimizer, learning_rate
from aezoo.train.loop import Trainer
from aezoo.train.terminal import Terminal
from aezoo.viz import curves, snapshot

IDENTITY_SAMPLE = 2000  # training inputs whose code statistics initialize an identity pair
LOSS_PLOT_EVERY = 30.0  # seconds between redraws of loss.png while training (and at the end)

# fresh: this process made run_dir; lock: held while this process trains it
Prepared = namedtuple("Prepared", "cfg dataset trainer run_dir fresh lock is_main")


def model_cls(name):
    try:
        return model_class(name)
    except KeyError:
        raise UsageError(f"model {name!r} is unknown; expected one of {', '.join(NAMES)}")


def default_config(model):
    """Config() with the model's own run defaults (gru: sine, rmsprop, mse) and the preset's
    changes (denoising: noise; sparse: sparsity) applied."""
    changes = {**(model_class(model).run_defaults if model in NAMES else {}),
               **(PRESETS[model][1] if model in PRESETS else {})}
    return merge(Config(model=model), changes, f"preset {model}")


def resolve(cfg, given):
    """Fill the model's own defaults into `cfg`; reject options it does not take.

    `given` is the set of option names the user set (file or command line).
    Everything that needs no data is checked here, before any download.
    """
    cls = model_cls(cfg.model)
    accepted = cls.options()
    for option in MODEL_OPTIONS:
        if option not in accepted:
            if option in given and option not in growth.OPTIONS:
                raise UsageError(f"{flag(option)} does not apply to model {cfg.model}")
        elif getattr(cfg, option) is None:
            setattr(cfg, option, accepted[option].default)
    growable = ", ".join(n for n, c in MODELS.items() if growth.growable(c))
    growth.resolve(cfg, given, cls, growable)
    if cfg.lr_schedule != "constant" and cfg.optimizer == "adadelta":
        raise UsageError(f"--lr-schedule {cfg.lr_schedule}: adadelta has no learning rate to "
                         f"schedule")
    if "kl_warmup" in given and not cls.generative:
        raise UsageError(f"--kl-warmup: model {cfg.model} has no KL term "
                         f"(vae has: {', '.join(n for n, c in MODELS.items() if c.generative)})")
    return validate(cfg)


def options_of(cfg):
    """The constructor keywords of cfg's model, from cfg."""
    return {name: getattr(cfg, name) for name in model_cls(cfg.model).options()}


def fit_to_data(cfg, given, input_shape):
    """Let the model fit its default shape to the data (conv: fewer stages on small images)."""
    try:
        fitted = model_cls(cfg.model).fit_to_data(options_of(cfg), input_shape, given)
    except ValueError as e:
        raise UsageError(str(e))
    for name, value in fitted.items():
        setattr(cfg, name, value)
    return cfg


def load_dataset(cfg):
    """The run's data, as its model reads it: a model of sequences reads images by rows."""
    dataset = load_data(cfg.data, cfg.data_dir, cfg.test_fraction, cfg.seq_len)
    cls = model_cls(cfg.model)
    if cls.masks_padding:
        return dataset.as_sequences()
    if dataset.padded:
        takes = ", ".join(n for n, c in MODELS.items() if c.masks_padding)
        raise UsageError(f"--data {cfg.data}: sequences of different lengths need a model that "
                         f"masks padding ({takes}), not {cfg.model}")
    return dataset


def build_model(cfg, input_shape, rng, arch=None):
    """The model `cfg` describes (or, given `arch` from a checkpoint, that shape).

    Weights are drawn from numpy's global RNG, seeded here for repeatability; the
    caller's state of that RNG is restored afterwards.
    """
    cls = model_cls(cfg.model)
    caller = np.random.get_state()  # the caller's random state is theirs (aezoo.load)
    np.random.seed(cfg.seed)
    try:
        model = cls(input_shape, **(cls.upgrade_arch(arch) if arch else options_of(cfg)))
    except ValueError as e:  # a shape the model cannot take, e.g. conv on vectors
        raise UsageError(f"--data {cfg.data}: {e}")
    except TypeError as e:  # a checkpoint's shape for another model (an edited config.json)
        raise UsageError(f"model {cfg.model} cannot take the shape {arch} ({e}); "
                         f"config.json and the checkpoint disagree")
    except MemoryError:
        raise UsageError(f"model {cfg.model} with {arch or options_of(cfg)} does not fit in "
                         f"memory; choose smaller sizes")
    finally:
        np.random.set_state(caller)
    try:
        model.use_loss(cfg.loss)
    except ValueError as e:
        raise UsageError(f"--loss {cfg.loss}: {e}")
    if hasattr(model, "set_rng"):  # a model that samples draws from the run's Generator
        model.set_rng(rng)
    return model.regularize(noise(*parse_noise(cfg.noise), rng, cfg.seed), sparsity(cfg.sparsity))


def check_range(model, cfg, dataset):
    """Models whose head needs data in [0, 1] (sigmoid, BCE) refuse data outside it."""
    low, high = dataset.value_range
    if model.head.needs_unit_range and (low < 0 or high > 1):
        raise UsageError(f"--data {cfg.data}: values span [{low:g}, {high:g}], but model "
                         f"{cfg.model}'s sigmoid output needs data in [0, 1] (or uint8 0..255)")


def describe(model):
    """The model as config.json and architecture.json record it."""
    found = {"class": type(model).__name__, "arch": model.arch(), "params": model.n_params(),
             "layers": model.layers()}
    if model.training_only_params():  # in params, not in layers (a VAE's log-variance head)
        found["training_only_params"] = model.training_only_params()
    return found


def prepare(cfg, given, resume=None, is_main=True):
    """Everything a run needs, checked before the disk is touched (see the module docstring)."""
    cluster = None
    if cfg.distributed or distributed.started_by_mpi():
        cluster = distributed.Cluster(cfg.device)
        is_main = is_main and cluster.is_main
        cfg.device = cluster.device if cfg.device != "cpu" else "cpu"
    device = devices.get(cfg.device)
    dataset = load_dataset(cfg)
    keras = None if resume else port.prepare(cfg, given, model_cls(cfg.model), dataset)
    if not resume:  # a resumed run's config.json holds the fitted shape already
        cfg = fit_to_data(cfg, given, dataset.shape)
    rng = np.random.default_rng(cfg.seed)
    meta = checkpoint.read_meta(resume) if resume else None
    if meta:
        checkpoint.check_model(meta, model_cls(cfg.model), resume)
    if meta and cfg.epochs < meta["epoch"]:
        raise UsageError(f"--epochs {cfg.epochs}: {resume} has trained {meta['epoch']} "
                         f"epochs already; expected at least that")
    model = build_model(cfg, dataset.shape, rng, meta and meta["arch"])
    check_range(model, cfg, dataset)
    if keras:
        port.load(model, keras, cfg.keras_weights)
    if meta:
        epochs = metrics.read(resume)[0]
        logged = [r for r in epochs if r["epoch"] == meta["epoch"]]
        score = f"test_{model.head.primary}"
        if not logged or score not in logged[-1]:
            raise UsageError(f"{resume}/{metrics.FILE} has no line with {score} for epoch "
                             f"{meta['epoch']}, the checkpoint's; the run cannot continue its record")
        check_fingerprint(resume, dataset)
        untrained = [r for r in epochs if r["epoch"] == 0]  # a 0.1 checkpoint lacks it
        if untrained and "untrained_test_loss" not in meta["state"]:
            meta["state"]["untrained_test_loss"] = untrained[0].get("test_loss", untrained[0][score])
    model.to_device(device)
    optimizer = build_optimizer(cfg, model)
    if cluster:
        cluster.check_shares(cfg.batch_size, len(dataset.train), len(dataset.test))
        optimizer = cluster.wrap(optimizer, model)
    # Everything is validated: only now touch the disk.
    fresh = False
    if resume:
        run_dir = resume
    elif is_main:
        path = rundir.choose(cfg)
        fresh = not os.path.exists(path)  # else an empty folder the user made: it stays
        run_dir = rundir.create(path)
    else:
        run_dir = None
    held = rundir.lock(run_dir) if is_main else None
    if resume:
        checkpoint.load(run_dir, model, optimizer, rng)
    if is_main:
        record_start(run_dir, cfg, model, dataset, meta)

    tty = is_main and sys.stderr.isatty() and not cfg.quiet
    trainer = Trainer(model, optimizer, dataset.train, dataset.test, cfg.batch_size, device, rng,
                      progress=tty, warn=warn if is_main else None, cluster=cluster)
    if cluster:
        cluster.attach(trainer)
        cluster.on_terminate(lambda: distributed.stopped_by_mpiexec(run_dir))
    trainer.terminal = Terminal(cfg.epochs, meta["epoch"] if meta else 0, tty,
                                cfg.quiet or not is_main)
    if resume:
        trainer.epoch, trainer.state = meta["epoch"], meta["state"]
        best.resumed(trainer.state, trainer.epoch)
        trainer.metrics = logged[-1]  # what callbacks saw at that epoch's end
    attach_callbacks(trainer, cfg, dataset, run_dir if is_main else None)
    return Prepared(cfg, dataset, trainer, run_dir, fresh, held, is_main)


def check_fingerprint(run_dir, dataset):
    """A run continues only on the data it began with (same shape, split and values)."""
    changed = dataset.difference(rundir.read_config(run_dir)["data"])
    if changed:
        raise UsageError(f"--data {dataset.name} changed since {run_dir} began: {changed}")


def warn(message):
    print(f"aezoo: warning: {message}", file=sys.stderr)


def record_start(run_dir, cfg, model, dataset, meta):
    """config.json (the initial model) and architecture.json; a resume drops what the
    checkpoint does not hold and keeps the model the run started with."""
    now = datetime.datetime.now().isoformat(timespec="seconds")
    history, initial = {"created": now, "resumed": []}, describe(model)
    if meta:
        metrics.truncate(run_dir, meta["epoch"])
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


def attach_callbacks(trainer, cfg, dataset, run_dir):
    """Growth for every process; with a run folder, the callbacks that write into it."""
    def log(record):
        trainer.terminal.event(record, trainer.model)
        if run_dir is None:
            return
        metrics.append(run_dir, record)
        if record["event"] in ("growth", "faded_in"):  # the model's layers changed
            rundir.write_architecture(run_dir, record["epoch"], describe(trainer.model))

    if cfg.grow_every:
        growth.Growth(cfg, dataset.train[:IDENTITY_SAMPLE], log).attach(trainer)
    schedules.attach(trainer, cfg)
    trainer.add_callback("epoch_end", best.track(cfg.patience))
    trainer.add_callback("epoch_end", trainer.terminal.epoch_end)
    if run_dir is None:
        return

    def facts(t):
        found = {"params": t.model.n_params(), "lr": learning_rate(t.optimizer)}
        if getattr(t.model, "depth", None):
            found["depth"] = t.model.depth
        return found

    indices = snapshot.fixed_indices(len(dataset.test), cfg.show)
    labels = None if dataset.test_labels is None else dataset.test_labels[indices]
    trainer.add_callback("epoch_end", snapshot.Snapshots(run_dir, dataset, indices, labels))
    trainer.add_callback("epoch_end", lambda t: metrics.append(run_dir, {**t.metrics, **facts(t)}))
    trainer.add_callback("epoch_end", curves.LossPlot(run_dir, cfg, cfg.epochs, LOSS_PLOT_EVERY))
    # Last, so a checkpoint never runs ahead of the metrics it continues.
    trainer.add_callback("epoch_end", best.save(run_dir, __version__))  # before the last: see best.py
    trainer.add_callback("epoch_end", lambda t: checkpoint.save(run_dir, t, __version__))
