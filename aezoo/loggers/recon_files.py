"""recon/epoch_NNNN.npz and .png: the snapshot's arrays of every epoch, and their picture.

The arrays come from train/capture.py (the one place that runs the model for pictures);
runs/recon.py writes and reads the files; viz draws the quick-look PNG beside them.
Every picture of a run (the video, compare, report) is drawn from these arrays later.
"""
import os

from aezoo.loggers.contract import Logger


class ReconFiles(Logger):
    on_resume = "writes the epochs after the checkpoint's again, over any an interrupted run left"

    def start(self, run):
        from aezoo.runs import recon
        self.folder = os.path.join(run.run_dir, recon.FOLDER)
        os.makedirs(self.folder, exist_ok=True)

    def epoch(self, epoch):
        from aezoo.runs import recon
        from aezoo.viz import tiles
        if epoch.arrays is not None:
            recon.save(self.folder, epoch.number, epoch.arrays, tiles.grid(epoch.arrays))
