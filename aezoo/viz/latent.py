"""The latent-space view: the codes of a fixed set of test samples, epoch by epoch, in 2-D.

Every snapshot keeps, beside the shown samples, the codes of about 1,000 fixed
test samples (`latent_codes`, seeded indices `latent_index`, `latent_labels`
where the data set has labels). A run's view of them is a Projection: the code
itself when it has two numbers, else PCA fitted once, on the final epoch's
codes, and applied to every epoch, so a video shows the points move along fixed
directions. Each frame's axes hold that frame's points, all of them, and no more:
an early epoch's codes may lie far from the last one's (a deep model's drift
toward 0 in its first epochs), and axes fitted to every epoch at once left the
last frame's points in a corner. Codes of any shape are flattened first (a Keras-mode GRU's code is every
step's state, (N, T, H)); NaN (padded steps) counts as 0.

For a 2-D code the snapshot also decodes a MANIFOLD x MANIFOLD grid of codes
over the range its codes occupy (5 % to 95 % on each axis): the Keras blog's
picture of a VAE's code space, for any model (a VAE keeps its prior's grid).
"""
import matplotlib
import numpy as np

COUNT = 1000          # test samples whose codes every snapshot keeps
BUDGET = 2 ** 17      # numbers of code per epoch (512 KB): wide codes keep fewer samples
MIN_COUNT = 64        # ... but never fewer than this
MANIFOLD = 10         # a 10 x 10 grid of decoded codes for a 2-D code
WIDE = 256            # codes with more numbers a sample are kept as float16
CHUNK = 250           # samples per forward pass (conv im2col memory stays small)
SEED = 1              # another draw than the shown samples' (seed 0)


def count(n_test, code_size):
    """How many test samples' codes an epoch keeps: COUNT, fewer for wide codes."""
    return int(min(COUNT, n_test, max(MIN_COUNT, BUDGET // max(1, code_size))))


def flat(codes):
    """(N, ...) codes as (N, D) float64, NaN as 0."""
    codes = np.asarray(codes, np.float64)
    return np.nan_to_num(codes.reshape(len(codes), -1))


def grid_codes(codes, n=MANIFOLD):
    """n x n codes over the 5-95 % range of 2-D `codes`, top row first (y falls downwards)."""
    low, high = np.percentile(flat(codes), [5, 95], axis=0)
    xs, ys = np.linspace(low[0], high[0], n), np.linspace(high[1], low[1], n)
    return np.array([[x, y] for y in ys for x in xs], np.float32)


class Projection:
    """The fixed 2-D axes of a run's latent view, fitted on its final epoch's codes."""

    def __init__(self, final_codes):
        x = flat(final_codes)
        self.dim = x.shape[1]
        self.mean = np.zeros(self.dim)
        if self.dim <= 2:  # the code itself (a 1-D code: its value, at height 0)
            self.components = np.eye(2, self.dim)
            self.method = "code"
            return
        self.mean = x.mean(axis=0)
        _, _, vt = np.linalg.svd(x - self.mean, full_matrices=False)
        signs = np.sign(vt[:2, np.abs(vt[:2]).argmax(axis=1)].diagonal())  # deterministic signs
        self.components = vt[:2] * np.where(signs == 0, 1, signs)[:, None]
        self.method = "PCA"

    def __call__(self, codes):
        """(N, 2) points of `codes` (any epoch) on the fixed axes."""
        return (flat(codes) - self.mean) @ self.components.T

    def axis_names(self):
        if self.method == "code":
            return ("code 1", "code 2" if self.dim == 2 else "")
        return ("PC 1 (final epoch)", "PC 2 (final epoch)")



def limits(points, margin=0.06):
    """((x0, x1), (y0, y1)) holding every one of the (N, 2) `points`, `margin` of the span
    beyond them each way (a 1-D code's heights, all 0, get a span of 1)."""
    points = np.asarray(points, np.float64)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 1e-9, high - low, 1.0)
    low, high = low - margin * span, high + margin * span
    return (low[0], high[0]), (low[1], high[1])


class LatentPanel:
    """The latent view on an axes: every kept sample a dot at its projected code, coloured
    by its label (a legend of the labels), the axes fitted to the dots shown. `fitted` is
    {code size: Projection}: a growing model's code changes size at growth, and each size
    has its own projection, fitted on the last epoch with that size."""

    def __init__(self, ax, fitted, fontsize=8, legend=True):
        self.ax, self.fitted, self.dots, self.size = ax, fitted, None, None
        self.fontsize, self.legend = fontsize, legend
        ax.tick_params(labelsize=fontsize, length=2, pad=1)
        ax.locator_params(nbins=4, min_n_ticks=3)  # a wide axis still gets three numbers

    def axes_for(self, size):
        projection = self.fitted[size]
        names = projection.axis_names()
        self.ax.set_xlabel(names[0], fontsize=self.fontsize, labelpad=1)
        self.ax.set_ylabel(names[1], fontsize=self.fontsize, labelpad=1)
        self.size = size
        return projection

    def show(self, arrays):
        codes = arrays["latent_codes"]
        size = int(np.prod(codes.shape[1:]))
        projection = self.fitted[size] if size == self.size else self.axes_for(size)
        points = projection(codes)
        (x0, x1), (y0, y1) = limits(points)
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        if self.dots is not None:
            self.dots.set_offsets(points)
            return
        labels = arrays.get("latent_labels")
        if labels is None:
            self.dots = self.ax.scatter(*points.T, s=10, color="tab:blue", alpha=0.5, linewidths=0)
            return
        classes = sorted(set(labels.tolist()))
        colour = {c: colour_of(i, len(classes)) for i, c in enumerate(classes)}
        self.dots = self.ax.scatter(*points.T, s=10, c=[colour[c] for c in labels.tolist()],
                                    alpha=0.55, linewidths=0)  # 3-4 px dots, overlaps show
        if self.legend and len(classes) <= 20:
            handles = [self.ax.scatter([], [], s=16, color=colour[c]) for c in classes]
            names = [str(n) for n in arrays.get("class_names", [])]  # a folder's classes
            shown = [names[c] if 0 <= c < len(names) else str(c) for c in classes]
            self.ax.legend(handles, shown, fontsize=self.fontsize,
                           loc="upper left", bbox_to_anchor=(1.0, 1.02), frameon=False,
                           handletextpad=0.1, borderaxespad=0.2, labelspacing=0.2,
                           ncol=1 if len(classes) <= 10 else 2)


def colour_of(i, n):
    """The colour of the i-th of n labels: tab10 for up to 10, else spread over turbo."""
    if n <= 10:
        return matplotlib.colormaps["tab10"](i)
    return matplotlib.colormaps["turbo"](i / max(1, n - 1))


def projection_of(run):
    """{code size: Projection} of a RunFolder's latent view: each fitted on the last saved
    epoch with that code size; None for a run saved without latent codes."""
    last = {}
    for record in run.saved:
        codes = run.read(record["epoch"]).get("latent_codes")
        if codes is not None:
            last[int(np.prod(codes.shape[1:]))] = codes
    return {size: Projection(codes) for size, codes in last.items()} or None
