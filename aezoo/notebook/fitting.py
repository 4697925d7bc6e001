"""aezoo.fit(model, **options): `aezoo run` from Python, returning the Run.

    run = aezoo.fit("deep", data="digits", grow_every=4, epochs=40)
    run = aezoo.fit("simple", data="digits", epochs=2, out="/tmp/simple", video=False)
    run = run.resume(epochs=10)

The options are the command line's, by their config.json names (grow_every, not
--grow-every), checked by the same code (train/build.configured, train/plan.plan):
bad input raises aezoo.UsageError with the line `aezoo run` prints. The run is
planned and started as `aezoo run` does it, so its folder is the same.

Ctrl-C (KeyboardInterrupt; in Jupyter the stop button) ends the run at the epoch
boundary with its files consistent, as on the command line, and fit returns the
Run so far; interrupted before the first checkpoint, the folder is removed as on
the command line and the KeyboardInterrupt goes on.
"""
import difflib
import os
import sys

from tqdm.auto import tqdm

from aezoo.config import OPTIONS
from aezoo.errors import RunFailed, RunInterrupted, UsageError
from aezoo.notebook import arguments
from aezoo.notebook.epoch_bar import EpochBar, in_jupyter
from aezoo.notebook.run import Run
from aezoo.notebook.layer_list import Sequential
from aezoo.results.run_videos import after_training
from aezoo.runs import checkpoints
from aezoo.train.build import configured
from aezoo.train.plan import plan, plan_resume
from aezoo.train.start import start

PROG = "aezoo.fit"


def check_names(options, allowed):
    """An unknown keyword is the command line's unknown option: one line, with the nearest."""
    for key in options:
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise UsageError(f"unknown option {key!r}{hint}")


def fit(model, *, callbacks=(), progress=None, out_root="outputs", **options):
    """Train `model` ("deep", "simple", ..., or an aezoo.Sequential) with the command line's
    options; returns a Run.

    callbacks: train.callbacks.Callback objects fired after the run's own files of an
    epoch and before its checkpoint (as a sweep's are). progress: None shows a tqdm.auto
    widget in Jupyter and the command line's display elsewhere; True or False force it.
    """
    out_root, callbacks = arguments.folder("out_root", out_root), arguments.callbacks(callbacks)
    check_names(options, OPTIONS)
    if isinstance(model, Sequential):  # aezoo.Sequential([...]): its layers are the options
        clash = sorted(set(options) & {"layers", "decoder_layers", "init"})
        if clash:
            raise UsageError(f"{clash[0]} is the Sequential's; set it there, not in fit")
        model, options = "sequential", {**model.options(), **options}
    widget = in_jupyter() if progress is None else bool(progress)
    if widget and "quiet" not in options:
        options["quiet"] = True  # the widget replaces the epoch lines; warnings still print
    cfg, given = configured(model, (options, "option"))
    return _train(plan(cfg, given, out_root), widget, callbacks)


def resume(run_dir, *, callbacks=(), progress=None, **changes):
    """Continue a run folder from its last checkpoint; only config.RESUMABLE may change."""
    run_dir, callbacks = arguments.folder("run_dir", run_dir), arguments.callbacks(callbacks)
    check_names(changes, OPTIONS)
    widget = in_jupyter() if progress is None else bool(progress)
    return _train(plan_resume(run_dir, changes), widget, callbacks)


def _train(the_plan, widget, callbacks):
    cfg = the_plan.cfg
    extra = list(callbacks) + ([EpochBar(cfg.epochs)] if widget else [])
    try:
        try:
            start(the_plan, extra=extra)
        finally:  # the bars go before any message below
            for callback in extra:
                if isinstance(callback, EpochBar):
                    callback.close()
    except RunInterrupted as e:  # at an epoch's end: the Run so far, or nothing was kept
        print(e.line(PROG), file=sys.stderr)
        if not checkpoints.exists(the_plan.run_dir):
            raise KeyboardInterrupt(str(e)) from None
        return Run(the_plan.run_dir)
    except RunFailed as e:  # diverged, out of memory: the epochs kept, or the error itself
        if not checkpoints.exists(the_plan.run_dir):
            raise
        print(e.line(PROG), file=sys.stderr)
        return Run(the_plan.run_dir)
    try:  # as `aezoo run` does; in Jupyter the widget stands in for the frames' lines
        after_training(cfg, the_plan.run_dir, bar=tqdm if widget else None)
    except KeyboardInterrupt:  # the run is whole; only its video is missing
        print("aezoo: video not rendered (interrupted); run.video() renders it",
              file=sys.stderr)
    return Run(the_plan.run_dir)

