"""The exporter's numpy layers against direct loops, on odd sides."""
import numpy as np

from aezoo.models import numpy_forward


def test_numpy_layers_match_direct_loops():
    rng = np.random.RandomState(0)
    x = rng.randn(2, 3, 5, 7).astype(np.float32)  # odd sides
    w = {"W": rng.randn(4, 3, 3, 3).astype(np.float32), "b": rng.randn(4).astype(np.float32)}
    conv = np.zeros((2, 4, 5, 7))
    for n, o, i, j in np.ndindex(2, 4, 5, 7):  # the kernel over the zero-padded image, one pixel at a time
        for c, dy, dx in np.ndindex(3, 3, 3):
            y, z = i + dy - 1, j + dx - 1
            if 0 <= y < 5 and 0 <= z < 7:
                conv[n, o, i, j] += w["W"][o, c, dy, dx] * x[n, c, y, z]
        conv[n, o, i, j] += w["b"][o]
    np.testing.assert_allclose(numpy_forward.conv3x3(x, {}, w), conv, atol=1e-5)
    pooled = numpy_forward.maxpool2(x, {}, None)
    assert pooled.shape == (2, 3, 3, 4)
    for n, c, i, j in np.ndindex(*pooled.shape):
        assert pooled[n, c, i, j] == x[n, c, 2 * i:2 * i + 2, 2 * j:2 * j + 2].max()
    up = numpy_forward.unpool2(pooled, {"out": [3, 5, 7]}, None)
    assert up.shape == (2, 3, 5, 7)
    for n, c, i, j in np.ndindex(*up.shape):
        assert up[n, c, i, j] == pooled[n, c, i // 2, j // 2]
