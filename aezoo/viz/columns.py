"""The comparison frame: one labelled tile a run, and one shared panel of every run's curve.

The frame fits MAX_FRAME (1920 x 1080) for up to 8 runs: up to 4 runs side by
side, 5 to 8 in two rows of equal tiles; it holds up to MOST runs, in tiles that narrow
as they are more (compare shows the best MOST of more). A tile holds the run's name (never
clipped: it shrinks to FONT, then wraps), a caption, its reconstructions (a
number of samples a row that divides the samples, so no row is left short,
the most pixels a sample that the tile's height allows; a 2-D code's manifold
is left to the progress video) and its latent view (the labels' legend in the first column only: the colours are the same). The shared panel on the right overlays every run's test curve up to the
epoch, each run in its own colour and line style with a dot at the shown epoch,
and the baselines (PCA, the entropy floor) dotted. Sizes are in pixels at
DPI; --dpi scales them all.
"""
import textwrap

import numpy as np
from matplotlib import ticker

import matplotlib.pyplot as plt

from aezoo.viz import curves, progress, tiles, video
from aezoo.viz.panels import PANELS
from aezoo.viz.style import DPI, FONT, MIN_THUMB

HEADER = 64        # pixels: the run's name (up to two lines) and the caption
LABELS = 64        # pixels left of a grid for its row labels ("output")
LATENT = 200       # pixels of a tile's latent view (LATENT_SMALL in two rows of tiles)
LATENT_SMALL = 150
SHARED = 480       # pixels of the shared panel's column
MARGIN = 40        # pixels below, for the axes' ticks
MAX_FRAME = (1920, 1080)  # pixels: a comparison of up to 8 runs fits a full-HD screen
MOST = 16          # runs a frame holds: 8 tiles a row 176 pixels wide (past 36, none fits)
LINES = 160        # pixels of a sequence panel
STYLES = ("-", "--", "-.", ":")


def arrangement(n):
    """(rows, columns) of the tiles of `n` runs: one row up to 4, two rows above."""
    rows = 1 if n <= 4 else 2
    return rows, -(-n // rows)


def column_width(n):
    """Pixels per tile: 384, narrower when more tiles share a row, so the frame fits MAX_FRAME."""
    cols = arrangement(n)[1]
    return min(384, (MAX_FRAME[0] - SHARED) // cols // video.BLOCK * video.BLOCK)


def grid_budget(n, has_latent):
    """Pixels of height a tile's reconstructions may take."""
    rows = arrangement(n)[0]
    tile = (MAX_FRAME[1] // video.BLOCK * video.BLOCK) // rows
    latent = (LATENT if rows == 1 else LATENT_SMALL) + 40 if has_latent else 0
    return tile - HEADER - 16 - latent - MARGIN


def even_per_row(arrays, width, budget):
    """(samples a row, grid height in pixels) for a grid `width` wide: a divisor of the
    samples (no short last row) giving each the most pixels within `budget` of height,
    or the flattest grid when none fits."""
    n = len(arrays["inputs"])
    best = None
    for k in [k for k in range(1, n + 1) if n % k == 0]:
        pixels = tiles.labelled_grid(arrays, k, manifold=False)[0]
        scale = width / pixels.shape[1]
        height = int(np.ceil(pixels.shape[0] * scale))
        size = tiles.pictures_side(arrays) * scale
        key = (height <= budget, size if height <= budget else -height)
        if best is None or key > best[0]:
            best = (key, k, height)
    return best[1], best[2]


def grid_layout(run, width, budget):
    """(samples a row or None, pixels of height) of the run's reconstruction panel."""
    if run.view == "lines":
        return None, LINES
    return even_per_row(run.arrays(run.saved[0]["epoch"]), width, budget)


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


class Columns:
    def __init__(self, runs, labels, baselines=(), dpi=DPI):
        self.runs, self.labels, self.baselines = runs, labels, list(baselines)
        n, width = len(runs), column_width(len(runs))
        rows, cols = arrangement(n)
        has_latent = any("latent_codes" in run.arrays(run.last) for run in runs)
        budget = grid_budget(n, has_latent)
        layouts = [grid_layout(run, width - LABELS - 12, budget) for run in runs]
        grid = max(h for _, h in layouts)
        latent = LATENT if rows == 1 else LATENT_SMALL
        tile = HEADER + grid + 16 + (latent + 40 if has_latent else 0) + MARGIN
        height = -(-(rows * tile) // video.BLOCK) * video.BLOCK
        total = cols * width + SHARED
        self.fig = fig = plt.figure(figsize=(total / DPI, height / DPI),
                                          dpi=dpi)

        def box(left, top, w, h):  # pixels from the top left -> figure fractions
            return (left / total, 1 - (top + h) / height, w / total, h / height)

        self.columns = []
        for i, (run, label, (per_row, _)) in enumerate(zip(runs, labels, layouts)):
            left, top = i % cols * width, i // cols * tile
            name = fig.text((left + width / 2) / total, 1 - (top + 4) / height, label,
                            ha="center", va="top", weight="bold")
            fit_label(fig, name, (width - 12) * dpi / DPI)
            text = fig.text((left + width / 2) / total, 1 - (top + HEADER - 18) / height, "",
                            ha="center", va="top", fontsize=FONT)
            recon = PANELS[run.view](fig.add_axes(box(left + LABELS, top + HEADER, width
                                                            - LABELS - 12, grid)),
                                           manifold=False, min_thumb=MIN_THUMB)
            if per_row is not None:
                recon.per_row = per_row  # chosen above: rows that all hold as many samples
            panel = None
            if has_latent:
                ax = fig.add_axes(box(left + 56, top + HEADER + grid + 40, width - 120, latent))
                panel = progress.latent_panel(run, ax, legend=i == 0)  # one legend: same colours
            self.columns.append((run, text, recon, panel))
        self.shared = fig.add_axes(box(cols * width + 64, HEADER, SHARED - 84,
                                       height - HEADER - MARGIN - 8))
        metric = self.metric = "bce" if all(r.loss == "bce" for r in runs) else "mse"
        values = [r[f"test_{metric}"] for run in runs for r in run.saved] + [
            v for _, v in self.baselines]
        last = max(run.last for run in runs)
        self.limits = ((-0.5, last + max(0.5, 0.04 * last)), curves.log_limits(values))
        fig.text((cols * width + SHARED / 2) / total, 1 - 4 / height, f"test {metric.upper()}, "
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
        for _, value in drawn:
            ax.axhline(value, color="0.4", linestyle=":", linewidth=1.2)
        for name, y in curves.baseline_labels(drawn, self.limits[1], ax, FONT):
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
