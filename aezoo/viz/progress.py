"""One run's frame at one epoch: a title, its reconstructions, latent view, curves and architecture.

    Progress(run).show(epoch)      progress.gif / progress.mp4
    LatentOnly(run).show(epoch)    latent.gif / latent.mp4

The helpers here (fixed loss limits, the curves up to an epoch, the caption, the
latent panel) also draw the comparison's columns (columns.py).
"""
import matplotlib.pyplot as plt
from matplotlib import ticker

from aezoo.errors import UsageError
from aezoo.viz import architecture, curves, latent
from aezoo.viz.panels import PANELS
from aezoo.viz.style import DPI, FONT

# Progress frames: both sides multiples of 16 so nothing is padded. Boxes are figure
# fractions (left, bottom, width, height).
FRAME_SIZE = (1280, 576)
GRID_BOX = (0.075, 0.30, 0.37, 0.58)
LATENT_BOX = (0.5, 0.36, 0.15, 0.52)
LOSS_BOX = (0.76, 0.36, 0.225, 0.5)
ARCH_BOX = (0.01, 0.01, 0.98, 0.2)


def loss_limits(runs, loss):
    """Fixed (x, y) limits for the curves of `runs` in `loss`: all epochs, all values; the
    right margin keeps the last epoch's dot whole."""
    values = [r[key] for run in runs for r in run.saved
              for key in (f"test_{loss}", f"train_{loss}" if f"train_{loss}" in r
                          else "train_reconstruction") if key in r]
    values += [run.floor for run in runs if run.floor and loss == "bce"]
    last = max(run.last for run in runs)
    return (-0.5, last + max(0.5, 0.04 * last)), curves.log_limits(values)  # log: factors


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
    method = next(iter(fitted.values())).method
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
