"""recon/epoch_NNNN.npz and .png: the snapshot's arrays of every epoch, and their picture.

The arrays come from train/capture.py (the one place that runs the model for pictures);
runs/snapshots.py writes and reads the files; viz draws the quick-look PNG beside them.
Every picture of a run (the video, compare, report) is drawn from these arrays later.
"""
import os

from aezoo.loggers.base import Logger


class ReconFiles(Logger):
    on_resume = "writes the epochs after the checkpoint's again, over any an interrupted run left"

    def start(self, run):
        from aezoo.runs import snapshots
        self.folder = os.path.join(run.run_dir, snapshots.FOLDER)
        os.makedirs(self.folder, exist_ok=True)

    def epoch(self, epoch):
        from aezoo.runs import snapshots
        from aezoo.viz import snapshot
        if epoch.arrays is not None:
            snapshots.save(self.folder, epoch.number, epoch.arrays, snapshot.grid(epoch.arrays))
