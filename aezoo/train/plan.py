"""Plan, then start: a run resolved and checked in full before anything is written.

    cfg, given = configured("deep", ({"grow_every": 4, "data": "digits"}, "option"))
    p = plan(cfg, given)                  # or plan_resume(run_dir, {"epochs": 40})
    start(p)                              # train/start.py: claims the folder and trains

plan() checks the options, loads the data once (to fit the model to it and
check its values), reads Keras weights, builds the model to see that it fits,
and settles the run folder's path by the folder rules. It writes nothing. A
Plan is a plain, picklable value: paths are absolute and the data is its spec
(in cfg) plus its description and fingerprint, never the arrays, so a sweep can
ship plans to other processes; start() loads the data again where it runs and
refuses it if the fingerprint differs.
"""
import dataclasses
import os
from dataclasses import dataclass

import numpy as np

from aezoo.config import RESUMABLE, SPLIT_OPTIONS, Config, flag, merge, validate
from aezoo.data import augment, image_folder, remarks
from aezoo.errors import UsageError
from aezoo.runs import checkpoints, metrics, rundir
from aezoo.distributed import mpi
from aezoo.keras import weights as keras_weights
from aezoo.loggers import check as check_loggers
from aezoo.train import device as devices
from aezoo.train.build import build_model, check_range, fit_to_data, load_dataset, model_cls


@dataclass(frozen=True)
class Plan:
    cfg: Config            # every option resolved, the model fitted to the data
    given: frozenset       # the option names the user set
    run_dir: str           # absolute path of the run folder (None: a second MPI process)
    resume: bool           # continue run_dir from its checkpoint
    data: dict             # the data as config.json records it: shape, split, fingerprint

    @property
    def name(self):
        return os.path.basename(self.run_dir) if self.run_dir else None


_loaded = {}  # the last data set loaded in this process: plan() then start() load it once


def dataset_for(cfg):
    """The data set of cfg, loaded at most once in a row for the same spec and, for a file,
    the same file (its size and modification time: a file changed since is read again)."""
    path = cfg.data.partition(":")[2]
    stamp = None
    if path and os.path.isfile(path):
        stat = os.stat(path)
        stamp = (stat.st_size, stat.st_mtime_ns)
    elif path and cfg.data.startswith("folder:"):
        stamp = image_folder.stamp(path)  # its files' names, sizes and times
    key = tuple(getattr(cfg, name) for name in SPLIT_OPTIONS) + (
        stamp, model_cls(cfg.model).masks_padding)
    if key not in _loaded:
        _loaded.clear()
        with remarks.quiet(cfg.quiet):  # a cache read, images decoded: lines --quiet drops
            _loaded[key] = load_dataset(cfg)
    return _loaded[key]


def plan(cfg, given=(), out_root="outputs", new_folder=True):
    """The Plan of a new run of `cfg` (from build.configured); a UsageError if anything in it
    cannot work. Nothing is written, and no folder is made. new_folder=False leaves the
    folder rule to the caller (a sweep resumes or skips a folder that holds a run)."""
    given = frozenset(given)
    devices.check(cfg.device)
    check_loggers(cfg)
    dataset = dataset_for(cfg)
    # Keras weights fix the shape (hidden, cell) before the model fits itself to the data.
    keras = keras_weights.prepare(cfg, given, dataset, model_cls(cfg.model))
    cfg = fit_to_data(cfg, given, dataset.shape)
    model = build_model(cfg, dataset.shape, np.random.default_rng(cfg.seed))  # conv on vectors...
    augment.check_kind(cfg.augment, dataset.kind, cfg.data)
    check_range(model, cfg, dataset)  # ... or a sigmoid model on data outside [0, 1] fail here
    if keras:
        keras_weights.load(model, keras, cfg.keras_weights)
    run_dir = os.path.abspath(rundir.choose(cfg, out_root))
    if new_folder and not mpi.started_by_mpi():  # rank 0 checks again in start()
        rundir.check_new(run_dir)
    return Plan(cfg, given, run_dir, False, dataset.describe())


def resumed(run_dir, changes=None):
    """The Config of a run folder to continue, with `changes` ({option: value}) of the
    options that may change (config.RESUMABLE)."""
    changes = changes or {}
    fixed = sorted(set(changes) - set(RESUMABLE))
    if fixed:
        raise UsageError(f"{flag(fixed[0])} cannot change when resuming "
                         f"(allowed: {', '.join(map(flag, RESUMABLE))})")
    saved = rundir.read_config(run_dir)["config"]
    return validate(merge(merge(Config(), saved, f"{run_dir}/config.json"), changes, "option"))


def plan_resume(run_dir, changes=None):
    """The Plan that continues `run_dir` from its last checkpoint; for a run killed before
    its first (rundir.unstarted), the plan that starts it again there."""
    cfg = resumed(run_dir, changes)
    if rundir.unstarted(run_dir):
        return plan(dataclasses.replace(cfg, out=os.path.abspath(run_dir), name=None))
    devices.check(cfg.device)
    check_loggers(cfg)
    meta = checkpoints.read_meta(run_dir)
    cls = model_cls(cfg.model)
    checkpoints.check_model(meta, cls, run_dir)
    if cfg.epochs < meta["epoch"]:
        raise UsageError(f"--epochs {cfg.epochs}: {run_dir} has trained {meta['epoch']} "
                         f"epochs already; expected at least that")
    dataset = dataset_for(cfg)
    model = build_model(cfg, dataset.shape, np.random.default_rng(cfg.seed), meta["arch"])
    augment.check_kind(cfg.augment, dataset.kind, cfg.data)
    check_range(model, cfg, dataset)
    last_line(run_dir, meta["epoch"], f"test_{model.head.primary}")
    check_fingerprint(run_dir, dataset)
    return Plan(cfg, frozenset(), os.path.abspath(run_dir), True, dataset.describe())


def check_saved_model(run_dir):
    """config.json must name the model its checkpoint holds (compare and render read
    config.json; an edited one is refused as aezoo.load and a resume refuse it)."""
    record = rundir.read_config(run_dir)
    if checkpoints.exists(run_dir):
        checkpoints.check_model(checkpoints.read_meta(run_dir), model_cls(record["config"]["model"]),
                                run_dir)


def last_line(run_dir, epoch, score):
    """metrics.jsonl's line of the checkpoint's epoch: the record the run continues."""
    logged = [r for r in metrics.read(run_dir)[0] if r["epoch"] == epoch]
    if not logged or score not in logged[-1]:
        raise UsageError(f"{run_dir}/{metrics.FILE} has no line with {score} for epoch "
                         f"{epoch}, the checkpoint's; the run cannot continue its record")
    return logged[-1]


def check_fingerprint(run_dir, dataset):
    """A run continues only on the data it began with (same shape, split and values)."""
    changed = dataset.difference(rundir.read_config(run_dir)["data"])
    if changed:
        raise UsageError(f"--data {dataset.name} changed since {run_dir} began: {changed}")
