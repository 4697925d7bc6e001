"""Recurrent sequence autoencoders of Keras's cells (LSTM, GRU, SimpleRNN), stacked and mixed.

    --mode keras     Input(T, D) -> CELL(hidden, every step) ... -> CELL(D, every step), the
                     widely copied Keras snippet: the "code" is the whole hidden sequence, the
                     target the time-reversed input (--reverse-target)
    --mode repeat    the Keras blog's: the encoder's last state, repeated T times
                     (RepeatVector), is the decoder's input; the target is the input itself
    --mode seq2seq   encoder -> last state -> linear code (--code-dim); tanh(linear(code)) is
                     the decoder's first state; the decoder unrolls T steps, a linear `output`
                     making each frame, whose step input is the previous frame (the true one
                     with --teacher-forcing P) combined with the code (--readout)

--hidden 32,16 --cell lstm,gru: the encoder has one layer a width with the i-th cell (one
name: every layer), and the decoder mirrors it (16 -> 32 with gru then lstm); in keras and
repeat modes the decoder's last layer has D units and the encoder's first cell. A model's
name (lstm, gru, simplernn) only sets the default cell.

Sequences are (N, T, D). Variable-length data comes padded with NaN after each sequence's
last real step (data/sequences.py): a cell carries its state over padded steps, reversal
reverses only the real steps, and the head's loss leaves padded steps out.
"""
import chainer
import chainer.functions as F
import numpy as np

from aezoo.models import cells
from aezoo.models.abilities import FromKeras, Samples
from aezoo.models.base import Autoencoder
from aezoo.models.heads import Identity
from aezoo.models.layers import dense, describe

MODE_ONLY = {"code_dim": "seq2seq", "teacher_forcing": "seq2seq", "readout": "seq2seq"}
READOUTS = {  # the decoder's step input from the previous frame and the code's D values
    "replace": lambda frame, code: frame,
    "add": lambda frame, code: frame + code,
    "mul": lambda frame, code: frame * code,
    "avg": lambda frame, code: (frame + code) * 0.5,
}
SETTINGS = ("recurrent_activation", "keras_version", "reset_after", "unit_forget_bias")


