"""The comparison frame: one labelled column a run, and one shared panel of every run's curve.

A column holds the run's name (never clipped: it shrinks to FONT, then wraps),
a caption, its reconstructions with at least MIN_THUMB pixels a sample (the
rows wrap; a 2-D code's manifold is left to the progress video) and its latent
view (the labels' legend in the first column only: the colours are the same). The shared panel on the right overlays every run's test curve up to the
epoch, each run in its own colour and line style with a dot at the shown epoch,
and the baselines (PCA, the entropy floor) dotted. Sizes are in pixels at
DPI; --dpi scales them all.
"""
import textwrap

import numpy as np
from matplotlib import ticker

import matplotlib.pyplot as plt

from aezoo.viz import curves, progress, snapshot, video
from aezoo.viz.panels import PANELS
from aezoo.viz.style import DPI, FONT, MIN_THUMB

HEADER = 64        # pixels: the run's name (up to two lines) and the caption
LABELS = 64        # pixels left of a grid for its row labels ("output")
LATENT = 200       # pixels of a column's latent view
SHARED = 480       # pixels of the shared panel's column
MARGIN = 40        # pixels below, for the axes' ticks
STYLES = ("-", "--", "-.", ":")


def column_width(n):
    """Pixels per comparison column: 384, narrower for many runs (frames stay near 1920 wide)."""
    return 384 if n <= 5 else max(288, 1920 // n // video.BLOCK * video.BLOCK)


def grid_height(run, width):
    """Pixels the run's grid needs at `width` with every sample at least MIN_THUMB wide."""
    arrays = run.arrays(run.saved[0]["epoch"])
    if run.view == "lines":
        return 160
    cell = snapshot.pictures_side(arrays)
    n = len(arrays["inputs"])
    per_row = max([k for k in range(1, n + 1)
                   if snapshot.thumbnail(arrays, k, (width, 1e9)) >= MIN_THUMB] or [1])
    pixels = snapshot.labelled_grid(arrays, per_row, manifold=False)[0]
    return int(np.ceil(pixels.shape[0] * max(width / pixels.shape[1], MIN_THUMB / cell)))


def style(i):
    """(colour, line style) of the i-th run: 10 colours, then 4 line styles."""
    return f"C{i % 10}", STYLES[(i // 10 + i) % len(STYLES)]


def fit_label(fig, text, width, size=10):
    """`text` at a size (10 down to FONT) that fits `width` pixels, else wrapped."""
    renderer = fig.canvas.get_renderer()
    while True:
        text.set_fontsize(size)
        if text.get_window_extent(renderer).width <= width or size <= FONT:
            break
        size -= 1
    extent = text.get_window_extent(renderer).width
    if extent > width:
        label = text.get_text()
        chars = max(4, int(len(label) * width / extent))
        text.set_text("\n".join(textwrap.wrap(label, chars, break_on_hyphens=False)))


class Comparison:
    def __init__(self, runs, labels, baselines=(), dpi=DPI):
        self.runs, self.labels, self.baselines = runs, labels, list(baselines)
        n, width = len(runs), column_width(len(runs))
        grid = max(grid_height(run, width - LABELS - 12) for run in runs)
        has_latent = any("latent_codes" in run.arrays(run.last) for run in runs)
        height = HEADER + grid + 16 + (LATENT + 40 if has_latent else 0) + MARGIN
        height = -(-height // video.BLOCK) * video.BLOCK
        total = n * width + SHARED
        self.fig = fig = plt.figure(figsize=(total / DPI, height / DPI),
                                          dpi=dpi)

        def box(left, top, w, h):  # pixels from the top left -> figure fractions
            return (left / total, 1 - (top + h) / height, w / total, h / height)

        self.columns = []
        for i, (run, label) in enumerate(zip(runs, labels)):
            left = i * width
            name = fig.text((left + width / 2) / total, 1 - 4 / height, label, ha="center",
                            va="top", weight="bold")
            fit_label(fig, name, (width - 12) * dpi / DPI)
            text = fig.text((left + width / 2) / total, 1 - (HEADER - 18) / height, "",
                            ha="center", va="top", fontsize=FONT)
            recon = PANELS[run.view](fig.add_axes(box(left + LABELS, HEADER, width
                                                            - LABELS - 12, grid)),
                                           manifold=False, min_thumb=MIN_THUMB)
            panel = None
            if has_latent:
                ax = fig.add_axes(box(left + 56, HEADER + grid + 40, width - 120, LATENT))
                panel = progress.latent_panel(run, ax, legend=i == 0)  # one legend: same colours
            self.columns.append((run, text, recon, panel))
        self.shared = fig.add_axes(box(n * width + 64, HEADER, SHARED - 84,
                                       height - HEADER - MARGIN - 8))
        metric = self.metric = "bce" if all(r.loss == "bce" for r in runs) else "mse"
        values = [r[f"test_{metric}"] for run in runs for r in run.saved] + [
            v for _, v in self.baselines]
        last = max(run.last for run in runs)
        self.limits = ((-0.5, last + max(0.5, 0.04 * last)), curves.log_limits(values))
        fig.text((n * width + SHARED / 2) / total, 1 - 4 / height, f"test {metric.upper()}, "
                 f"every run", ha="center", va="top", weight="bold", fontsize=10)

    def show(self, epoch):
        for run, text, recon, panel in self.columns:
            text.set_text(progress.caption(run, epoch, long=False))
            arrays = run.arrays(epoch)
            recon.show(arrays)
            if panel is not None:
                panel.show(arrays)
        self.draw_shared(epoch)

    def draw_shared(self, epoch):
        ax, metric = self.shared, self.metric
        for artist in ax.lines + ax.texts:
            artist.remove()
        for i, (run, label) in enumerate(zip(self.runs, self.labels)):
            colour, dash = style(i)
            shown = [r for r in run.saved if r["epoch"] <= run.at(epoch)]
            ax.plot([r["epoch"] for r in shown], [r[f"test_{metric}"] for r in shown],
                    color=colour, linestyle=dash, linewidth=1.6, label=label)
            ax.plot([shown[-1]["epoch"]], [shown[-1][f"test_{metric}"]], "o", color=colour,
                    markersize=5, clip_on=False)
        curves.off_axis_note(ax, self.baselines, FONT)
        drawn = [(name, value) for name, value in self.baselines if curves.drawable(value)]
        heights = curves.end_label_heights([v for _, v in drawn], *self.limits[1],
                                           gap=0.035) if drawn else []
        for (name, value), y in zip(drawn, heights):  # labels set apart when close
            ax.axhline(value, color="0.4", linestyle=":", linewidth=1.2)
            ax.text(0.01, y, f" {name}", color="0.3", fontsize=FONT, va="bottom",
                    transform=ax.get_yaxis_transform())
        if ax.get_yscale() != "log":
            curves.log_axis(ax, self.limits[1])
            ax.set_xlim(*self.limits[0])
            ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
            ax.tick_params(which="both", labelsize=FONT)
            ax.set_xlabel("epoch", fontsize=FONT)
            ax.grid(alpha=0.3)
        ax.set_ylim(*self.limits[1])
        ax.axvline(epoch, color="0.6", linewidth=0.8)
        ax.legend(loc="upper right", fontsize=FONT, handlelength=3)
