"""The snapshot grid's pixels: images and vectors tiled at their value range, one grey scale
for data within [0, 1]."""
import numpy as np
import pytest

from aezoo.viz import tiles


def test_data_within_unit_range_keeps_one_grey_scale():
    half = np.full((2, 4, 4), 0.5, np.float32)
    grid = tiles.grid({"inputs": half, "outputs": half, "kind": np.array("image"),
                          "value_range": np.array([0.2, 0.5])})  # not stretched to white
    assert set(np.unique(grid)) == {0.5, 1.0}  # cells grey, gaps white


@pytest.mark.parametrize("shape, kind", [((6, 5), "image"), ((49,), "vector"), ((10,), "vector")])
def test_the_grid_tiles_images_and_vectors_at_their_value_range(shape, kind):
    inputs = np.zeros((3,) + shape, np.float32)
    outputs = np.full((3,) + shape, 2.0, np.float32)  # the top of a [-2, 2] range: white
    grid = tiles.grid({"inputs": inputs, "outputs": outputs, "kind": np.array(kind),
                          "value_range": np.array([-2.0, 2.0])})
    cells = tiles.as_images(inputs, kind)
    scale = max(1, tiles.TARGET_CELL // max(cells.shape[1:]))
    h, w = cells.shape[1] * scale, cells.shape[2] * scale
    assert grid.shape == (2 * h + tiles.GAP, 3 * w + 2 * tiles.GAP)
    assert np.all(grid[:h, :w] == 0.5) and np.all(grid[h + tiles.GAP:, :w] == 1.0)
    assert np.all(grid[h:h + tiles.GAP] == 1.0)  # the white gap between the rows
