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

from aezoo.errors import UsageError  # noqa: E402
from aezoo.viz import architecture, curves, latent, snapshot, video  # noqa: E402

DPI = 100  # pixels per inch of a frame; --dpi D scales every side by D / DPI
FONT = 8   # points: 11 px at DPI 100, the smallest text of a frame
# Progress frames: both sides multiples of 16 so nothing is padded. Boxes are figure
# fractions (left, bottom, width, height).
FRAME_SIZE = (1280, 576)
GRID_BOX = (0.075, 0.30, 0.37, 0.58)
LATENT_BOX = (0.5, 0.36, 0.15, 0.52)
LOSS_BOX = (0.76, 0.36, 0.225, 0.5)
ARCH_BOX = (0.01, 0.01, 0.98, 0.2)
MIN_THUMB = 64  # pixels a sample gets at least in a comparison column (rows wrap)


def column_width(n):
    """Pixels per comparison column: 384, narrower for many runs (frames stay near 1920 wide)."""
    return 384 if n <= 5 else max(288, 1920 // n // video.BLOCK * video.BLOCK)


class GridPanel:
    """Inputs above reconstructions, as grey pictures (images; vectors as squares or strips),
    and a generative model's samples and code-space manifold below them. The rows wrap so
    each sample gets as many pixels as the axes allow (at least `min_thumb` when given)."""

    def __init__(self, ax, manifold=True, min_thumb=None):
        self.ax, self.image, self.manifold, self.min_thumb = ax, None, manifold, min_thumb
        self.per_row = None

    def box(self):
        bbox = self.ax.get_window_extent()
        return bbox.width, bbox.height

    def choose_per_row(self, arrays):
        """Samples a grid row: the most pixels each, or the fewest rows giving min_thumb."""
        n = len(arrays["inputs"])
        sizes = {k: snapshot.thumbnail(arrays, k, self.box()) for k in range(1, n + 1)}
        if self.min_thumb:
            scale = self.ax.figure.dpi / DPI
            fits = [k for k, px in sizes.items() if px >= self.min_thumb * scale]
            return max(fits) if fits else 1
        return n if "manifold" in arrays and self.manifold else max(sizes, key=sizes.get)

    def show(self, arrays):
        if self.per_row is None:
            self.per_row = self.choose_per_row(arrays)
        pixels, labels, titles = snapshot.labelled_grid(arrays, self.per_row, self.manifold)
        if self.image is not None:
            self.image.set_data(pixels)  # same size every epoch: no relayout
            return
        self.image = self.ax.imshow(pixels, cmap="gray", vmin=0, vmax=1, interpolation="antialiased")
        self.ax.set_anchor("N")
        self.ax.set_xticks([x for x, _ in titles])
        self.ax.set_xticklabels([title for _, title in titles], fontsize=FONT)
        self.ax.tick_params(axis="both", length=0, pad=2)
        self.ax.set_yticks([y for y, _ in labels])
        self.ax.set_yticklabels([label for _, label in labels], fontsize=FONT)
        for spine in self.ax.spines.values():
            spine.set_visible(False)


class LinePanel:
    """Sequences of a few values a step as curves: the target dark, the output in red, each
    shown sequence in its own slot along the x axis, each value a band of its own."""

    def __init__(self, ax, **_):
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
            self.ax.legend(loc="upper right", fontsize=FONT, ncol=2, frameon=False,
                           bbox_to_anchor=(1.0, 1.12))
        for k, line in enumerate(self.outputs):
            i, d = divmod(k, features)
            line.set_ydata(arrays["outputs"][i, :, d] - d * band)


# view of the data (kind, or for sequences lines / heatmap / rows) -> reconstruction panel
PANELS = {"image": GridPanel, "vector": GridPanel, "rows": GridPanel, "heatmap": GridPanel,
          "lines": LinePanel}


def loss_limits(runs, loss):
    """Fixed (x, y) limits for the curves of `runs` in `loss`: all epochs, all values; the
    right margin keeps the last epoch's dot whole."""
    values = [r[key] for run in runs for r in run.saved
              for key in (f"test_{loss}", f"train_{loss}" if f"train_{loss}" in r
                          else "train_reconstruction") if key in r]
    values += [run.floor for run in runs if run.floor and loss == "bce"]
    last = max(run.last for run in runs)
    low, high = min(values), max(values)
    return (-0.5, last + max(0.5, 0.04 * last)), (low / 1.15, high * 1.15)  # log: factors


def draw_curves(ax, run, epoch, limits):
    """The run's curves up to `epoch` on fixed `limits`, the shown epoch marked.

    Called once a frame on the same axes: only the lines and texts of the last
    frame go (ax.cla() would rebuild every tick and cost most of the time).
    """
    shown = run.at(epoch)
    for artist in ax.lines + ax.texts:
        artist.remove()
    curves.draw(ax, run.saved, run.events, run.loss, upto=shown, limits=limits, kind=run.kind,
                fontsize=FONT, floor=run.floor)
    if ax.get_yscale() != "log":
        curves.log_axis(ax, limits[1])
    ax.set_ylim(*limits[1])
    ax.axvline(shown, color="tab:red", linewidth=1)
    ax.plot([shown], [run.test_loss(shown)], "o", color="tab:red", markersize=5, clip_on=False)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))  # epochs are whole
    ax.tick_params(which="both", labelsize=FONT)
    ax.xaxis.label.set_fontsize(FONT)
    ax.yaxis.label.set_fontsize(FONT)


