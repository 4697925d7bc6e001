"""The reconstruction panel of images (and vectors, rows, heat maps): a grid of grey pictures."""
from aezoo.viz import tiles
from aezoo.viz.style import DPI, FONT


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
        sizes = {k: tiles.thumbnail(arrays, k, self.box()) for k in range(1, n + 1)}
        if self.min_thumb:
            scale = self.ax.figure.dpi / DPI
            fits = [k for k, px in sizes.items() if px >= self.min_thumb * scale]
            return max(fits) if fits else 1
        return n if "manifold" in arrays and self.manifold else max(sizes, key=sizes.get)

    def show(self, arrays):
        if self.per_row is None:
            self.per_row = self.choose_per_row(arrays)
        pixels, labels, titles = tiles.labelled_grid(arrays, self.per_row, self.manifold)
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
