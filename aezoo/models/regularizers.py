"""Regularizers any model takes: input noise (denoising) and an L1 code penalty.

Noise corrupts only the training input; the loss still compares with the
clean input. Noise draws from the run's one numpy Generator, whose state the
checkpoint saves, so a resumed run draws the same noise. The command-line
spelling (gaussian:0.5) is parsed in aezoo/config.py, from NOISES below.
"""
import chainer
import chainer.functions as F
import numpy as np


class GaussianNoise:
    """x + N(0, std^2), clipped back to [0, 1] (the Keras blog's denoising input)."""

    usage = "gaussian:STD (STD > 0)"

    @staticmethod
    def valid(std):
        return std > 0

    def __init__(self, std, rng):
        self.std, self.rng = std, rng

    def __call__(self, x):
        noise = self.rng.standard_normal(x.shape, dtype=np.float32) * self.std
        xp = chainer.backend.get_array_module(x)
        return xp.clip(x + xp.asarray(noise), 0.0, 1.0)


class MaskNoise:
    """Set a random fraction p of the inputs to zero (Vincent et al.'s masking noise)."""

    usage = "mask:P (0 < P < 1)"

    @staticmethod
    def valid(p):
        return 0 < p < 1

    def __init__(self, p, rng):
        self.p, self.rng = p, rng

    def __call__(self, x):
        keep = (self.rng.random(x.shape, dtype=np.float32) >= self.p).astype(np.float32)
        xp = chainer.backend.get_array_module(x)
        return x * xp.asarray(keep)


class L1Code:
    """weight * mean over the batch of sum |code| (Keras' activity_regularizer l1)."""

    def __init__(self, weight):
        self.weight = weight

    def __call__(self, code):
        return self.weight * F.sum(F.absolute(code)) / code.shape[0]


NOISES = {"gaussian": GaussianNoise, "mask": MaskNoise}  # --noise KIND:LEVEL


def noise(kind, level, rng):
    """The corruption function of a parsed --noise spec; None for no noise."""
    return NOISES[kind](level, rng) if kind else None


def sparsity(weight):
    return L1Code(weight) if weight else None
