"""A run folder read back for pictures: options, epoch records, events and snapshot arrays."""
import math
import os

from aezoo.errors import UsageError
from aezoo.runs import metrics, rundir
from aezoo.runs import recon


class RunFolder:
    """What a video or comparison needs from one run folder (nothing is written)."""

    def __init__(self, run_dir):
        self.dir = run_dir
        self.record = rundir.read_config(run_dir)
        self.config = self.record["config"]
        self.loss = self.config.get("loss", "bce")
        self.kind = self.record["data"].get("kind", "image")
        self.view = self.record["data"].get("view", self.kind)  # how a sample is drawn
        self.floor = self.record["data"].get("entropy_floor")  # lowest BCE possible, if known
        self.epochs, self.events = metrics.read(run_dir)
        self.require(f"test_{self.loss}")
        self.folder = os.path.join(run_dir, recon.FOLDER)
        # Epochs with both a metrics line and a snapshot; a run killed between the
        # two writes has one without the other.
        have = set(recon.saved_epochs(self.folder))
        self.saved = [r for r in self.epochs if r["epoch"] in have]
        if not self.saved and os.path.isdir(self.folder) and os.listdir(self.folder):
            raise UsageError(f"{run_dir} holds snapshots as pictures only (made by aezoo 0.1): "
                             f"frames are drawn from recon/epoch_NNNN.npz, which it lacks")
        if not self.saved:
            raise UsageError(f"{run_dir} has no epoch with both a metrics.jsonl line and "
                             f"{recon.FOLDER}/epoch_NNNN.npz; nothing to render")
        self.by_epoch = {r["epoch"]: r for r in self.saved}
        self.last = self.saved[-1]["epoch"]
        self._cached = (None, None)
        self.architecture = rundir.read_architecture(run_dir)  # [] for a run of aezoo 0.1

    def require(self, *scores):
        """A UsageError unless every epoch line has these scores (an edited metrics.jsonl)."""
        for score in scores:
            lacking = [r["epoch"] for r in self.epochs if score not in r]
            if lacking:
                raise UsageError(f"{self.dir}/{metrics.FILE}: the line of epoch {lacking[0]} has "
                                 f"no {score}; was it edited?")
            wrong = [r for r in self.epochs if not isinstance(r[score], (int, float))
                     or isinstance(r[score], bool)]
            if wrong:
                raise UsageError(f"{self.dir}/{metrics.FILE}: the line of epoch "
                                 f"{wrong[0]['epoch']} has {score} = {wrong[0][score]!r}, not a "
                                 f"number; was it edited?")

    def not_finite(self, score):
        """A sentence naming the epochs whose `score` is NaN or infinite (a diverged run, an
        edited file), which pictures leave out; None when every one is finite."""
        bad = [r["epoch"] for r in self.epochs if not math.isfinite(r[score])]
        if not bad:
            return None
        shown = ", ".join(map(str, bad[:5])) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        return (f"{self.dir}: {score} is NaN or infinite at epoch{'s' if len(bad) > 1 else ''} "
                f"{shown}; not drawn")

    @property
    def name(self):
        return os.path.basename(os.path.normpath(self.dir))

    @property
    def data_name(self):
        spec = self.record["data"]["name"]
        kind, _, path = spec.partition(":")
        return f"{kind}:{os.path.basename(path)}" if path else spec

    def at(self, epoch):
        """The saved epoch shown at `epoch`: itself, or the last before it (a finished run holds)."""
        earlier = [e for e in self.by_epoch if e <= epoch]
        return max(earlier) if earlier else self.saved[0]["epoch"]

    def arrays(self, epoch):
        """The snapshot arrays shown at `epoch` (inputs, outputs, codes, labels, kind, range)."""
        shown = self.at(epoch)
        if self._cached[0] != shown:
            self._cached = (shown, recon.read(self.folder, shown))
        return self._cached[1]

    def read(self, epoch):
        """The snapshot arrays of exactly `epoch` (uncached: the latent view reads them all)."""
        return recon.read(self.folder, epoch)

    def layers_at(self, epoch):
        """The architecture.json entry of the model at the end of `epoch` (None if unknown)."""
        shown = self.at(epoch)
        entries = [e for e in self.architecture if e["epoch"] <= shown]
        return entries[-1] if entries else None

    def test_loss(self, epoch):
        return self.by_epoch[self.at(epoch)][f"test_{self.loss}"]

    def depth(self, epoch):
        return self.by_epoch[self.at(epoch)].get("depth")
