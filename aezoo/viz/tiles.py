"""The picture of a snapshot's arrays: inputs above outputs, tiled with numpy.

    grid(arrays)            what recon/epoch_NNNN.png shows (runs/recon.py writes it)
    labelled_grid(arrays)   the same with row labels, wrapped, for video frames
    thumbnail(arrays, ...)  pixels one sample gets in a box

Arrays in, pixels out: no model and no files here. No matplotlib either, so the
PNG of every epoch costs a few milliseconds.
"""
import numpy as np

from aezoo.viz import sequences

TARGET_CELL = 56  # pixels an image cell is scaled up to (8x8 digits become 56x56)
GAP = 2           # white pixels between cells


def as_images(batch, kind):
    """Samples as pictures: images stay ((n, H, W) gray, (n, H, W, 3) colour); vectors become
    squares when D is one, else strips."""
    batch = np.asarray(batch)
    if kind == "image":
        return batch
    flat = batch.reshape(len(batch), -1)
    side = int(round(np.sqrt(flat.shape[1])))
    if side * side == flat.shape[1]:
        return flat.reshape(len(batch), side, side)
    return flat.reshape(len(batch), 1, -1)


def tile(rows, value_range=(0.0, 1.0)):
    """Rows of equally sized pictures as one array in [0, 1], GAP white pixels apart,
    upscaled: (H, W) grey, or (H, W, 3) when the pictures are colour (n, h, w, 3).

    Values map to grey (or each channel's intensity) over [0, 1], or over the data's range
    where it leaves [0, 1] (outputs beyond it are clipped).
    """
    low, high = value_range
    if low >= 0 and high <= 1:  # data in [0, 1]: one fixed grey scale, never stretched
        low, high = 0.0, 1.0
    h, w = rows[0].shape[1:3]
    depth = tuple(rows[0].shape[3:])  # () grey, (3,) colour
    scale = max(1, TARGET_CELL // max(h, w))
    cell_h, cell_w = h * scale, w * scale
    n = max(len(r) for r in rows)
    grid = np.ones((len(rows) * (cell_h + GAP) - GAP, n * (cell_w + GAP) - GAP) + depth,
                   np.float32)
    for r, row in enumerate(rows):
        scaled = np.clip((np.asarray(row, np.float32) - low) / ((high - low) or 1.0), 0, 1)
        big = scaled.repeat(scale, axis=1).repeat(scale, axis=2)  # (n, cell_h, cell_w)
        for c, image in enumerate(big):
            top, left = r * (cell_h + GAP), c * (cell_w + GAP)
            grid[top:top + cell_h, left:left + cell_w] = image
    return grid


def grid(arrays):
    """The picture of a snapshot's arrays (what the PNG shows): inputs above outputs, then the
    samples of a generative model, and beside them its manifold of a 2-D code."""
    return labelled_grid(arrays)[0]


def labelled_grid(arrays, per_row=None, manifold=True):
    """(grid, [(row centre y, label)], [(block centre x, title)]) of a snapshot's arrays:
    the rows on the left, wrapped onto several rows of `per_row` samples when there are
    more; a 2-D code's manifold, when there is one (and `manifold`), to their right."""
    kind, value_range = str(arrays["kind"]), tuple(arrays["value_range"])
    names = [name for name in ("inputs", "targets", "outputs", "samples") if name in arrays]
    if kind == "sequence":
        view = str(arrays["view"])
        pictures = [sequences.pictures(arrays[name], view, value_range) for name in names]
        value_range = (0.0, 1.0)
    else:
        pictures = [as_images(arrays[name], kind) for name in names]
    n = len(pictures[0])
    per_row = min(per_row or n, n)
    rows, labels = [], []
    for start in range(0, n, per_row):  # inputs 1-5, outputs 1-5, inputs 6-10, outputs 6-10
        for name, row in zip(names, pictures):
            rows.append(row[start:start + per_row])
            labels.append(name[:-1])  # "inputs" -> "input"
    left = tile(rows, value_range)
    row = (left.shape[0] + GAP) / len(rows)
    labels = [(row * i + (row - GAP) / 2, name) for i, name in enumerate(labels)]
    if "manifold" not in arrays or not manifold:
        return left, labels, []
    value_range = tuple(arrays["value_range"])
    pictures = as_images(arrays["manifold"], kind)  # (n * n, ...) over a grid of the code
    n = int(round(np.sqrt(len(pictures))))
    right = tile([pictures[i * n:(i + 1) * n] for i in range(n)], value_range)
    space = 8 * GAP
    picture = np.ones((max(left.shape[0], right.shape[0]), left.shape[1] + space + right.shape[1])
                      + left.shape[2:], np.float32)
    picture[:left.shape[0], :left.shape[1]] = left
    picture[:right.shape[0], left.shape[1] + space:] = right
    return picture, labels, [(left.shape[1] + space + right.shape[1] / 2, "code space (2-D)")]


def thumbnail(arrays, per_row, box):
    """Pixels one sample gets when the grid of `per_row` a row fills a (width, height) box."""
    pixels = labelled_grid(arrays, per_row, manifold=False)[0]
    cell = max(pictures_side(arrays), 1)
    return cell * min(box[0] / pixels.shape[1], box[1] / pixels.shape[0])


def pictures_side(arrays):
    """The width in grid pixels of one sample's cell."""
    pixels = labelled_grid(arrays, 1, manifold=False)[0]
    return pixels.shape[1]


