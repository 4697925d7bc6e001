"""--augment moves the training images: shifts by whole pixels, elastic distortions; both
are fresh every call and read back exactly what they moved."""
import numpy as np
import pytest

from aezoo.data import augment, load
from aezoo.errors import UsageError


def moved(image, dy, dx):
    """`image` moved down dy and right dx pixels, zeros filling in."""
    h, w = image.shape
    out = np.zeros_like(image)
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        image[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def test_a_shift_moves_each_image_by_its_own_whole_pixels_within_the_range():
    x = load("digits").train[:40]
    out = augment.parse("shift:2")(x, np.random.default_rng(0))
    found = []
    for image, got in zip(x, out):
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                   if np.array_equal(got, moved(image, dy, dx))]
        assert matches, "not a move of its image by up to 2 pixels"
        found.append(matches[0])
    assert len(set(found)) > 5  # each image draws its own move
    again = augment.parse("shift:2")(x, np.random.default_rng(0))
    np.testing.assert_array_equal(again, out)  # the run's Generator decides
    assert not np.array_equal(augment.parse("shift:2")(x, np.random.default_rng(1)), out)


def test_elastic_reads_back_exactly_at_whole_pixel_displacements():
    x = load("digits").train[:6]
    # bilinear reading at the grid itself is the image; at a whole-pixel offset, its shift
    y, xs = np.meshgrid(np.arange(8.0), np.arange(8.0), indexing="ij")
    np.testing.assert_allclose(augment.bilinear(x, y[None], xs[None]), x, atol=1e-6)
    np.testing.assert_allclose(augment.bilinear(x, y[None] - 1, xs[None] + 2),
                               np.stack([moved(i, 1, -2) for i in x]), atol=1e-6)


def test_elastic_distorts_smoothly_and_keeps_the_ink():
    x = load("digits").train[:200]
    elastic = augment.parse("elastic:3:1.5")
    out = elastic(x, np.random.default_rng(0))
    assert out.shape == x.shape and out.dtype == x.dtype
    assert 0 <= out.min() and out.max() <= 1
    assert not np.allclose(out, x)
    assert abs(out.sum() / x.sum() - 1) < 0.1  # moved, not erased
    field = elastic.smooth(np.random.default_rng(0).uniform(-1, 1, (50, 8, 8)).astype(np.float32))
    # smoothed: neighbours move together, unlike the raw field's independent pixels
    assert np.corrcoef(field[:, :, :-1].ravel(), field[:, :, 1:].ravel())[0, 1] > 0.8
    tiny = augment.parse("elastic:1e-6:1")(x, np.random.default_rng(0))
    np.testing.assert_allclose(tiny, x, atol=1e-4)


@pytest.mark.parametrize("spec", ["shift", "shift:0", "shift:1.5", "shift:9", "shift:1:2",
                                  "elastic:34", "elastic:0:4", "elastic:34:-1", "elastic:inf:4",
                                  "elastic:1:1e-200", "elastic:1:0.09", "elastic:1001:4",
                                  "rotate:10", "shift:x"])
def test_a_bad_spec_is_one_line_that_names_it(spec):
    with pytest.raises(UsageError, match=f"--augment '{spec}': expected shift:P"):
        augment.parse(spec)


def test_the_narrowest_elastic_sigma_moves_images_without_nan():
    x = np.random.default_rng(0).random((4, 8, 8)).astype(np.float32)
    moved = augment.parse(f"elastic:1000:{augment.SIGMA_MIN}")(x, np.random.default_rng(1))
    assert moved.shape == x.shape and np.isfinite(moved).all()


def test_only_images_can_be_moved():
    augment.check_kind("shift:1", "image", "digits")
    augment.check_kind(None, "vector", "npy:x.npy")
    with pytest.raises(UsageError, match=r"--augment shift:1: --data sine holds sequences"):
        augment.check_kind("shift:1", "sequence", "sine")


@pytest.mark.parametrize("spec", ["shift:2", "elastic:8:3"])
def test_colour_images_move_every_channel_alike(spec):
    """Each channel of a colour batch moves as that channel alone would, with the same draws."""
    x = np.random.RandomState(0).rand(5, 9, 7, 3).astype(np.float32)
    moved = augment.parse(spec)(x, np.random.default_rng(4))
    assert moved.shape == x.shape
    for c in range(3):
        alone = augment.parse(spec)(x[..., c], np.random.default_rng(4))
        np.testing.assert_allclose(moved[..., c], alone, atol=1e-6)
