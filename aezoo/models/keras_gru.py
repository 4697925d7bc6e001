"""Keras's GRU layer, weight for weight, in Chainer (it is not Chainer's NStepGRU).

    kernel            (in, 3u)   input weights, gates z, r, h along the last axis
    recurrent_kernel  (u, 3u)    state weights, same order
    bias              (3u,)      reset_after=False (Keras 2's default)
                      (2, 3u)    reset_after=True (Keras 3's): row 0 input bias, row 1 recurrent

    z, r = rec_act(x Wz,r + h Rz,r + b)       h starts at 0
    h~   = tanh(x Wh + b + (r * h) Rh)        reset_after=False
    h~   = tanh(x Wh + b_in + r * (h Rh + b_rec))   reset_after=True
    h    = z * h + (1 - z) * h~               z keeps the old state

rec_act is hard_sigmoid: clip(0.2 a + 0.5, 0, 1) in Keras 2, relu6(a + 3) / 6 =
clip(a / 6 + 0.5, 0, 1) in Keras 3; or sigmoid. The input is projected for all
steps in one matmul (keras_cell.py); on the CPU the recurrence then runs as one
fused node (gru_kernel.py), elsewhere as Chainer functions step by step.
"""
import numpy as np
import chainer.functions as F

from aezoo.models.gru_kernel import gru_sequence
from aezoo.models.keras_cell import HARD_SIGMOID_SLOPE, KerasCell
from aezoo.models.layers import fits


class KerasGRU(KerasCell):
    """One GRU layer with Keras's weights and equations (see the module docstring)."""
    kind, gates, default_activation = "gru", 3, "hard_sigmoid"

    def __init__(self, n_in, units, reset_after=False, gate="hard_sigmoid", keras_version=2):
        self.reset_after = reset_after
        super().__init__(n_in, units, gate, keras_version)

    @classmethod
    def made(cls, n_in, units, settings):
        return cls(n_in, units, settings["reset_after"],
                   settings["recurrent_activation"] or cls.default_activation,
                   settings["keras_version"])

    @staticmethod
    def options_of(bias):
        return {"reset_after": reset_after_of(bias)}

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def input_bias(self):
        return self.bias[0] if self.reset_after else self.bias

    def describe(self):
        return {**super().describe(), "reset_after": self.reset_after}

    def step(self, xw, state):
        """The next state from one step's projected input xw (N, 3u) and the state (h,)."""
        h, u = state[0], self.units
        x_z, x_r, x_h = F.split_axis(xw, 3, axis=1)
        if self.reset_after:
            hw = F.bias(F.matmul(h, self.recurrent_kernel), self.bias[1])
            h_z, h_r, h_h = F.split_axis(hw, 3, axis=1)
            z, r = self.gate(x_z + h_z), self.gate(x_r + h_r)
            candidate = F.tanh(x_h + r * h_h)
        else:
            hw = F.matmul(h, self.recurrent_kernel[:, :2 * u])
            h_z, h_r = F.split_axis(hw, 2, axis=1)
            z, r = self.gate(x_z + h_z), self.gate(x_r + h_r)
            candidate = F.tanh(x_h + F.matmul(r * h, self.recurrent_kernel[:, 2 * u:]))
        return (z * h + (1.0 - z) * candidate,)

    def recurrence(self, projected, keep):
        if fits(projected):  # the recurrence in one node (gru_kernel.py), the same numbers
            return gru_sequence(projected, self.recurrent_kernel,
                                self.bias[1] if self.reset_after else None, self.reset_after,
                                self.gate_name, HARD_SIGMOID_SLOPE[self.keras_version], keep)
        return super().recurrence(projected, keep)


def reset_after_of(bias):
    """What a Keras GRU bias's shape says: (2, 3u) reset_after=True, (3u,) False."""
    return np.ndim(bias) == 2
