"""Keras's SimpleRNN layer, weight for weight, in Chainer.

    kernel (in, u), recurrent_kernel (u, u), bias (u,)
    h = tanh(x W + h_prev U + b)        h starts at 0
"""
import chainer.functions as F

from aezoo.models.keras_cell import KerasCell


class KerasSimpleRNN(KerasCell):
    kind, gates, default_activation = "simplernn", 1, None

    @classmethod
    def made(cls, n_in, units, settings):
        return cls(n_in, units, None, settings["keras_version"])  # tanh only, no gates

    def step(self, xw, state):
        return (F.tanh(xw + F.matmul(state[0], self.recurrent_kernel)),)
