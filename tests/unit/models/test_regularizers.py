"""Noise drawn once per image for the whole run, whatever the batch order."""
import numpy as np

from aezoo.data import load
from aezoo.models import regularizers


def test_noise_once_gives_each_image_one_noise_for_the_whole_run():
    noise = regularizers.noise("gaussian", 0.5, True, np.random.default_rng(0))
    x = load("digits").train[:6]
    first, again = noise(x), noise(x[::-1])  # the same images, in another batch order
    np.testing.assert_array_equal(again[::-1], first)
    assert not np.allclose(first[0] - x[0], first[1] - x[1])  # but not the same for all
    fresh = regularizers.noise("gaussian", 0.5, False, np.random.default_rng(0))
    assert not np.allclose(fresh(x), fresh(x))
