"""The one frame composer: a run's reconstructions and loss curves at one epoch.

`compose(runs, epochs)` gives the frames of a progress video (one run: the
reconstruction panel beside the curves, a title on top) or of a comparison
(several runs, or labels given: one labelled column a run). The same panels
draw both, chosen by the data's kind, so a new view (latent space, the
architecture) is one more panel here, not a third copy of the layout.
"""
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

from aezoo.viz import curves, snapshot, video  # noqa: E402

DPI = 100
FRAME_SIZE = (960, 288)  # progress frames; both sides multiples of 16 so nothing is padded
GRID_BOX = (0.065, 0.06, 0.56, 0.8)  # figure fractions (left, bottom, width, height)
LOSS_BOX = (0.71, 0.17, 0.27, 0.7)
COLUMN_HEIGHT = 320  # pixels of a comparison column; its width comes from column_width(n)


def column_width(n):
    """Pixels per comparison column: 384, narrower for many runs (frames stay near 1920 wide)."""
    return 384 if n <= 5 else max(240, 1920 // n // video.BLOCK * video.BLOCK)


class GridPanel:
    """Inputs above reconstructions, as grey pictures (images; vectors as squares or strips),
    and a generative model's samples and code-space manifold below them."""

    def __init__(self, ax):
        self.ax, self.image = ax, None

    def show(self, arrays):
        pixels, labels, titles = snapshot.labelled_grid(arrays)
        if self.image is not None:
            self.image.set_data(pixels)  # same size every epoch: no relayout
            return
        self.image = self.ax.imshow(pixels, cmap="gray", vmin=0, vmax=1, interpolation="antialiased")
        self.ax.set_xticks([x for x, _ in titles])
        self.ax.set_xticklabels([title for _, title in titles], fontsize=9)
        self.ax.tick_params(axis="x", length=0)
        self.ax.set_yticks([y for y, _ in labels])
        self.ax.set_yticklabels([label for _, label in labels], fontsize=9)
        for spine in self.ax.spines.values():
            spine.set_visible(False)


class LinePanel:
    """Sequences of a few values a step as curves: the target dark, the output in red, each
    shown sequence in its own slot along the x axis, each value a band of its own."""

    def __init__(self, ax):
        self.ax, self.outputs = ax, None

    def show(self, arrays):
        truth = arrays["targets"] if "targets" in arrays else arrays["inputs"]
        n, steps, features = truth.shape
        low, high = (float(v) for v in arrays["value_range"])
        band = (high - low) * 1.2 or 1.0
        x = [i * (steps + max(2, steps // 5)) + np.arange(steps) for i in range(n)]
        if self.outputs is None:
            self.outputs = []
            for i in range(n):
                for d in range(features):
                    self.ax.plot(x[i], truth[i, :, d] - d * band, color="0.2", linewidth=1)
                    self.outputs.append(self.ax.plot(x[i], truth[i, :, d] - d * band,
                                                     color="tab:red", linewidth=1.2)[0])
            self.ax.set_xticks([])
            self.ax.set_yticks([])
            self.ax.set_ylim(low - (features - 1) * band - 0.1 * band, high + 0.1 * band)
            self.ax.plot([], [], color="0.2", label="target")
            self.ax.plot([], [], color="tab:red", label="output")
            self.ax.legend(loc="upper right", fontsize=7, ncol=2, frameon=False,
                           bbox_to_anchor=(1.0, 1.12))
        for k, line in enumerate(self.outputs):
            i, d = divmod(k, features)
            line.set_ydata(arrays["outputs"][i, :, d] - d * band)


# view of the data (kind, or for sequences lines / heatmap / rows) -> reconstruction panel
PANELS = {"image": GridPanel, "vector": GridPanel, "rows": GridPanel, "heatmap": GridPanel,
          "lines": LinePanel}


def loss_limits(runs, loss):
    """Fixed (x, y) limits for the curves of `runs` in `loss`: all epochs, all values."""
    values = [r[key] for run in runs for r in run.saved
              for key in (f"test_{loss}", f"train_{loss}" if f"train_{loss}" in r
                          else "train_reconstruction") if key in r]
    last = max(run.last for run in runs)
    low, high = min(values), max(values)
    return (-0.5, last + 0.5), (low / 1.15, high * 1.15)  # log axis: margins are factors


def draw_curves(ax, run, epoch, limits):
    """The run's curves up to `epoch` on fixed `limits`, the shown epoch marked.

    Called once a frame on the same axes: only the lines and texts of the last
    frame go (ax.cla() would rebuild every tick and cost most of the time).
    """
    shown = run.at(epoch)
    for artist in ax.lines + ax.texts:
        artist.remove()
    curves.draw(ax, run.saved, run.events, run.loss, upto=shown, limits=limits, kind=run.kind)
    if ax.get_yscale() != "log":
        curves.log_axis(ax, limits[1])
    ax.set_ylim(*limits[1])
    ax.axvline(shown, color="tab:red", linewidth=1)
    ax.plot([shown], [run.test_loss(shown)], "o", color="tab:red", markersize=5)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))  # epochs are whole
    ax.tick_params(which="both", labelsize=8)
    ax.xaxis.label.set_fontsize(8)
    ax.yaxis.label.set_fontsize(8)


def caption(run, epoch, long=True):
    """'deep on digits · epoch 3 of 5 · test BCE 0.2910 · depth 2' (short: for columns)."""
    shown = run.at(epoch)
    where = (f"{run.config['model']} on {run.data_name} · epoch {shown} of {run.last}" if long
             else f"{run.config['model']} · epoch {shown}" + (" (ended)" if epoch > run.last else ""))
    depth = run.depth(shown)
    return (f"{where} · test {run.loss.upper()} {run.test_loss(shown):.4f}"
            + (f" · depth {depth}" if depth else ""))


class Column:
    """One run's panels in a figure: a caption, its reconstruction panel and its curves."""

    def __init__(self, run, text, recon_ax, loss_ax, limits, long, legend_size=None):
        self.run, self.text, self.loss_ax, self.limits = run, text, loss_ax, limits
        self.recon = PANELS[run.view](recon_ax)
        self.long, self.legend_size = long, legend_size

    def show(self, epoch):
        self.text.set_text(caption(self.run, epoch, self.long))
        self.recon.show(self.run.arrays(epoch))
        draw_curves(self.loss_ax, self.run, epoch, self.limits)
        if self.legend_size:
            self.loss_ax.set_ylabel("")
            self.loss_ax.legend(loc="upper right", fontsize=self.legend_size)


def _progress_layout(run):
    fig = plt.figure(figsize=(FRAME_SIZE[0] / DPI, FRAME_SIZE[1] / DPI), dpi=DPI)
    heading = fig.suptitle("", fontsize=11)
    limits = loss_limits([run], run.loss)
    return fig, [Column(run, heading, fig.add_axes(GRID_BOX), fig.add_axes(LOSS_BOX), limits, True)]


def _comparison_layout(runs, labels):
    n, width = len(runs), column_width(len(runs))
    fig = plt.figure(figsize=(n * width / DPI, COLUMN_HEIGHT / DPI), dpi=DPI)
    limits = {loss: loss_limits([r for r in runs if r.loss == loss], loss)
              for loss in {r.loss for r in runs}}
    columns = []
    for i, (run, label) in enumerate(zip(runs, labels)):
        left = i / n
        fig.text(left + 0.5 / n, 0.975, label, ha="center", va="top", fontsize=10, weight="bold")
        text = fig.text(left + 0.5 / n, 0.9, "", ha="center", va="top", fontsize=8)
        recon_ax = fig.add_axes((left + 0.14 / n, 0.56, 0.83 / n, 0.26))
        loss_ax = fig.add_axes((left + 0.2 / n, 0.12, 0.74 / n, 0.38))
        columns.append(Column(run, text, recon_ax, loss_ax, limits[run.loss], False, 7))
    return fig, columns


def compose(runs, epochs, labels=None):
    """uint8 RGB frames, one per epoch in `epochs`; progress layout for one unlabelled run."""
    if labels is None and len(runs) == 1:
        fig, columns = _progress_layout(runs[0])
    else:
        fig, columns = _comparison_layout(runs, labels or [r.name for r in runs])
    out = []
    try:
        for epoch in epochs:
            for column in columns:
                column.show(epoch)
            out.append(video.figure_pixels(fig))
    finally:
        plt.close(fig)
    return out
