"""What Keras's recurrent layers share, in Chainer: weights laid out as Keras's get_weights()
gives them, one state per sequence starting at zero, masking that carries the state over.

    kernel            (in, g u)   input weights, the g gates' blocks along the last axis
    recurrent_kernel  (u, g u)    state weights, the same order
    bias              (g u,)      (a GRU with reset_after: (2, 3u))

g is 1 (SimpleRNN), 3 (GRU: z, r, h) or 4 (LSTM: i, f, c, o). A cell's state is a tuple:
(h,), or (h, c) for an LSTM; h is what the layer outputs. The input is projected for all
steps in one matmul (project), then `recurrence` runs the steps; a cell with a fused CPU
kernel (keras_gru.py, keras_lstm.py) overrides `recurrence`; SimpleRNN keeps this
step-by-step loop.
"""
import chainer
import chainer.functions as F
import chainer.initializers as I
import numpy as np

HARD_SIGMOID_SLOPE = {2: 0.2, 3: 1.0 / 6.0}  # Keras version -> slope of its hard_sigmoid
KERAS_NAMES = ("kernel", "recurrent_kernel", "bias")


def recurrent_activation(name, keras_version):
    """The gate function Keras calls `name` in that version."""
    if name == "sigmoid":
        return F.sigmoid
    slope = HARD_SIGMOID_SLOPE[keras_version]
    return lambda a: F.clip(a * slope + 0.5, 0.0, 1.0)


class KerasCell(chainer.Link):
    """One recurrent layer with Keras's weights; subclasses set `kind`, `gates`,
    `default_activation` and `step`."""
    kind, gates, default_activation = None, 1, None

    def __init__(self, n_in, units, gate=None, keras_version=2):
        super().__init__()
        self.n_in, self.units, self.keras_version = n_in, units, keras_version
        self.gate_name = gate or self.default_activation
        self.gate = recurrent_activation(self.gate_name, keras_version) if self.gate_name else None
        width = self.gates * units
        with self.init_scope():  # Keras's initializers: glorot_uniform, orthogonal, zeros
            self.kernel = chainer.Parameter(I.GlorotUniform(), (n_in, width))
            self.recurrent_kernel = chainer.Parameter(I.Orthogonal(scale=1.0), (units, width))
            self.bias = chainer.Parameter(0.0, self.bias_shape())

    @classmethod
    def made(cls, n_in, units, settings):
        """The layer that a model's settings ask for (cells.make)."""
        return cls(n_in, units, settings["recurrent_activation"], settings["keras_version"])

    @staticmethod
    def options_of(bias):
        """The model options a Keras layer's bias implies (a GRU's: reset_after)."""
        return {}

    def bias_shape(self):
        return (self.gates * self.units,)

    def input_bias(self):
        return self.bias

    def describe(self):
        """What a numpy forward needs besides the weights (models/numpy_forward.py)."""
        found = {"units": self.units}
        if self.gate_name:
            found.update(recurrent_activation=self.gate_name, keras_version=self.keras_version)
        return found

    def project(self, x):
        """x W + input bias, for every step at once: (N, T, in) -> (N, T, g u),
        or for one step: (N, in) -> (N, g u)."""
        width = self.gates * self.units
        projected = F.matmul(F.reshape(x, (-1, self.n_in)), self.kernel)
        return F.reshape(F.bias(projected, self.input_bias()), x.shape[:-1] + (width,))

    def start(self, n, h=None):
        """The first state: zeros, or h (N, u) as the output part with the rest zero."""
        zeros = chainer.Variable(self.xp.zeros((n, self.units), np.float32))
        return (zeros if h is None else h,)

    @staticmethod
    def output(state):
        return state[0]

    def step(self, xw, state):
        """The next state from one step's projected input xw (N, g u) and the state."""
        raise NotImplementedError

    def recurrence(self, projected, keep):
        """Every step's output (N, T, u) from the projected input (N, T, g u)."""
        state, outputs = self.start(projected.shape[0]), []
        for t, xw in enumerate(F.separate(projected, axis=1)):
            new = self.step(xw, state)
            if keep is not None:  # padded steps: the whole state carries over
                kept = keep[:, t:t + 1].repeat(self.units, 1)
                new = tuple(F.where(kept, a, b) for a, b in zip(new, state))
            state = new
            outputs.append(self.output(state))
        return F.stack(outputs, axis=1)

    def forward(self, x, keep=None):
        """Every step's output (N, T, u) of the sequences x (N, T, in).

        keep: optional (N, T) booleans, False on padded steps, where the state is carried
        over unchanged (Keras's masking), so the last output is that of the last real step.
        """
        return self.recurrence(self.project(x), keep)

    def load_keras(self, kernel, recurrent_kernel, bias):
        """Take the weights Keras's layer.get_weights() returns (ValueError on a shape mismatch)."""
        for name, value in zip(KERAS_NAMES, (kernel, recurrent_kernel, bias)):
            param = getattr(self, name)
            if tuple(np.shape(value)) != param.shape:
                raise ValueError(f"{name} has shape {tuple(np.shape(value))}, this {self.kind} "
                                 f"layer needs {param.shape}")
            param.array[...] = self.xp.asarray(value, np.float32)
