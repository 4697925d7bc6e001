"""progress.gif and progress.mp4 of a run: reconstructions and loss curves, epoch by epoch.

    python -m aezoo.render outputs/main
    python -m aezoo.render outputs/main --fps 8 --format gif

One frame per saved epoch, epoch 0 (untrained) included: that epoch's grid from
recon/epoch_NNNN.png beside the train and test curves drawn up to it, on axes
fixed for the whole run, the epoch marked and growth events as dashed lines.
Longer runs are subsampled to video.MAX_FRAMES frames (first and last kept),
and a line says so. Rendering reads the run folder and writes only the two
videos, so it can be repeated on a finished run and changes none of its results.
"""
import os
import sys

import imageio.v3 as iio
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

from aezoo import cli, metrics, plots, rundir, snapshot, video  # noqa: E402
from aezoo.config import UsageError, check_fps  # noqa: E402

STEM = "progress"
FRAME_SIZE = (960, 288)  # pixels, both sides multiples of 16 so nothing is padded
DPI = 100
GRID_BOX = (0.065, 0.06, 0.56, 0.8)  # figure fractions (left, bottom, width, height)
LOSS_BOX = (0.71, 0.17, 0.27, 0.7)


class Run:
    """What a video needs from a run folder: options, epoch records, events, snapshots."""

    def __init__(self, run_dir):
        self.dir = run_dir
        self.record = rundir.read_config(run_dir)
        self.config = self.record["config"]
        self.loss = self.config.get("loss", "bce")
        self.epochs, self.events = metrics.read(run_dir)
        folder = os.path.join(run_dir, snapshot.FOLDER)
        # Epochs with both a metrics line and a grid; a run killed between the
        # two writes has one without the other.
        self.saved = [r for r in self.epochs if os.path.exists(snapshot.path(folder, r["epoch"]))]
        if not self.saved:
            raise UsageError(f"{run_dir} has no epoch with both a metrics.jsonl line and "
                             f"{snapshot.FOLDER}/epoch_NNNN.png; nothing to render")
        self.by_epoch = {r["epoch"]: r for r in self.saved}
        self.last = self.saved[-1]["epoch"]
        data = self.record["data"]
        shown = min(self.config.get("show", 10), data["n_test"])
        self.box = snapshot.grid_box(data["shape"], shown)  # one box: every frame the same size

    @property
    def name(self):
        return os.path.basename(os.path.normpath(self.dir))

    @property
    def data_name(self):
        spec = self.record["data"]["name"]
        kind, _, path = spec.partition(":")
        return f"{kind}:{os.path.basename(path)}" if path else spec

    def grid_png(self, epoch):
        return iio.imread(snapshot.path(os.path.join(self.dir, snapshot.FOLDER), epoch))[..., :3]

    def grid(self, epoch):
        """The reconstruction grid of `epoch` (or the last one before it) as RGB pixels."""
        top, bottom, left, right = self.box
        return self.grid_png(self.at(epoch))[top:bottom, left:right]

    def at(self, epoch):
        """The saved epoch shown at `epoch`: itself, or the last before it (a finished run holds)."""
        earlier = [e for e in self.by_epoch if e <= epoch]
        return max(earlier) if earlier else self.saved[0]["epoch"]

    def test_loss(self, epoch):
        return self.by_epoch[self.at(epoch)][f"test_{self.loss}"]

    def depth(self, epoch):
        return self.by_epoch[self.at(epoch)].get("depth")


def loss_limits(runs, loss):
    """Fixed (x, y) limits for the curves of `runs` in `loss`: all epochs, all values."""
    values = [r[key] for run in runs for r in run.saved
              for key in (f"test_{loss}", "train_reconstruction") if key in r]
    last = max(run.last for run in runs)
    low, high = min(values), max(values)
    return (-0.5, last + 0.5), (low / 1.15, high * 1.15)  # log axis: margins are factors


def draw_grid(ax, pixels):
    ax.imshow(pixels, interpolation="antialiased")
    ax.set_xticks([])
    h = pixels.shape[0]
    ax.set_yticks([h / 4, 3 * h / 4])
    ax.set_yticklabels(["input", "output"], fontsize=9)
    for spine in ax.spines.values():
        spine.set_visible(False)  # the PNG's own frame is kept in the crop


