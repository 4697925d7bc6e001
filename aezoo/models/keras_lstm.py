"""Keras's LSTM layer, weight for weight, in Chainer (not Chainer's F.lstm, whose gates are
interleaved and always sigmoid).

    kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u,): gates i, f, c, o along the last axis

    i, f, o = rec_act(x Wi,f,o + h Ui,f,o + bi,f,o)      h and c start at 0
    c = f * c_prev + i * tanh(x Wc + h Uc + bc)
    h = o * tanh(c)

rec_act is sigmoid (Keras 3's default) or hard_sigmoid (keras_cell.py). With
unit_forget_bias (Keras's default) the forget block of the bias starts at 1.
The recurrence runs as Chainer functions step by step; a fused CPU kernel can
override `recurrence` as keras_gru.py does.
"""
import chainer
import chainer.functions as F

from aezoo.models.keras_cell import KerasCell


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
