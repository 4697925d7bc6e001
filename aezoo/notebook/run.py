"""aezoo.Run: a run folder as an object; aezoo.open_run(path) opens one that exists.

    run = aezoo.open_run("outputs/deep-20261203-101500-main")
    run.config, run.metrics, run.metrics_frame(), run.events, run.best
    run.model().reconstruct(x)         # aezoo.load(run.path); run.model("best")
    run.frame()                        # the latest progress frame, an RGB array
    run.video()                        # progress.mp4 (rendered when missing), shown inline
    run.resume(epochs=40)              # the same folder, trained on; a new Run
    run                                # in Jupyter: the frame, the scores, the growth

Everything is read from the folder when asked, so a Run kept in a notebook shows the
folder as it is now. Nothing here writes, except video() rendering a missing video.
"""
import os

from tqdm.auto import tqdm

from aezoo.errors import UsageError
from aezoo.notebook import arguments, display
from aezoo.notebook.epoch_bar import in_jupyter
from aezoo.results.run_videos import STEMS, render
from aezoo.runs import checkpoints, metrics, rundir
from aezoo.runs.folder import RunFolder
from aezoo.viz import frame


def open_run(path):
    """The Run of an existing run folder; a UsageError (one line) for anything else."""
    return Run(path)


class Run:
    """A run folder: its options, its epochs, its models, its pictures."""

    def __init__(self, path):
        path = os.path.abspath(arguments.folder("run folder", path))
        if not os.path.isdir(path):
            raise UsageError(f"run folder {path} does not exist")
        rundir.read_config(path)  # a UsageError if it is not a run folder
        self.path = path

    @property
    def name(self):
        return os.path.basename(self.path)

    @property
    def config(self):
        """The resolved options (config.json's "config")."""
        return rundir.read_config(self.path)["config"]

    @property
    def metrics(self):
        """One dict per evaluated epoch, epoch 0 (untrained) first (metrics.jsonl)."""
        return metrics.read(self.path)[0]

    @property
    def events(self):
        """Growth and other events, one dict each (metrics.jsonl's event lines)."""
        return metrics.read(self.path)[1]

    def metrics_frame(self):
        """The epochs as a pandas DataFrame indexed by epoch (needs pandas)."""
        try:
            import pandas
        except ImportError:
            raise UsageError("metrics_frame() needs pandas (pip install pandas); "
                             "run.metrics is the same as a list of dicts")
        return pandas.DataFrame(self.metrics).set_index("epoch")

    @property
    def epoch(self):
        """The epoch of the last checkpoint (None before the first)."""
        return checkpoints.read_meta(self.path)["epoch"] if checkpoints.exists(self.path) else None

    @property
    def best(self):
        """The metrics line of the best checkpoint's epoch (the lowest test score), or None."""
        if not checkpoints.exists(self.path, "best"):  # none yet, or a run of aezoo 0.1
            return None
        epoch = checkpoints.read_meta(self.path, "best")["epoch"]
        return next((r for r in reversed(self.metrics) if r["epoch"] == epoch), None)

    def model(self, which="last", device="cpu"):
        """The trained model on numpy arrays: aezoo.load(run.path, device, which)."""
        from aezoo.api import load  # Chainer and the models load here, not at import
        if which not in ("last", "best"):
            raise UsageError(f"which={which!r}: expected 'last' or 'best'")
        return load(self.path, device, which)

    def frame(self, epoch=None, view="progress"):
        """The progress frame of `epoch` (default: the last saved) as a uint8 (H, W, 3) array;
        view="latent" gives the latent view's frame."""
        if view not in STEMS:
            raise UsageError(f"view={view!r}: expected one of {', '.join(STEMS)}")
        folder = RunFolder(self.path)
        epoch = folder.last if epoch is None else epoch
        if epoch not in folder.by_epoch:
            raise UsageError(f"epoch {epoch!r}: {self.name} saved epochs "
                             f"{folder.saved[0]['epoch']} to {folder.last}")
        return frame.compose([folder], [epoch], view=view)[0]

    def video(self, view="progress", fps=None):
        """progress.mp4 (or .gif without ffmpeg; view="latent": latent.*) as an object
        Jupyter shows inline; rendered first when missing or older than the last epoch."""
        if view not in STEMS:
            raise UsageError(f"view={view!r}: expected one of {', '.join(STEMS)}")
        found = self._video(view)
        if found is None or fps is not None or os.path.getmtime(found) < os.path.getmtime(
                os.path.join(self.path, metrics.FILE)):
            render(self.path, fps=fps, view=view, bar=tqdm if in_jupyter() else None)
            found = self._video(view)
        return display.Video(found)

    def _video(self, view):
        for ext in ("mp4", "gif"):
            path = os.path.join(self.path, f"{STEMS[view]}.{ext}")
            if os.path.exists(path):
                return path
        return None

    def resume(self, epochs=None, **changes):
        """Train this run on to `epochs` (and the other config.RESUMABLE changes); a new Run."""
        from aezoo.notebook.fitting import resume  # fitting imports this module
        if epochs is not None:
            changes["epochs"] = epochs
        return resume(self.path, **changes)

    def __repr__(self):
        last = self.metrics[-1] if self.metrics else {}
        return f"<aezoo.Run {self.name}: {self.config.get('model')}, epoch {last.get('epoch')}>"

    def _repr_html_(self):
        return display.run_html(self)
