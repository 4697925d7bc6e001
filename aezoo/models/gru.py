"""GRU sequence autoencoders: the widely copied Keras model, exactly, and a real seq2seq.

    --mode keras     Input(T, D) -> GRU(hidden, every step) -> GRU(D, every step), tanh
                     outputs, target the time-reversed input, MSE (the Keras snippet people
                     fail to port: its "code" is the whole hidden sequence, no bottleneck)
    --mode seq2seq   encoder GRU -> last state -> linear code (--code-dim) -> tanh -> the
                     decoder GRU's first state; the decoder unrolls T steps, a linear readout
                     making each frame, which is fed back as the next input (or, with
                     --teacher-forcing P, the true previous frame, with probability P per step)

Sequences are (N, T, D). Variable-length data comes padded with NaN after each sequence's
last real step (data/sequences.py): a GRU carries its state over padded steps, reversal
reverses only the real steps, and the head's loss leaves padded steps out.
"""
import chainer
import chainer.functions as F
import numpy as np

from aezoo.models.abilities import FromKeras, Samples
from aezoo.models.base import Autoencoder
from aezoo.models.heads import Identity
from aezoo.models.keras_gru import KerasGRU
from aezoo.models.layers import dense, describe

MODE_ONLY = {"code_dim": "seq2seq", "teacher_forcing": "seq2seq"}  # option -> its mode