class RecurrentAE(Samples, FromKeras, Autoencoder):
    option_help = {
        "mode": "keras: the Keras snippet's CELL -> CELL; repeat: the Keras blog's, the last "
                "state repeated T times; seq2seq: a code between encoder and decoder",
        "hidden": "units of the encoder's layers (several: stacked, the decoder mirrors them)",
        "cell": "the cell of each encoder layer, lstm, gru or simplernn (one: every layer), "
                "e.g. lstm,gru",
        "code_dim": "width of the code, the encoder's last state mapped linearly",
        "readout": "seq2seq: the decoder's step input from the previous frame and the code "
                   "mapped to D values: replace (the frame alone), add, mul or avg",
        "keras_version": "Keras whose equations to match: 2 (GRU reset_after=False, "
                         "hard_sigmoid 0.2x+0.5) or 3 (reset_after=True, relu6(x+3)/6)",
        "reset_after": "GRU: apply the reset gate after the state's matmul (default: as the "
                       "Keras version)",
        "recurrent_activation": "the gates' function in every LSTM and GRU layer (gru: "
                                "hard_sigmoid, the snippet's; lstm, simplernn: sigmoid, Keras "
                                "3's)",
        "unit_forget_bias": "LSTM: the forget gate's bias starts at 1, as Keras initializes it",
        "reverse_target": "reconstruct the sequence backwards (default: in keras and seq2seq "
                          "modes, as the Keras snippet does)",
        "teacher_forcing": "probability per decoder step of feeding the true previous frame "
                           "instead of the model's own (training only)",
    }
    option_defaults = {"cell": "gru"}
    option_choices = {"mode": ("keras", "repeat", "seq2seq"), "keras_version": (2, 3),
                      "recurrent_activation": ("hard_sigmoid", "sigmoid"),
                      "readout": tuple(READOUTS)}
    # what a run of this model uses unless told otherwise (the Keras snippet's choices)
    run_defaults = {"data": "sine", "optimizer": "rmsprop", "loss": "mse"}
    masks_padding = True
    # Keras's RMSprop: v = 0.9 v + 0.1 g^2; p -= lr g / sqrt(v + 1e-7), epsilon inside the root
    rmsprop = {"alpha": 0.9, "eps": 1e-7, "eps_inside_sqrt": True}
    # aezoo 0.2's gru named its one decoder layer `decoder` and its frame layer `readout`
    renamed = {"decoders/0/": "decoder/", "output/": "readout/"}
    keras_arrays = tuple(f"{part}_{name}" for part in ("enc", "dec")
                         for name in ("kernel", "recurrent_kernel", "bias"))

    def __init__(self, input_shape, *, mode: str = "keras", hidden: list = (100,),
                 cell: str = None, code_dim: int = 16, readout: str = "replace",
                 keras_version: int = 2, reset_after: bool = None,
                 recurrent_activation: str = None, unit_forget_bias: bool = True,
                 reverse_target: bool = None, teacher_forcing: float = 0.0):
        super().__init__(input_shape)
        cell = cell or self.option_defaults["cell"]  # the model's name sets the default cell
        if len(self.input_shape) != 2:
            raise ValueError(f"model {cell} takes sequences, samples of shape (T, D); these are "
                             f"{self.input_shape}")
        if not 0 <= teacher_forcing <= 1:
            raise ValueError(f"--teacher-forcing {teacher_forcing}: expected a probability "
                             f"from 0 to 1")
        self.head = Identity()
        self.mode, self.hidden, self.code_dim, self.readout = mode, list(hidden), code_dim, readout
        self.cells = cells.parse(cell, len(self.hidden))
        self.cell = ",".join(self.cells) if len(set(self.cells)) > 1 else self.cells[0]
        # None: the model's default; RecurrentAE's (from_keras) is the first cell's Keras
        # default (a SimpleRNN has no gates)
        self.recurrent_activation = (recurrent_activation
                                     or self.option_defaults.get("recurrent_activation")
                                     or cells.CELLS[self.cells[0]].default_activation
                                     or "sigmoid")
        self.keras_version = keras_version
        self.unit_forget_bias = unit_forget_bias
        self.reset_after = keras_version == 3 if reset_after is None else reset_after
        self.reverse_target = mode != "repeat" if reverse_target is None else reverse_target
        self.teacher_forcing = teacher_forcing
        self.steps, self.features = self.input_shape
        self.rng = np.random.default_rng(0)
        settings = {name: getattr(self, name) for name in SETTINGS}
        widths = [self.features] + self.hidden
        encoders = [cells.make(c, a, b, settings)
                    for c, a, b in zip(self.cells, widths, widths[1:])]
        # the decoder mirrors the encoder: widths back down, cells in reverse order
        if mode == "seq2seq":
            back = [self.features] + self.hidden[::-1]
        else:
            back = self.hidden[::-1] + [self.features]
        decoders = [cells.make(c, a, b, settings)
                    for c, a, b in zip(self.cells[::-1], back, back[1:])]
        with self.init_scope():
            self.encoders = chainer.ChainList(*encoders)
            self.decoders = chainer.ChainList(*decoders)
            if mode == "seq2seq":
                self.to_code = dense(widths[-1], code_dim)
                self.from_code = dense(code_dim, sum(self.hidden))  # every layer's first h
                self.output = dense(self.hidden[0], self.features)
                if readout != "replace":
                    self.code_frame = dense(code_dim, self.features)

    @classmethod
    def fit_to_data(cls, options, input_shape, given):
        for option, mode in MODE_ONLY.items():
            if option in given and options["mode"] != mode:
                raise ValueError(f"--{option.replace('_', '-')} applies to --mode {mode} only")
        cells.parse(options["cell"], len(options["hidden"]))
        if options["reverse_target"] is None:  # config.json records what the run does
            options = {**options, "reverse_target": options["mode"] != "repeat"}
        return options

    def set_rng(self, rng):
        self.rng = rng  # the run's Generator: teacher forcing's coin flips resume exactly

    def arch(self):
        return {"mode": self.mode, "hidden": self.hidden, "cell": self.cell,
                "code_dim": self.code_dim, "readout": self.readout,
                "keras_version": self.keras_version, "reset_after": self.reset_after,
                "recurrent_activation": self.recurrent_activation,
                "unit_forget_bias": self.unit_forget_bias,
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
        """The last encoder layer's output at every step; padded (NaN) steps carry it over."""
        xp = chainer.backend.get_array_module(x)
        real = ~xp.isnan(x[:, :, 0])
        keep = None if real.all() else real
        h = xp.nan_to_num(x) if keep is not None else x
        for layer in self.encoders:
            h = layer(h, keep)
        return h

    def encode(self, x):
        states = self.encode_states(x)
        if self.mode == "keras":
            return states  # the Keras model has no bottleneck: every step's state
        last = states[:, -1]  # the last real step's: padding carried it over
        return last if self.mode == "repeat" else self.to_code(last)

    def decode_raw(self, code, teacher=None, steps=None):
        """The output before the head; `steps` (repeat mode: the input's T, else the
        model's) is how often the code is repeated."""
        if self.mode != "seq2seq":  # no feedback: nothing to force
            h = code
            if self.mode == "repeat":  # (N, u) -> (N, T, u), Keras's RepeatVector
                shape = (len(code), steps or self.steps, code.shape[1])
                h = F.broadcast_to(F.expand_dims(code, 1), shape)
            for layer in self.decoders:
                h = layer(h)
            return h
        firsts = F.split_axis(F.tanh(self.from_code(code)),
                              np.cumsum(self.hidden[::-1])[:-1].tolist(), axis=1)
        states = [layer.start(len(code), h) for layer, h in zip(self.decoders, firsts)]
        combine = READOUTS[self.readout]
        context = self.code_frame(code) if self.readout != "replace" else None
        frame = chainer.Variable(self.xp.zeros((len(code), self.features), np.float32))
        frames = []
        for t in range(self.steps):
            h = combine(frame, context)
            for i, layer in enumerate(self.decoders):
                states[i] = layer.step(layer.project(h), states[i])
                h = layer.output(states[i])
            frames.append(self.output(h))
            forced = teacher is not None and self.rng.random() < self.teacher_forcing
            frame = teacher[:, t] if forced else frames[-1]
        return F.stack(frames, axis=1)

    def encode_decode(self, x):
        code = self.encode(x)
        training = chainer.config.train and self.teacher_forcing > 0
        teacher = self.xp.nan_to_num(self.target(x)) if training else None
        return code, self.decode_raw(code, teacher, x.shape[1])

    def _sequence_layers(self, stack, widths, code_at=None):
        t = self.steps
        return [describe(layer.kind, [t, a], [t, b], None, layer, code=i == code_at,
                         **layer.describe())
                for i, (layer, a, b) in enumerate(zip(stack, widths, widths[1:]))]

    def _layers(self):
        t, widths, top = self.steps, [self.features] + self.hidden, self.hidden[-1]
        keras = self.mode == "keras"
        out = self._sequence_layers(self.encoders, widths, len(widths) - 2 if keras else None)
        if keras:
            return out + self._sequence_layers(self.decoders, self.hidden[::-1] + [self.features])
        out.append(describe("last", [t, top], [top], code=self.mode == "repeat"))
        if self.mode == "repeat":
            return out + [describe("repeat", [top], [t, top], steps=t)] + self._sequence_layers(
                self.decoders, self.hidden[::-1] + [self.features])
        back = [self.features] + self.hidden[::-1]
        path = [describe("dense", [self.code_dim], [sum(self.hidden)], "tanh", self.from_code,
                         role="start")]
        path += [describe(f"{layer.kind}_step", [a], [b], None, layer, role="cell",
                          **layer.describe())
                 for layer, a, b in zip(self.decoders, back, back[1:])]
        path.append(describe("dense", [self.hidden[0]], [self.features], None, self.output,
                             role="output"))
        if self.readout != "replace":
            path.append(describe("dense", [self.code_dim], [self.features], None,
                                 self.code_frame, role="readout"))
        return out + [describe("dense", [top], [self.code_dim], None, self.to_code, code=True),
                      describe("unroll", [self.code_dim], [t, self.features], steps=t,
                               readout=self.readout, path=path)]

    @classmethod
    def keras_shape(cls, arrays):
        """(the options a Keras model's weights imply, the values it reads a step); ValueError
        when they are no such model's. One layer each side, of one cell."""
        found = {}
        for part in ("enc", "dec"):
            try:
                found[part] = cells.of_weights(arrays[f"{part}_kernel"],
                                               arrays[f"{part}_recurrent_kernel"])
            except ValueError as e:
                raise ValueError(f"{part}_{e}")
        (cell, units), (dec_cell, features) = found["enc"], found["dec"]
        if dec_cell != cell:
            raise ValueError(f"the encoder is a {cell} and the decoder a {dec_cell}; aezoo's "
                             f"keras and repeat modes decode with the encoder's cell")
        if arrays["dec_kernel"].shape[0] != units or arrays["enc_kernel"].shape[0] != features:
            raise ValueError(f"enc_kernel {arrays['enc_kernel'].shape} and dec_kernel "
                             f"{arrays['dec_kernel'].shape} do not chain: expected (D, g u) "
                             f"and (u, g D)")
        options = {"cell": cell, "hidden": [units],
                   **cells.CELLS[cell].options_of(arrays["enc_bias"])}
        return options, features

    def load_keras(self, arrays):
        """Take a Keras CELL -> CELL model's weights (enc_kernel, ..., dec_bias): keras or
        repeat mode, one encoder layer. ValueError when the shapes do not fit this model."""
        if self.mode == "seq2seq" or len(self.encoders) != 1:
            raise ValueError("Keras weights fit --mode keras or repeat with one encoder layer "
                             "only")
        for prefix, layer in (("enc", self.encoders[0]), ("dec", self.decoders[0])):
            layer.load_keras(*(arrays[f"{prefix}_{name}"] for name in
                               ("kernel", "recurrent_kernel", "bias")))
        return self
