"""Reconstruction grids: the same test images every epoch, originals above outputs.

recon/epoch_0000.png is the untrained model; names are zero-padded so they
sort in epoch order. Frames have one fixed pixel size for a whole run, which
the video needs.
"""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from aezoo.device import infer  # noqa: E402

FOLDER = "recon"
TARGET_CELL = 56  # pixels an image cell is scaled up to (8x8 digits become 56x56)


def fixed_indices(n_test, count, seed=0):
    """The seeded test indices shown every epoch (the same for every run on a data set)."""
    count = min(count, n_test)
    return np.sort(np.random.RandomState(seed).choice(n_test, count, replace=False))


def as_images(batch):
    """(N, H, W) stays; (N, D) becomes squares when D is one, else 1-row strips."""
    batch = np.asarray(batch)
    if batch.ndim == 3:
        return batch
    side = int(round(np.sqrt(batch.shape[1])))
    if side * side == batch.shape[1]:
        return batch.reshape(len(batch), side, side)
    return batch.reshape(len(batch), 1, -1)


def tile(rows, gap=2):
    """Stack rows of equally sized images into one array, `gap` pixels apart, upscaled."""
    h, w = rows[0].shape[1:]
    scale = max(1, TARGET_CELL // max(h, w))
    cell_h, cell_w = h * scale, w * scale
    n = max(len(r) for r in rows)
    grid = np.ones((len(rows) * (cell_h + gap) - gap, n * (cell_w + gap) - gap), np.float32)
    for r, row in enumerate(rows):
        for c, image in enumerate(row):
            big = np.kron(image, np.ones((scale, scale), np.float32))
            grid[r * (cell_h + gap):r * (cell_h + gap) + cell_h,
                 c * (cell_w + gap):c * (cell_w + gap) + cell_w] = big
    return grid


def draw(ax, originals, reconstructions):
    """Draw the grid on a matplotlib axis (used by the PNGs and the video frames)."""
    grid = tile([as_images(originals), as_images(reconstructions)])
    ax.imshow(grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    half = grid.shape[0] / 2
    ax.set_yticks([half / 2, half + half / 2])
    ax.set_yticklabels(["input", "output"])


FIGSIZE, DPI, AXES = (8, 2.0), 100, (0.08, 0.02, 0.9, 0.82)  # an 800x200 PNG


def figure(originals, reconstructions):
    fig = plt.figure(figsize=FIGSIZE, dpi=DPI)
    ax = fig.add_axes(AXES)
    draw(ax, originals, reconstructions)
    return fig, ax


def save(path, originals, reconstructions, title):
    fig, _ = figure(originals, reconstructions)
    fig.suptitle(title, fontsize=11)
    fig.savefig(path)
    plt.close(fig)


def grid_box(sample_shape, count):
    """(top, bottom, left, right) pixels of the image grid inside a snapshot PNG.

    Found by laying out the same figure with blank images of that shape, so the
    video can cut the grid out of any run's PNGs without reading their pixels.
    """
    blank = np.zeros((count,) + tuple(sample_shape), np.float32)
    fig, ax = figure(blank, blank)
    fig.canvas.draw()  # applies the equal aspect: the axes shrink to the grid
    box, height = ax.get_window_extent(), fig.canvas.get_width_height()[1]
    plt.close(fig)
    return (int(round(height - box.y1)), int(round(height - box.y0)),
            int(round(box.x0)), int(round(box.x1)))


class Snapshots:
    """Callback: recon/epoch_NNNN.png of the fixed test images after every epoch."""

    def __init__(self, run_dir, test, indices, label):
        self.folder = os.path.join(run_dir, FOLDER)
        os.makedirs(self.folder, exist_ok=True)
        self.indices, self.label = indices, label  # label(trainer) -> title prefix
        self.originals = test[indices]

    def __call__(self, trainer):
        x = trainer.test_x[trainer.device.send(self.indices)]
        title = f"{self.label(trainer)} · epoch {trainer.epoch} · test BCE {trainer.metrics['test_bce']:.4f}"
        outputs = infer(trainer.model.reconstruct, x, trainer.device)
        save(path(self.folder, trainer.epoch), self.originals, outputs, title)


def path(folder, epoch):
    return os.path.join(folder, f"epoch_{epoch:04d}.png")
