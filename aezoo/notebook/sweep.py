"""aezoo.Sweep(path_or_dict): a sweep file (or the same tables as a dict) run from Python.

    sweep = aezoo.Sweep("experiments/quick.toml")
    sweep = aezoo.Sweep({"defaults": {"data": "digits", "epochs": 5},
                         "runs": {"simple": {"model": "simple"}, "deep": {"model": "deep"}}},
                        out="outputs/my-sweep")
    sweep.run(workers=2)        # what `aezoo sweep FILE --out OUT --workers 2` does
    sweep.runs, sweep.comparison(), sweep   # in Jupyter: the runs' table, the plot

    search = aezoo.Sweep("experiments/search.toml")   # a file with a [search] table
    search.run(trials=8, workers=2, early_stop="asha")
    search.study                # the Optuna study: best_trial, trials_dataframe(), ...

The file (or dict) is read and every run planned when the Sweep is made (a UsageError,
one line naming the file or the option, if anything is wrong; nothing is written). run()
trains that plan with the sweeps library (aezoo/sweeps/runner.py), as `aezoo sweep` does:
the same folder, resume rules, workers, Ray and ASHA. A dict is recorded in OUT/sweep.toml.
"""
import os
import sys

from aezoo.errors import UsageError
from aezoo.notebook import display
from aezoo.notebook.compare import Comparison
from aezoo.notebook.run import Run
from aezoo.runs import checkpoints
from aezoo.sweeps.runner import Interrupted, plan_sweep, run_sweep, settings


class RunsFailed(RuntimeError):
    """Some runs of a sweep failed (the others trained and were compared); says which, why."""


def say(line):
    print(f"aezoo.Sweep: {line}", file=sys.stderr)


class Sweep:
    """A sweep file planned in full; run() trains it."""

    def __init__(self, path_or_dict, out=None):
        self._planned = plan_sweep(path_or_dict, out)  # every check; nothing written
        self.path = self._planned.source
        self.out = os.path.abspath(self._planned.out)
        self.steps = self._planned.steps
        self._source, self.outcome = path_or_dict, None

    def run(self, workers=None, threads=None, early_stop=None, retries=2, ray=None, trials=None,
            sampler=None, storage=None, study=None):
        """Train every run that is not finished, then compare them, as `aezoo sweep` does (a
        search: until its study holds `trials`). Returns the Sweep; raises RunsFailed when a
        run failed (the others are compared), KeyboardInterrupt on Ctrl-C (the runs stop at
        their next epoch: run() again resumes)."""
        how = settings(workers, threads, ray, retries, early_stop, trials=trials,
                       sampler=sampler, storage=storage, study=study)
        planned, self._planned = self._planned, None
        if planned is None:  # an earlier run() trained some: what is left is planned again
            planned = plan_sweep(self._source, self.out)
            self.steps = planned.steps
        try:
            self.outcome = run_sweep(planned, how, say=say)
        except Interrupted as e:
            raise KeyboardInterrupt(f"sweep interrupted{f' in run {e.run}' if e.run else ''}; "
                                    f"every run saved its last epoch: run() again to continue")
        if self.outcome.failed:
            raise RunsFailed(f"{len(self.outcome.failed)} run(s) of the sweep failed: " + "; ".join(
                f"{name} ({why})" if why else name for name, why, _ in self.outcome.failed))
        return self

    @property
    def study(self):
        """A search's Optuna study, once run() has opened it (best_trial, trials, ...)."""
        if self.outcome is None or self.outcome.study is None:
            raise UsageError("no study yet: a sweep with a [search] table has one once run()")
        return self.outcome.study

    @property
    def runs(self):
        """The Runs of the sweep that have trained at least one epoch, in the file's order (a
        search's: its trials in this folder, by number)."""
        if self.outcome is not None and self.outcome.study is not None and not self.steps:
            return [Run(os.path.join(self.out, name)) for name in sorted(os.listdir(self.out))
                    if checkpoints.exists(os.path.join(self.out, name))]
        return [Run(s.folder) for s in self.steps if checkpoints.exists(s.folder)]

    def comparison(self):
        """A Comparison of the trained runs (all on one data set; else per data set: runs[i])."""
        return Comparison(*self.runs)

    def __repr__(self):
        return f"<aezoo.Sweep {self._planned_name()}: {len(self.steps)} runs into {self.out}>"

    def _planned_name(self):
        return self.path or "of a dict"

    def _repr_html_(self):
        rows = []
        for s in self.steps:
            done = checkpoints.read_meta(s.folder)["epoch"] if checkpoints.exists(s.folder) else 0
            rows.append({"run": s.name, "model": s.cfg.model, "data": s.cfg.data,
                         "epochs": f"{done} of {s.cfg.epochs}"})
        parts = [f"<h4>aezoo sweep <code>{display.esc(os.path.basename(self._planned_name()))}</code></h4>",
                 f"<p>into <code>{display.esc(self.out)}</code></p>",
                 display.table(rows, ["run", "model", "data", "epochs"], "runs")]
        trained = self.runs
        if trained:
            try:
                parts.append(Comparison(*trained)._repr_html_())
            except UsageError as e:  # runs on several data sets: each has its own comparison
                parts.append(f"<p>{display.esc(e)}</p>")
        return "<div class=\"aezoo-sweep\">" + "".join(parts) + "</div>"
