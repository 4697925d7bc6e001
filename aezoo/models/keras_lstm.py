"""Keras's LSTM layer, weight for weight, in Chainer (not Chainer's F.lstm, whose gates are
interleaved and always sigmoid).

    kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u,): gates i, f, c, o along the last axis

    i, f, o = rec_act(x Wi,f,o + h Ui,f,o + bi,f,o)      h and c start at 0
    c = f * c_prev + i * tanh(x Wc + h Uc + bc)
    h = o * tanh(c)

rec_act is sigmoid (Keras 3's default) or hard_sigmoid (keras_cell.py). With
unit_forget_bias (Keras's default) the forget block of the bias starts at 1.
The input is projected for all steps in one matmul (keras_cell.py); on the CPU the
recurrence then runs as one fused node (lstm_kernel.py), elsewhere as Chainer functions
step by step.
"""
import chainer
import chainer.functions as F

from aezoo.models.keras_cell import HARD_SIGMOID_SLOPE, KerasCell
from aezoo.models.layers import fits
from aezoo.models.lstm_kernel import lstm_sequence


class KerasLSTM(KerasCell):
    kind, gates, default_activation = "lstm", 4, "sigmoid"

    def __init__(self, n_in, units, gate=None, keras_version=2, unit_forget_bias=True):
        super().__init__(n_in, units, gate, keras_version)
        self.unit_forget_bias = unit_forget_bias
        if unit_forget_bias:
            self.bias.array[units:2 * units] = 1.0

    @classmethod
    def made(cls, n_in, units, settings):
        return cls(n_in, units, settings["recurrent_activation"], settings["keras_version"],
                   settings["unit_forget_bias"])

    def start(self, n, h=None):
        zeros = chainer.Variable(self.xp.zeros((n, self.units), self.kernel.dtype))
        return (zeros if h is None else h, zeros)

    def step(self, xw, state):
        h, c = state
        a_i, a_f, a_c, a_o = F.split_axis(xw + F.matmul(h, self.recurrent_kernel), 4, axis=1)
        c = self.gate(a_f) * c + self.gate(a_i) * F.tanh(a_c)
        return self.gate(a_o) * F.tanh(c), c

    def recurrence(self, projected, keep):
        if fits(projected):  # the recurrence in one node (lstm_kernel.py), the same numbers
            return lstm_sequence(projected, self.recurrent_kernel, self.gate_name,
                                 HARD_SIGMOID_SLOPE[self.keras_version], keep)
        return super().recurrence(projected, keep)