def draw_curves(ax, run, epoch, limits):
    """The run's curves up to `epoch` on fixed `limits`, the shown epoch marked.

    Called once a frame on the same axes: only the lines and texts of the last
    frame go (ax.cla() would rebuild every tick and cost most of the time).
    """
    shown = run.at(epoch)
    for artist in ax.lines + ax.texts:
        artist.remove()
    plots.draw(ax, run.saved, run.events, run.loss, upto=shown, limits=limits)
    if ax.get_yscale() != "log":
        log_axis(ax, limits[1])
    ax.set_ylim(*limits[1])
    ax.axvline(shown, color="tab:red", linewidth=1)
    ax.plot([shown], [run.test_loss(shown)], "o", color="tab:red", markersize=5)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))  # epochs are whole
    ax.tick_params(which="both", labelsize=8)
    ax.xaxis.label.set_fontsize(8)
    ax.yaxis.label.set_fontsize(8)


def log_axis(ax, limits):
    """A log y axis with plain numbers: epoch 0 sits far above the rest, late gains stay visible."""
    ax.set_yscale("log")
    ax.set_ylim(*limits)
    within_decade = limits[1] / limits[0] < 10
    ax.yaxis.set_minor_locator(ticker.LogLocator(subs=(2, 3, 4, 5, 6, 8) if within_decade else (2, 5)))
    plain = ticker.FuncFormatter(lambda v, _: f"{v:.3g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)


def title(run, epoch):
    shown = run.at(epoch)
    text = (f"{run.config['model']} on {run.data_name} · epoch {shown} of {run.last} · "
            f"test {run.loss.upper()} {run.test_loss(shown):.4f}")
    depth = run.depth(shown)
    return text + (f" · depth {depth}" if depth else "")


def frame_epochs(run):
    """The epochs that become frames: every saved one, or MAX_FRAMES of them spread evenly."""
    run = run if isinstance(run, Run) else Run(run)
    return [run.saved[i]["epoch"] for i in video.pick(len(run.saved))]


def frames(run, epochs):
    fig = plt.figure(figsize=(FRAME_SIZE[0] / DPI, FRAME_SIZE[1] / DPI), dpi=DPI)
    grid_ax, loss_ax = fig.add_axes(GRID_BOX), fig.add_axes(LOSS_BOX)
    limits = loss_limits([run], run.loss)
    heading = fig.suptitle("", fontsize=11)
    image = None
    out = []
    try:
        for epoch in epochs:
            if image is None:
                draw_grid(grid_ax, run.grid(epoch))
                image = grid_ax.images[0]
            else:
                image.set_data(run.grid(epoch))  # same size every epoch: no relayout
            draw_curves(loss_ax, run, epoch, limits)
            heading.set_text(title(run, epoch))
            out.append(video.figure_pixels(fig))
    finally:
        plt.close(fig)
    return out


def render(run_dir, fps=None, formats=video.FORMATS):
    """Write progress.gif / progress.mp4 into `run_dir`; returns the paths written.

    fps defaults to the run's --fps. Raises UsageError for a folder that is not
    a run or has nothing to render.
    """
    run = Run(run_dir)
    fps = check_fps(fps if fps is not None else run.config.get("fps") or 4.0)
    epochs = frame_epochs(run)
    if len(epochs) < len(run.saved):
        print(f"aezoo.render: {len(run.saved)} saved epochs, so {len(epochs)} frames "
              f"(one every {len(run.saved) / len(epochs):.1f} epochs on average; first and last kept)",
              file=sys.stderr)
    return video.write(os.path.join(run_dir, STEM), frames(run, epochs), fps, formats,
                       prog="aezoo.render")


def main(argv=None):
    return cli.guarded("aezoo.render", _main, argv)


def _main(argv):
    p = cli.Parser(prog="python -m aezoo.render", description=__doc__.split("\n")[0])
    p.add_argument("run_dir", help="a run folder written by python -m aezoo.run")
    p.add_argument("--fps", type=float, help="frames per second (default: the run's --fps)")
    p.add_argument("--format", default="gif,mp4", help="gif, mp4 or gif,mp4 (default)")
    args = p.parse_args(argv)
    for path in render(args.run_dir, args.fps, video.parse_formats(args.format)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