class GRUAE(Samples, FromKeras, Autoencoder):
    option_help = {
        "mode": "keras: the Keras snippet's GRU -> GRU; seq2seq: a code between encoder and "
                "decoder",
        "hidden": "units of the encoder GRU (several: stacked), e.g. 100",
        "code_dim": "width of the code, the encoder's last state mapped linearly",
        "keras_version": "Keras whose GRU to match: 2 (reset_after=False, hard_sigmoid "
                         "0.2x+0.5) or 3 (reset_after=True, relu6(x+3)/6)",
        "reset_after": "apply the reset gate after the state's matmul (default: as the "
                       "Keras version)",
        "recurrent_activation": "the GRU's gate function",
        "reverse_target": "reconstruct the sequence backwards, as the Keras snippet does",
        "teacher_forcing": "probability per decoder step of feeding the true previous frame "
                           "instead of the model's own (training only)",
    }
    option_choices = {"mode": ("keras", "seq2seq"), "keras_version": (2, 3),
                      "recurrent_activation": ("hard_sigmoid", "sigmoid")}
    # what a run of this model uses unless told otherwise (the Keras snippet's choices)
    run_defaults = {"data": "sine", "optimizer": "rmsprop", "loss": "mse"}
    masks_padding = True
    # Keras's RMSprop: v = 0.9 v + 0.1 g^2; p -= lr g / sqrt(v + 1e-7), epsilon inside the root
    rmsprop = {"alpha": 0.9, "eps": 1e-7, "eps_inside_sqrt": True}

    def __init__(self, input_shape, *, mode: str = "keras", hidden: list = (100,),
                 code_dim: int = 16, keras_version: int = 2, reset_after: bool = None,
                 recurrent_activation: str = "hard_sigmoid", reverse_target: bool = True,
                 teacher_forcing: float = 0.0):
        super().__init__(input_shape)
        if len(self.input_shape) != 2:
            raise ValueError(f"model gru takes sequences, samples of shape (T, D); these are "
                             f"{self.input_shape}")
        if not 0 <= teacher_forcing <= 1:
            raise ValueError(f"--teacher-forcing {teacher_forcing}: expected a probability "
                             f"from 0 to 1")
        self.head = Identity()
        self.mode, self.hidden, self.code_dim = mode, list(hidden), code_dim
        self.keras_version, self.recurrent_activation = keras_version, recurrent_activation
        self.reset_after = keras_version == 3 if reset_after is None else reset_after
        self.reverse_target, self.teacher_forcing = reverse_target, teacher_forcing
        self.steps, self.features = self.input_shape
        self.rng = np.random.default_rng(0)
        widths = [self.features] + self.hidden
        with self.init_scope():
            self.encoders = chainer.ChainList(*[self._gru(a, b) for a, b in zip(widths, widths[1:])])
            if mode == "keras":
                self.decoder = self._gru(widths[-1], self.features)
            else:
                self.to_code = dense(widths[-1], code_dim)
                self.from_code = dense(code_dim, widths[-1])
                self.decoder = self._gru(self.features, widths[-1])
                self.readout = dense(widths[-1], self.features)

    def _gru(self, n_in, units):
        return KerasGRU(n_in, units, self.reset_after, self.recurrent_activation,
                        self.keras_version)

    @classmethod
    def fit_to_data(cls, options, input_shape, given):
        for option, mode in MODE_ONLY.items():
            if option in given and options["mode"] != mode:
                raise ValueError(f"--{option.replace('_', '-')} applies to --mode {mode} only")
        return options

    def set_rng(self, rng):
        self.rng = rng  # the run's Generator: teacher forcing's coin flips resume exactly

    def arch(self):
        return {"mode": self.mode, "hidden": self.hidden, "code_dim": self.code_dim,
                "keras_version": self.keras_version, "reset_after": self.reset_after,
                "recurrent_activation": self.recurrent_activation,
                "reverse_target": self.reverse_target, "teacher_forcing": self.teacher_forcing}

    def target(self, x):
        """What the output should be: x, or x with its real steps in reverse order."""
        if not self.reverse_target:
            return x
        xp = chainer.backend.get_array_module(x)
        lengths = (~xp.isnan(x[:, :, 0])).sum(axis=1)[:, None]
        t = xp.arange(x.shape[1])[None, :]
        source = xp.where(t < lengths, lengths - 1 - t, t)  # padding stays where it is
        return x[xp.arange(len(x))[:, None], source]

    def encode_states(self, x):
        """The last encoder GRU's state at every step; padded (NaN) steps carry it over."""
        xp = chainer.backend.get_array_module(x)
        real = ~xp.isnan(x[:, :, 0])
        keep = None if real.all() else real
        h = xp.nan_to_num(x) if keep is not None else x
        for gru in self.encoders:
            h = gru(h, keep)
        return h

    def encode(self, x):
        states = self.encode_states(x)
        if self.mode == "keras":
            return states  # the Keras model has no bottleneck: every step's state
        return self.to_code(states[:, -1])

    def decode_raw(self, code, teacher=None):
        if self.mode == "keras":  # no feedback: nothing to force
            return self.decoder(code)
        h = F.tanh(self.from_code(code))
        frame = chainer.Variable(self.xp.zeros((len(code), self.features), np.float32))
        frames = []
        for t in range(self.steps):
            h = self.decoder.step(self.decoder.project(frame), h)
            frames.append(self.readout(h))
            forced = teacher is not None and self.rng.random() < self.teacher_forcing
            frame = teacher[:, t] if forced else frames[-1]
        return F.stack(frames, axis=1)

    def encode_decode(self, x):
        code = self.encode(x)
        training = chainer.config.train and self.teacher_forcing > 0
        teacher = self.xp.nan_to_num(self.target(x)) if training else None
        return code, self.decode_raw(code, teacher)

    def _layers(self):
        t, widths = self.steps, [self.features] + self.hidden
        out = []
        for i, gru in enumerate(self.encoders):
            out.append(describe("gru", [t, widths[i]], [t, widths[i + 1]], None, gru,
                                code=self.mode == "keras" and i == len(self.encoders) - 1,
                                **gru.describe()))
        if self.mode == "keras":
            return out + [describe("gru", [t, widths[-1]], [t, self.features], None,
                                   self.decoder, **self.decoder.describe())]
        width = widths[-1]
        step = describe("gru_step", [self.features], [width], None, self.decoder,
                        **self.decoder.describe())
        readout = describe("dense", [width], [self.features], None, self.readout)
        return out + [describe("last", [t, width], [width]),
                      describe("dense", [width], [self.code_dim], None, self.to_code, code=True),
                      describe("dense", [self.code_dim], [width], "tanh", self.from_code),
                      describe("unroll", [width], [t, self.features], steps=t,
                               path=[step, readout])]

    def load_keras(self, arrays):
        """Take a Keras GRU -> GRU model's weights (enc_kernel, ..., dec_bias): keras mode,
        one encoder layer. ValueError when the shapes do not fit this model."""
        if self.mode != "keras" or len(self.encoders) != 1:
            raise ValueError("Keras weights fit --mode keras with one encoder GRU only")
        for prefix, gru in (("enc", self.encoders[0]), ("dec", self.decoder)):
            gru.load_keras(*(arrays[f"{prefix}_{name}"] for name in
                             ("kernel", "recurrent_kernel", "bias")))
        return self