def caption(run, epoch, long=True):
    """'deep on digits · epoch 3 of 5 · test BCE 0.2910 · depth 2' (short: for columns)."""
    shown = run.at(epoch)
    where = (f"{run.config['model']} on {run.data_name} · epoch {shown} of {run.last}" if long
             else f"{run.config['model']} · epoch {shown}" + (" (ended)" if epoch > run.last else ""))
    depth = run.depth(shown)
    return (f"{where} · test {run.loss.upper()} {run.test_loss(shown):.4f}"
            + (f" · depth {depth}" if depth else ""))


def latent_panel(run, ax, legend=True):
    """The run's latent view on `ax`, or None (the axes hidden) for a run without codes."""
    fitted = latent.projection_of(run)
    if fitted is None:
        ax.set_visible(False)
        return None
    method = next(iter(fitted.values()))[0].method
    ax.set_title(f"latent space ({'the 2-D code' if method == 'code' else 'PCA'})",
                 fontsize=FONT + 1, pad=3)
    return latent.LatentPanel(ax, fitted, fontsize=FONT, legend=legend)


def architecture_strip(run, ax):
    entries = run.architecture
    if not entries:
        ax.set_visible(False)
        return None
    return architecture.ArchitectureStrip(ax, architecture.widest(entries), FONT)


class Progress:
    """One run's frame: a title, its reconstructions, latent view, curves and architecture."""

    def __init__(self, run, dpi=DPI):
        self.run = run
        self.fig = plt.figure(figsize=(FRAME_SIZE[0] / DPI, FRAME_SIZE[1] / DPI), dpi=dpi)
        self.heading = self.fig.suptitle("", fontsize=FONT + 4, y=0.985)
        self.recon = PANELS[run.view](self.fig.add_axes(GRID_BOX))
        self.latent = latent_panel(run, self.fig.add_axes(LATENT_BOX))
        self.loss_ax = self.fig.add_axes(LOSS_BOX)
        self.limits = loss_limits([run], run.loss)
        self.strip = architecture_strip(run, self.fig.add_axes(ARCH_BOX))

    def show(self, epoch):
        self.heading.set_text(caption(self.run, epoch))
        arrays = self.run.arrays(epoch)
        self.recon.show(arrays)
        if self.latent is not None:
            self.latent.show(arrays)
        draw_curves(self.loss_ax, self.run, epoch, self.limits)
        self.loss_ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=FONT,
                            frameon=False, borderaxespad=0.1)
        if self.strip is not None:
            self.strip.show(self.run.layers_at(epoch), self.run.architecture[0])


LATENT_SIZE = (640, 576)  # latent.gif / latent.mp4


class LatentOnly:
    """One run's latent view alone, its epoch and test loss in the title."""

    def __init__(self, run, dpi=DPI):
        self.run = run
        self.fig = plt.figure(figsize=(LATENT_SIZE[0] / DPI, LATENT_SIZE[1] / DPI), dpi=dpi)
        self.heading = self.fig.suptitle("", fontsize=FONT + 3, y=0.985)
        self.panel = latent_panel(run, self.fig.add_axes((0.12, 0.1, 0.72, 0.8)))
        if self.panel is None:
            raise UsageError(f"{run.dir} has no latent codes in its snapshots (saved by an aezoo "
                             f"before the latent view): no latent view to render")

    def show(self, epoch):
        self.heading.set_text(caption(self.run, epoch, long=False))
        self.panel.show(self.run.arrays(epoch))


def layout(runs, labels=None, baselines=(), dpi=DPI, view="progress"):
    """The figure of a progress frame (one unlabelled run), of its latent view alone, or of a
    comparison, with its show(epoch); `baselines` [(name, value)] are dotted lines of the
    comparison's shared panel."""
    if view == "latent":
        return LatentOnly(runs[0], dpi)
    if labels is None and len(runs) == 1:
        return Progress(runs[0], dpi)
    from aezoo.viz.columns import Comparison
    return Comparison(runs, labels or [r.name for r in runs], baselines, dpi)


def compose(runs, epochs, labels=None, baselines=(), dpi=DPI, view="progress"):
    """uint8 RGB frames, one per epoch in `epochs`; progress layout for one unlabelled run."""
    shown = layout(runs, labels, baselines, dpi, view)
    out = []
    try:
        for epoch in epochs:
            shown.show(epoch)
            out.append(video.figure_pixels(shown.fig))
    finally:
        plt.close(shown.fig)
    return out
