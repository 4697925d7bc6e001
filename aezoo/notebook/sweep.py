"""aezoo.Sweep(path_or_dict): a sweep file (or the same tables as a dict) run from Python.

    sweep = aezoo.Sweep("experiments/quick.toml")
    sweep = aezoo.Sweep({"defaults": {"data": "digits", "epochs": 5},
                         "runs": {"simple": {"model": "simple"}, "deep": {"model": "deep"}}},
                        out="outputs/my-sweep")
    sweep.run(workers=2)        # `aezoo sweep FILE --out OUT --workers 2`, then compared
    sweep.runs, sweep.comparison(), sweep   # in Jupyter: the runs' table, the plot

The file is read and every run planned when the Sweep is made (a UsageError, one
line, if anything is wrong; nothing is written). run() is the `aezoo sweep` command
itself, through the command registry, so its folder, resume rules, workers, Ray and
ASHA are the command's. A dict is written as a TOML file into a temporary folder.
"""
import json
import math
import os
import tempfile
import time

from aezoo import commands
from aezoo.errors import UsageError
from aezoo.notebook import display
from aezoo.notebook.compare import Comparison
from aezoo.notebook.run import Run
from aezoo.runs import checkpoints
from aezoo.sweeps.file import read
from aezoo.sweeps.steps import plan_steps

TABLES = ("defaults", "runs", "grid")


def toml_value(value, where):
    """A TOML value: JSON's spelling of strings, numbers, booleans and arrays is TOML's."""
    if isinstance(value, float) and not math.isfinite(value):
        raise UsageError(f"{where} = {value!r}: a sweep option is a finite number")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v, where) for v in value) + "]"
    if isinstance(value, (str, int, float, bool)):
        return json.dumps(value)
    raise UsageError(f"{where} = {value!r}: expected a string, number, boolean or list")


def toml_text(tables):
    """The sweep file of a dict {"defaults": {...}, "runs": {NAME: {...}}, "grid": {...}}."""
    lines = []

    def table(header, options, where):
        if not isinstance(options, dict):
            raise UsageError(f"{where} must be a dict of options")
        lines.append(header)
        lines.extend(f"{json.dumps(str(k))} = {toml_value(v, f'{where}.{k}')}"
                     for k, v in options.items())
        lines.append("")

    for key, value in tables.items():
        if key == "runs" and isinstance(value, dict):
            for name, options in value.items():
                table(f"[runs.{json.dumps(str(name))}]", options, f"runs.{name}")
        elif key in TABLES:
            table(f"[{key}]", value, key)
        else:  # read() names it as a sweep file's unknown key
            table(f"[{json.dumps(str(key))}]", value if isinstance(value, dict) else {}, key)
    return "\n".join(lines)


class Sweep:
    """A sweep file planned in full; run() trains it."""

    def __init__(self, path_or_dict, out=None):
        self._scratch = None
        if isinstance(path_or_dict, dict):
            self._scratch = tempfile.TemporaryDirectory(prefix="aezoo-sweep-")
            path = os.path.join(self._scratch.name, "sweep.toml")
            with open(path, "w") as f:
                f.write(toml_text(path_or_dict))
            out = out or os.path.join("outputs", "sweep-" + time.strftime("%Y%m%d-%H%M%S"))
        elif isinstance(path_or_dict, (str, os.PathLike)):
            path = os.fspath(path_or_dict)
        else:
            raise UsageError(f"a sweep is a path or a dict of {', '.join(TABLES)}, "
                             f"not {path_or_dict!r}")
        self.path = path
        self.out = os.path.abspath(out or os.path.join(
            "outputs", "sweep-" + os.path.splitext(os.path.basename(path))[0]))
        self.steps = plan_steps(read(path), self.out, path)  # every check; nothing written
        self.status = None

    def run(self, workers=None, threads=None, early_stop=None, retries=2):
        """Train every run that is not finished, then compare them, as `aezoo sweep` does.
        Returns the Sweep; Ctrl-C stops the runs at their next epoch (run() again resumes)."""
        argv = ["sweep", self.path, "--out", self.out, "--retries", str(retries)]
        if workers is not None:
            argv += ["--workers", str(workers)]
        if threads is not None:
            argv += ["--threads", str(threads)]
        if early_stop:
            argv += ["--early-stop", early_stop]
        self.status = commands.main(argv)
        if self.status == 2:
            raise UsageError(f"aezoo sweep {self.path} refused to run; its reason is printed above")
        return self

    @property
    def runs(self):
        """The Runs of the sweep that have trained at least one epoch, in the file's order."""
        return [Run(s.folder) for s in self.steps if checkpoints.exists(s.folder)]

    def comparison(self):
        """A Comparison of the trained runs (all on one data set; else per data set: runs[i])."""
        return Comparison(*self.runs)

    def __repr__(self):
        return f"<aezoo.Sweep {self.path}: {len(self.steps)} runs into {self.out}>"

    def _repr_html_(self):
        rows = []
        for s in self.steps:
            done = checkpoints.read_meta(s.folder)["epoch"] if checkpoints.exists(s.folder) else 0
            rows.append({"run": s.name, "model": s.cfg.model, "data": s.cfg.data,
                         "epochs": f"{done} of {s.cfg.epochs}"})
        parts = [f"<h4>aezoo sweep <code>{display.esc(os.path.basename(self.path))}</code></h4>",
                 f"<p>into <code>{display.esc(self.out)}</code></p>",
                 display.table(rows, ["run", "model", "data", "epochs"], "runs")]
        trained = self.runs
        if trained:
            try:
                parts.append(Comparison(*trained)._repr_html_())
            except UsageError as e:  # runs on several data sets: each has its own comparison
                parts.append(f"<p>{display.esc(e)}</p>")
        return "<div class=\"aezoo-sweep\">" + "".join(parts) + "</div>"
