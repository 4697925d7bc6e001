"""progress.gif and progress.mp4 of a run: reconstructions and loss curves, epoch by epoch.

    python -m aezoo.render outputs/main
    python -m aezoo.render outputs/main --fps 8 --format gif
    python -m aezoo.render outputs/main --latent          # latent.gif / latent.mp4 instead
    python -m aezoo.render outputs/main --dpi 150         # frames 1.5 times as large

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

from aezoo import cli
from aezoo.errors import UsageError
from aezoo.viz import frame, video
from aezoo.viz.runfolder import RunFolder

STEM = "progress"
STEMS = {"progress": STEM, "latent": "latent"}


def frame_epochs(run):
    """The epochs that become frames: every saved one, or MAX_FRAMES of them spread evenly."""
    run = run if isinstance(run, RunFolder) else RunFolder(run)
    return [run.saved[i]["epoch"] for i in video.pick(len(run.saved))]


DPI_RANGE = (50, 400)  # frames from half to four times the default size


def check_dpi(dpi):
    """Dots per inch of frames (frame.DPI = 100: the default size), or a UsageError."""
    if not (isinstance(dpi, (int, float)) and DPI_RANGE[0] <= dpi <= DPI_RANGE[1]):
        raise UsageError(f"--dpi {dpi}: expected a number from {DPI_RANGE[0]} to {DPI_RANGE[1]} "
                         f"({frame.DPI} is the default size)")
    return float(dpi)


def render(run_dir, fps=None, formats=video.FORMATS, dpi=frame.DPI, view="progress"):
    """Write progress.gif / progress.mp4 (view "latent": latent.gif / .mp4) into `run_dir`;
    returns the paths written.

    fps defaults to the run's --fps. Raises UsageError for a folder that is not
    a run or has nothing to render.
    """
    run = RunFolder(run_dir)
    dpi = check_dpi(dpi)
    fps = video.check_fps(fps if fps is not None else run.config.get("fps") or 4.0)
    epochs = frame_epochs(run)
    if len(epochs) < len(run.saved):
        print(f"aezoo.render: {len(run.saved)} saved epochs, so {len(epochs)} frames "
              f"(one every {len(run.saved) / len(epochs):.1f} epochs on average; first and last kept)",
              file=sys.stderr)
    frames = frame.compose([run], epochs, dpi=dpi, view=view)
    return video.write(os.path.join(run_dir, STEMS[view]), frames, fps, formats,
                       prog="aezoo.render")


def main(argv=None):
    return cli.guarded("aezoo.render", _main, argv)


def _main(argv):
    p = cli.Parser(prog="python -m aezoo.render", description=__doc__.split("\n")[0])
    p.add_argument("run_dir", help="a run folder written by python -m aezoo.run")
    p.add_argument("--fps", type=float, help="frames per second (default: the run's --fps)")
    p.add_argument("--format", default="gif,mp4", help="gif, mp4 or gif,mp4 (default)")
    p.add_argument("--dpi", type=float, default=frame.DPI,
                   help=f"frame resolution: {frame.DPI} (default) gives 1280x576 progress frames")
    p.add_argument("--latent", action="store_true",
                   help="write latent.gif / latent.mp4, the latent view alone")
    args = p.parse_args(argv)
    view = "latent" if args.latent else "progress"
    for path in render(args.run_dir, args.fps, video.parse_formats(args.format), args.dpi, view):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
