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
steps in one matmul; on the CPU the recurrence then runs as one fused node
(gru_kernel.py), elsewhere as Chainer functions step by step.
"""
import chainer
import chainer.functions as F
import chainer.initializers as I
import numpy as np

from aezoo.models.gru_kernel import gru_sequence
from aezoo.models.layers import fits

HARD_SIGMOID_SLOPE = {2: 0.2, 3: 1.0 / 6.0}  # Keras version -> slope of its hard_sigmoid
KERAS_NAMES = ("kernel", "recurrent_kernel", "bias")


def recurrent_activation(name, keras_version):
    """The gate function Keras calls `name` in that version."""
    if name == "sigmoid":
        return F.sigmoid
    slope = HARD_SIGMOID_SLOPE[keras_version]
    return lambda a: F.clip(a * slope + 0.5, 0.0, 1.0)


class KerasGRU(chainer.Link):
    """One GRU layer with Keras's weights and equations (see the module docstring)."""

    def __init__(self, n_in, units, reset_after=False, gate="hard_sigmoid", keras_version=2):
        super().__init__()
        self.n_in, self.units, self.reset_after = n_in, units, reset_after
        self.gate_name, self.keras_version = gate, keras_version
        self.gate = recurrent_activation(gate, keras_version)
        with self.init_scope():  # Keras's initializers: glorot_uniform, orthogonal, zeros
            self.kernel = chainer.Parameter(I.GlorotUniform(), (n_in, 3 * units))
            self.recurrent_kernel = chainer.Parameter(I.Orthogonal(scale=1.0), (units, 3 * units))
            self.bias = chainer.Parameter(0.0, (2, 3 * units) if reset_after else (3 * units,))

    def describe(self):
        """What a numpy forward needs besides the weights (models/numpy_forward.py)."""
        return {"units": self.units, "reset_after": self.reset_after,
                "recurrent_activation": self.gate_name, "keras_version": self.keras_version}

    def project(self, x):
        """x Wz,r,h + input bias, for every step at once: (N, T, in) -> (N, T, 3u),
        or for one step: (N, in) -> (N, 3u)."""
        projected = F.matmul(F.reshape(x, (-1, self.n_in)), self.kernel)
        bias = self.bias[0] if self.reset_after else self.bias
        return F.reshape(F.bias(projected, bias), x.shape[:-1] + (3 * self.units,))

    def initial_state(self, n):
        return chainer.Variable(self.xp.zeros((n, self.units), np.float32))

    def step(self, xw, h):
        """The next state from one step's projected input xw (N, 3u) and the state h (N, u)."""
        u = self.units
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
        return z * h + (1.0 - z) * candidate

    def forward(self, x, keep=None):
        """Every step's state (N, T, u) of the sequences x (N, T, in).

        keep: optional (N, T) booleans, False on padded steps, where the state is carried
        over unchanged (Keras's masking), so the last state is that of the last real step.
        """
        if fits(x):  # the recurrence in one node (gru_kernel.py), the same numbers
            slope = HARD_SIGMOID_SLOPE[self.keras_version]
            return gru_sequence(self.project(x), self.recurrent_kernel,
                                self.bias[1] if self.reset_after else None, self.reset_after,
                                self.gate_name, slope, keep)
        projected = F.separate(self.project(x), axis=1)
        h, states = self.initial_state(x.shape[0]), []
        for t, xw in enumerate(projected):
            new = self.step(xw, h)
            h = new if keep is None else F.where(keep[:, t:t + 1].repeat(self.units, 1), new, h)
            states.append(h)
        return F.stack(states, axis=1)

    def load_keras(self, kernel, recurrent_kernel, bias):
        """Take the weights Keras's layer.get_weights() returns (ValueError on a shape mismatch)."""
        for name, value in zip(KERAS_NAMES, (kernel, recurrent_kernel, bias)):
            param = getattr(self, name)
            if tuple(np.shape(value)) != param.shape:
                raise ValueError(f"{name} has shape {tuple(np.shape(value))}, this layer needs "
                                 f"{param.shape}")
            param.array[...] = self.xp.asarray(value, np.float32)


def reset_after_of(bias):
    """What a Keras GRU bias's shape says: (2, 3u) reset_after=True, (3u,) False."""
    return np.ndim(bias) == 2
