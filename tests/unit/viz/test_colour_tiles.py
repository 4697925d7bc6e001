"""Colour images make colour pictures; gray ones stay exactly what they were before colour.

tests/data/gray_snapshot.npz holds a gray snapshot's arrays (inputs, outputs, samples, a
manifold); gray_snapshot.png and gray_pictures.npz are what aezoo made of them before colour
came in (recon.save's PNG bytes and the TensorBoard pictures, made with the code of
commit 2d562e7)."""
import numpy as np
import imageio.v3 as iio

from aezoo.loggers import tensorboard
from aezoo.runs import recon
from aezoo.viz import tiles
from conftest import TEST_DATA


def gray_arrays():
    with np.load(TEST_DATA / "gray_snapshot.npz") as npz:
        return {k: npz[k] for k in npz.files}


def test_a_gray_snapshot_png_is_byte_for_byte_as_before(tmp_path):
    arrays = gray_arrays()
    recon.save(str(tmp_path), 3, arrays, tiles.grid(arrays))
    assert (tmp_path / "epoch_0003.png").read_bytes() == (TEST_DATA / "gray_snapshot.png").read_bytes()


def test_gray_tensorboard_pictures_are_as_before():
    pictures = tensorboard.pictures(gray_arrays())
    with np.load(TEST_DATA / "gray_pictures.npz") as before:
        assert sorted(pictures) == sorted(before.files)
        for tag, picture in pictures.items():
            np.testing.assert_array_equal(tensorboard.to_bytes(picture), before[tag])


def colour_arrays():
    """Inputs pure red, green, blue, ...; outputs their complements."""
    inputs = np.zeros((6, 5, 4, 3), np.float32)
    for i in range(6):
        inputs[i, ..., i % 3] = 1.0
    return {"inputs": inputs, "outputs": 1.0 - inputs, "kind": np.array("image"),
            "view": np.array("image"), "value_range": np.array([0, 1], np.float32)}


def test_colour_images_tile_in_colour_at_their_place(tmp_path):
    arrays = colour_arrays()
    picture = tiles.grid(arrays)
    assert picture.ndim == 3 and picture.shape[2] == 3
    scale = tiles.TARGET_CELL // 5  # 5 pixels high: each pixel becomes scale x scale
    cell_w = 4 * scale
    for i in range(6):
        left = i * (cell_w + tiles.GAP)
        top_cell = picture[:5 * scale, left:left + cell_w]
        bottom = picture[5 * scale + tiles.GAP:, left:left + cell_w]
        expected = np.eye(3)[i % 3]
        assert (top_cell == expected).all() and (bottom == 1 - expected).all()
    assert (picture[:, cell_w] == 1).all()  # the white gap between cells
    recon.save(str(tmp_path), 1, arrays, picture)
    assert iio.imread(tmp_path / "epoch_0001.png").shape == picture.shape


def test_colour_tensorboard_images_and_sprite():
    pictures = tensorboard.pictures(colour_arrays())
    assert pictures["reconstructions"].shape[2] == 3
    square = np.random.RandomState(0).rand(5, 3, 4, 4).astype(np.float32)  # (N, C, H, W)
    sprite = tensorboard.sprite(square)
    assert sprite.shape == (12, 12, 3)
    np.testing.assert_array_equal(sprite[4:8, 0:4], square[3].transpose(1, 2, 0))
    assert (sprite[8:, 8:] == 0).all()  # cells past the last thumbnail stay black


def test_the_latent_legend_names_a_folders_classes():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from aezoo.viz import latent
    codes = np.random.RandomState(0).randn(30, 4).astype(np.float32)
    arrays = {"latent_codes": codes, "latent_labels": np.arange(30) % 3}
    fitted = {4: latent.Projection(codes)}
    for extra, expected in (({}, ["0", "1", "2"]),
                            ({"class_names": np.array(["ant", "bee", "cat"])}, ["ant", "bee", "cat"])):
        fig, ax = plt.subplots()
        latent.LatentPanel(ax, fitted).show({**arrays, **extra})
        assert [t.get_text() for t in ax.get_legend().get_texts()] == expected
        plt.close(fig)
