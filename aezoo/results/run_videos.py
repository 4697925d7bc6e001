"""progress.gif and progress.mp4 of a run: reconstructions and loss curves, epoch by epoch.

    aezoo render outputs/main
    aezoo render outputs/main --fps 8 --format gif
    aezoo render outputs/main --latent          # latent.gif / latent.mp4 instead
    aezoo render outputs/main --dpi 150         # frames 1.5 times as large

One frame per saved epoch, epoch 0 (untrained) included: that epoch's
reconstructions, drawn from recon/epoch_NNNN.npz, beside the train and test
curves drawn up to it, on axes fixed for the whole run, the epoch marked and
growth events as dashed lines. Longer runs are subsampled to video.MAX_FRAMES
frames (first and last kept), and a line says so. Rendering reads the run
folder and writes only the two videos, so it can be repeated on a finished run
and changes none of its results.
"""
import os
import sys

from aezoo import loggers
from aezoo.errors import UsageError
from aezoo.results import long_steps
from aezoo.viz.video_settings import DPI, FORMATS, check_dpi, check_fps  # noqa: F401
from aezoo.runs.folder import RunFolder
from aezoo.runs.paths import shown

STEM = "progress"
STEMS = {"progress": STEM, "latent": "latent"}


def frame_epochs(run):
    """The epochs that become frames: every saved one, or MAX_FRAMES of them spread evenly."""
    from aezoo.viz import video  # drawing's libraries load when something is drawn
    run = run if isinstance(run, RunFolder) else RunFolder(run)
    return [run.saved[i]["epoch"] for i in video.pick(len(run.saved))]


def render(run_dir, fps=None, formats=FORMATS, dpi=DPI, view="progress", quiet=False,
           bar=None):
    """Write progress.gif / progress.mp4 (view "latent": latent.gif / .mp4) into `run_dir`;
    returns the paths written.

    fps defaults to the run's --fps. Raises UsageError for a folder that is not
    a run or has nothing to render. `quiet` says only warnings; `bar` is a tqdm
    class for the frames' progress (long_steps.Steps).
    """
    run = RunFolder(run_dir)
    dpi = check_dpi(dpi)
    from aezoo.viz import frame, video  # drawing's libraries load when something is drawn
    fps = check_fps(fps if fps is not None else run.config.get("fps") or 4.0)
    epochs = frame_epochs(run)
    warning = run.not_finite(f"test_{run.loss}")
    if warning:
        print(f"aezoo render: {warning}", file=sys.stderr)
    if len(epochs) < len(run.saved) and not quiet:
        print(f"aezoo render: {len(run.saved)} saved epochs, so {len(epochs)} frames "
              f"(one every {len(run.saved) / len(epochs):.1f} epochs on average; first and last kept)",
              file=sys.stderr)
    with long_steps.Steps("aezoo render", f"{STEMS[view]} frames", len(epochs), quiet=quiet,
                          bar=bar) as tick:
        frames = frame.compose([run], epochs, dpi=dpi, view=view, tick=tick)
    return video.write(os.path.join(run_dir, STEMS[view]), frames, fps, formats,
                       prog="aezoo render")


def after_training(cfg, run_dir, say=True, bar=None):
    """What follows a run's training, however it was started (aezoo run, aezoo.fit, a
    sweep's run): its videos, when cfg.video asks for them, told to the run's loggers
    (MLflow keeps them too) and, with `say` and not cfg.quiet, named on stderr. The paths.
    `bar`: as render's (a notebook's widget)."""
    if not cfg.video:  # aezoo render RUN_DIR (run.video()) makes them later
        return []
    videos = render(run_dir, fps=cfg.fps, quiet=cfg.quiet, bar=bar)
    loggers.rendered(cfg, run_dir, videos)
    for path in videos if say and not cfg.quiet else ():
        print(f"aezoo: video {shown(path)}", file=sys.stderr)
    return videos
