"""Regularizers any model takes: input noise (denoising) and an L1 code penalty.

Noise corrupts only the training input; the loss still compares with the
clean input. Noise draws from the run's one numpy Generator, whose state the
checkpoint saves, so a resumed run draws the same noise. With `once`, each
image instead gets one noise for the whole run, drawn from a hash of its own
pixels (the Keras blog's one noisy copy of the training set, without the loop
having to know which image is which). The command-line spelling (gaussian:0.5,
gaussian:0.5:once) is parsed in aezoo/config.py, from NOISES below.
"""
import hashlib

import chainer
import chainer.functions as F
import numpy as np


class Noise:
    """What both noises share: a level, the run's Generator, and `once` keyed by `seed`."""

    def __init__(self, level, rng, once=False, seed=0):
        self.level, self.rng, self.once, self.seed = level, rng, once, seed

    def draw(self, x):
        """Where the random numbers come from: the run's Generator, or each image's own."""
        return per_image(x, self.seed) if self.once else self.rng

    def fixed(self, x):
        """The noise `once` would give: the same for an image every time (for evaluation)."""
        return type(self)(self.level, None, once=True, seed=self.seed)(x)


class GaussianNoise(Noise):
    """x + N(0, std^2), clipped back to [0, 1] (the Keras blog's denoising input)."""

    usage = "gaussian:STD (STD > 0)"

    @staticmethod
    def valid(std):
        return std > 0

    def __call__(self, x):
        noise = self.draw(x).standard_normal(x.shape, dtype=np.float32) * self.level
        xp = chainer.backend.get_array_module(x)
        return xp.clip(x + xp.asarray(noise), 0.0, 1.0)


class MaskNoise(Noise):
    """Set a random fraction p of the inputs to zero (Vincent et al.'s masking noise)."""

    usage = "mask:P (0 < P < 1)"

    @staticmethod
    def valid(p):
        return 0 < p < 1

    def __call__(self, x):
        keep = (self.draw(x).random(x.shape, dtype=np.float32) >= self.level).astype(np.float32)
        xp = chainer.backend.get_array_module(x)
        return x * xp.asarray(keep)


class L1Code:
    """weight * mean over the batch of sum |code| (Keras' activity_regularizer l1)."""

    def __init__(self, weight):
        self.weight = weight

    def __call__(self, code):
        return self.weight * F.sum(F.absolute(code)) / code.shape[0]


class PerImage:
    """Draws like a numpy Generator, each image's from a generator seeded by its pixels and
    the run's seed. (On a GPU the batch is copied to the CPU to be hashed.)"""

    def __init__(self, x, seed=0):
        rows = chainer.backends.cuda.to_cpu(x).reshape(len(x), -1)
        key = int(seed).to_bytes(8, "little")
        self.rngs = [np.random.default_rng(int.from_bytes(
            hashlib.blake2b(row.tobytes(), digest_size=8, key=key).digest(), "little"))
            for row in rows]

    def standard_normal(self, shape, dtype):
        return np.stack([rng.standard_normal(shape[1:], dtype=dtype) for rng in self.rngs])

    def random(self, shape, dtype):
        return np.stack([rng.random(shape[1:], dtype=dtype) for rng in self.rngs])


def per_image(x, seed=0):
    return PerImage(x, seed)


NOISES = {"gaussian": GaussianNoise, "mask": MaskNoise}  # --noise KIND:LEVEL[:once]


def noise(kind, level, once, rng, seed=0):
    """The corruption function of a parsed --noise spec; None for no noise."""
    return NOISES[kind](level, rng, once, seed) if kind else None


def sparsity(weight):
    return L1Code(weight) if weight else None
