"""Augmentation of the training images: each batch sees randomly moved copies.

    --augment shift:P          move each image by a whole number of pixels, up to P each way
                               (zeros fill in), a fresh move for every image in every batch
    --augment elastic:A:S      Simard et al.'s elastic distortion: a random displacement field,
                               smoothed by a Gaussian of S pixels and scaled by A pixels

Unlike --noise, which corrupts only the input, an augmented image is both input and
target: the model learns to reconstruct more images than the 8,000 it was given. The
test images are never augmented. Draws come from the run's numpy Generator, which the
checkpoint saves, so a resumed run draws the same moves. Only image data (N, H, W)
can be moved.

Simard, Steinkraus & Platt (2003), "Best practices for convolutional neural networks
applied to visual document analysis": shifts and elastic distortions of MNIST's training
images were the largest single gain in their classifiers (elastic: alpha 34, sigma 4).
"""
import math

import numpy as np

from aezoo.errors import UsageError

USAGE = ("shift:P (whole pixels, 1 to 8) or elastic:ALPHA:SIGMA (pixels: ALPHA above 0 up to "
         "1000, SIGMA from 0.1 to 1000)")
# A Gaussian narrower than a tenth of a pixel blurs nothing (its next weight is e^-50), and
# below 1e-154 its variance is 0 in floating point: NaN displacements, then an IndexError.
SIGMA_MIN = 0.1


class Shift:
    """Move each image by (dy, dx), each drawn uniformly from -pixels..pixels."""

    def __init__(self, pixels):
        self.pixels = pixels

    def __call__(self, x, rng):
        p = self.pixels
        n, h, w = x.shape[:3]  # colour images keep their channels last
        padded = np.zeros((n, h + 2 * p, w + 2 * p) + x.shape[3:], x.dtype)
        padded[:, p:p + h, p:p + w] = x
        dy, dx = rng.integers(0, 2 * p + 1, size=(2, n))  # the window's corner in padded
        rows = (dy[:, None] + np.arange(h))[:, :, None]
        cols = (dx[:, None] + np.arange(w))[:, None, :]
        return padded[np.arange(n)[:, None, None], rows, cols]


class Elastic:
    """Displace every pixel by a smooth random field, read back by bilinear interpolation."""

    def __init__(self, alpha, sigma):
        self.alpha, self.sigma = alpha, sigma

    def blur(self, size):
        """(size, size): a normalized Gaussian's weights, zeros beyond the edge (as a padded
        convolution), so that one matrix product blurs along one axis."""
        t = np.arange(size, dtype=np.float64)
        weights = np.exp(-(t[:, None] - t[None, :]) ** 2 / (2 * self.sigma ** 2))
        radius = np.arange(-size + 1, size)
        total = np.exp(-radius.astype(np.float64) ** 2 / (2 * self.sigma ** 2)).sum()
        return (weights / total).astype(np.float32)

    def smooth(self, field):
        """A Gaussian blur of (N, H, W) fields: H x H on the rows, W x W on the columns."""
        _, h, w = field.shape
        return self.blur(h) @ field @ self.blur(w).T

    def __call__(self, x, rng):
        n, h, w = x.shape[:3]  # one field for all of a colour image's channels
        d = self.smooth(rng.uniform(-1, 1, size=(2 * n, h, w)).astype(np.float32))
        d = d * self.alpha  # a normalized blur, then alpha: the usual reading of Simard et al.
        y = np.arange(h, dtype=np.float32)[None, :, None] + d[:n]
        xs = np.arange(w, dtype=np.float32)[None, None, :] + d[n:]
        return bilinear(x, y, xs)


def bilinear(x, y, xs):
    """x (N, H, W) or (N, H, W, C) read at real coordinates (y, xs) (N, H, W), zero outside
    the image."""
    n, h, w = x.shape[:3]
    padded = np.zeros((n, h + 3, w + 3) + x.shape[3:], x.dtype)  # a zero border: 1 before, 2 after
    padded[:, 1:h + 1, 1:w + 1] = x
    y = np.clip(y + 1, 0, h + 1)  # into padded coordinates; beyond the edge reads zeros
    xs = np.clip(xs + 1, 0, w + 1)
    y0, x0 = np.floor(y).astype(np.intp), np.floor(xs).astype(np.intp)
    fy, fx = y - y0, xs - x0
    if x.ndim == 4:  # the same weights for every channel
        fy, fx = fy[..., None], fx[..., None]
    i = np.arange(n)[:, None, None]
    top = padded[i, y0, x0] * (1 - fx) + padded[i, y0, x0 + 1] * fx
    bottom = padded[i, y0 + 1, x0] * (1 - fx) + padded[i, y0 + 1, x0 + 1] * fx
    return (top * (1 - fy) + bottom * fy).astype(x.dtype)


def parse(spec):
    """'shift:2' -> Shift(2); 'elastic:34:4' -> Elastic(34, 4); None -> None; else UsageError."""
    if not spec:
        return None
    kind, _, rest = spec.partition(":")
    values = rest.split(":")
    try:
        numbers = [float(v) for v in values]
    except ValueError:
        numbers = []
    if not all(math.isfinite(v) for v in numbers):
        numbers = []
    if kind == "shift" and len(numbers) == 1 and numbers[0].is_integer() and 1 <= numbers[0] <= 8:
        return Shift(int(numbers[0]))
    if (kind == "elastic" and len(numbers) == 2 and 0 < numbers[0] <= 1000
            and SIGMA_MIN <= numbers[1] <= 1000):
        return Elastic(*numbers)
    raise UsageError(f"--augment {spec!r}: expected {USAGE}")


def check_kind(spec, kind, data):
    """Only images can be moved: one line for a set of vectors or sequences."""
    if spec and kind != "image":
        raise UsageError(f"--augment {spec}: --data {data} holds {kind}s, and only images "
                         f"(N, H, W) or colour (N, H, W, 3) can be augmented")
