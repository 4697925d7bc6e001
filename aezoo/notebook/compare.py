"""aezoo.Comparison(*runs): the scores of runs on one data set, their plot and their video.

    cmp = aezoo.Comparison(run_a, run_b)        # Runs or run folders; checked at once
    cmp.rows                                     # scores.csv's rows, PCA baselines included
    cmp                                          # in Jupyter: the table and the plot
    cmp.video()                                  # compare.mp4, written by `aezoo compare`'s code
    cmp.write("outputs/cmp")                     # every file `aezoo compare --out` writes

The table and plot are drawn in memory (a temporary folder), so showing a comparison
writes nothing into the project; write() and video() use results/comparison.py, the
code of `aezoo compare`, into `out` (default outputs/compare-<timestamp>).
"""
import os
import tempfile
import time

from aezoo.errors import UsageError
from aezoo.notebook import arguments, display
from aezoo.notebook.run import Run
from aezoo.results import comparison
from aezoo.sweeps import pictures
from aezoo.viz import curves, video

SHOWN = ("run", "model", "epochs", "params", "code_size", "final_test_bce", "best_test_bce",
         "final_test_mse", "final_test_sqerr", "sqerr_vs_pca", "seconds_per_epoch")


def folder_of(run, i):
    """The folder of the i-th run given: a Run, or a run folder's path."""
    if isinstance(run, Run):
        return run.path
    if isinstance(run, (list, tuple)):
        raise UsageError(f"Comparison's run {i + 1} is a {type(run).__name__}: give the runs as "
                         f"separate arguments, Comparison(*runs)")
    return arguments.folder(f"Comparison's run {i + 1}", run)


class Comparison:
    """Runs on one data set side by side (a UsageError if they cannot be compared)."""

    def __init__(self, *runs, out=None):
        self.dirs = [folder_of(r, i) for i, r in enumerate(runs)]
        self.runs = comparison.load_runs(self.dirs)
        self.labels = comparison.labels(self.runs)
        self.rows = comparison.table(self.runs)
        self.out = out if out is None else arguments.folder("out", out)

    @property
    def metric(self):
        return comparison.metric(self.runs)

    def frame(self):
        """The rows as a pandas DataFrame indexed by run (needs pandas)."""
        try:
            import pandas
        except ImportError:
            raise UsageError("frame() needs pandas (pip install pandas); cmp.rows is the same "
                             "as a list of dicts")
        return pandas.DataFrame(self.rows).set_index("run")

    def plot_png(self, dpi=100):
        """compare.png's picture (test score against epoch for every run), as PNG bytes."""
        name = self.metric
        lines = [(r["run"], r[f"final_test_{name}"]) for r in self.rows if r["model"] == "pca"]
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "compare.png")
            curves.save_comparison(path, self.runs, self.labels, name, lines, dpi)
            with open(path, "rb") as f:
                return f.read()

    def write(self, out=None, formats=video.FORMATS, fps=4.0):
        """Every file of `aezoo compare` into `out` (scores, plot, video, report.html);
        returns the paths written."""
        formats = arguments.formats(formats, video.FORMATS)
        out = out if out is None else arguments.folder("out", out)
        self.out = out or self.out or os.path.join(
            "outputs", "compare-" + time.strftime("%Y%m%d-%H%M%S"))
        return comparison.compare(self.dirs, self.out, fps, formats,
                                  search=lambda out: pictures.of_trials(self.dirs, out))

    def video(self, fps=4.0):
        """compare.mp4 (or .gif without ffmpeg), written when missing, shown inline."""
        written = self.write(formats=video.FORMATS, fps=fps)
        found = [p for p in written if p.endswith((".mp4", ".gif"))]
        return display.Video(sorted(found, key=lambda p: not p.endswith(".mp4"))[0])

    def __repr__(self):
        return f"<aezoo.Comparison of {', '.join(self.labels)}>"

    def _repr_html_(self):
        columns = [c for c in SHOWN if any(r.get(c) is not None for r in self.rows)]
        rows = [{k: v for k, v in r.items() if v is not None} for r in self.rows]
        return ("<div class=\"aezoo-comparison\">"
                f"<h4>aezoo comparison of {len(self.runs)} runs</h4>"
                + display.table(rows, columns, f"scores on {self.runs[0].data_name}")
                + display.png_bytes_tag(self.plot_png(), "test score against epoch") + "</div>")
