"""`aezoo.load(run_dir)`: a trained model for use from Python, on numpy arrays.

    model = aezoo.load("outputs/main")
    codes = model.encode(x)          # x: float32 (N, H, W) in [0, 1], or one (H, W) image
    images = model.decode(codes)     # float32 (N, H, W) in [0, 1]
    model.reconstruct(x), model.config, model.code_size, model.epoch, model.best
    model                            # deep: 8x8 > 128 > 64 (code) > 128 > 8x8, ... epoch 40

One sample gives one result (its own shape), a batch a batch; any other shape
is a ValueError that names the shape expected.

    model = aezoo.from_keras("weights.npz")    # a Keras LSTM/GRU/SimpleRNN autoencoder
    model.reconstruct(x)             # == Keras's model.predict(x), x: (N, T, D)
"""
import numpy as np

from aezoo.errors import UsageError
from aezoo.config import Config, merge, validate
from aezoo.runs import rundir
from aezoo.models.recurrent import RecurrentAE
from aezoo.runs import checkpoints
from aezoo.keras import weights as keras_weights
from aezoo.train import device as devices, serialize
from aezoo.train.device import infer
from aezoo.train.build import build_model, model_cls


def padded_like(x, y):
    """`y` (per step, like x) with NaN where x's step is padding (NaN): a padded step has
    nothing to encode or reconstruct. The exported forward.py does the same."""
    x = np.asarray(x)
    if x.ndim == y.ndim and x.ndim in (2, 3) and y.shape[x.ndim - 2] == x.shape[-2]:
        y[np.isnan(x[..., 0])] = np.nan  # a batch (N, T, D), or one sequence (T, D)
    return y


class Trained:
    """A trained model on numpy arrays; `epoch` is the epoch its weights are from, `best`
    whether they are the run's best checkpoint (None: not from a run)."""

    def __init__(self, model, config, device, epoch=None, best=None, source=None):
        self.model, self.config, self.device = model, config, device
        self.epoch, self.best, self.source = epoch, best, source
        self._code_shape = None

    def _run(self, fn, x, shape, what):
        x = np.asarray(x, dtype=np.float32)
        one = fits(x.shape, shape, self.sequence)
        if not one and not (x.ndim == len(shape) + 1 and len(x)
                            and fits(x.shape[1:], shape, self.sequence)):
            dims = ["T" if self.sequence and what == "input" and i == 0 else str(n)
                    for i, n in enumerate(shape)]
            one_shape = f"({', '.join(dims)}{',' if len(dims) == 1 else ''})"
            raise ValueError(f"{what} of shape {x.shape}: expected one sample of shape "
                             f"{one_shape} or a batch (N, {', '.join(dims)}) with N > 0")
        out = infer(fn, x[None] if one else x, self.device)
        return out[0] if one else out

    @property
    def sequence(self):
        """A sequence model takes any number of steps (T) per sample."""
        return isinstance(self.model, RecurrentAE)

    def encode(self, x):
        code = self._run(self.model.encode, x, self.model.input_shape, "input")
        return padded_like(x, code) if self.sequence else code

    def decode(self, code):
        return self._run(self.model.decode, code, self.code_shape, "code")

    def reconstruct(self, x):
        y = self._run(self.model.reconstruct, x, self.model.input_shape, "input")
        return padded_like(x, y) if self.sequence else y

    @property
    def code_shape(self):
        """The shape of one sample's code (a conv model's code is a feature map)."""
        if self._code_shape is None:
            sample = np.zeros((1,) + self.model.input_shape, np.float32)
            self._code_shape = infer(self.model.encode, sample, self.device).shape[1:]
        return tuple(self._code_shape)

    @property
    def code_size(self):
        """Numbers per sample in the code."""
        return int(np.prod(self.code_shape))

    def __repr__(self):
        name = self.config["model"] if isinstance(self.config, dict) else self.config.model
        checkpoint = "" if self.epoch is None else (
            f", epoch {self.epoch} ({'best' if self.best else 'last'} checkpoint)")
        where = f", from {self.source}" if self.source else ""
        return (f"<aezoo {name}: {shape_line(self.model.layers())}, "
                f"{self.model.n_params():,} params{checkpoint}{where}>")


def fits(shape, expected, sequence):
    """Whether one sample's `shape` is `expected` (a sequence's steps may differ)."""
    if len(shape) != len(expected):
        return False
    return tuple(shape[1:] if sequence else shape) == tuple(expected[1:] if sequence else expected)


def shape_line(layers):
    """'8x8 > 128 > 64 (code) > 128 > 8x8': the sizes a sample passes through, in short."""
    def size(dims):
        return "x".join(map(str, dims))

    steps = [size(layers[0]["in"])] if layers else []
    for layer in layers:
        if layer["type"] == "reshape" and layer is not layers[-1]:
            continue
        step = size(layer["out"]) + (" (code)" if layer.get("code") else "")
        if not steps or steps[-1] != step:
            steps.append(step)
    return " > ".join(steps)


def load(run_dir, device="cpu", which="last"):
    """The model of a run folder: its last checkpoint, or with which="best" the epoch with
    the lowest test loss (checkpoint-best.npz)."""
    record = rundir.read_config(run_dir)
    cfg = validate(merge(Config(), record["config"], f"{run_dir}/config.json"))
    meta = checkpoints.read_meta(run_dir, which)
    checkpoints.check_model(meta, model_cls(cfg.model), run_dir)
    arch = meta["arch"]
    model = build_model(cfg, tuple(record["data"]["shape"]), np.random.default_rng(cfg.seed), arch)
    target = devices.get(device)
    model.to_device(target)
    serialize.load(run_dir, model, which=which)
    return Trained(model, cfg, target, epoch=meta["epoch"], best=which == "best", source=run_dir)


def from_keras(path, keras_version=3, mode="keras", recurrent_activation=None, device="cpu"):
    """The Keras model whose weights `path` holds (see keras/weights.py): CELL -> CELL (mode
    "keras") or CELL -> RepeatVector -> CELL ("repeat"); its reconstruct(x) is Keras's
    predict(x). The cell (LSTM, GRU, SimpleRNN), its units and a GRU's reset_after come from
    the shapes. keras_version picks hard_sigmoid's formula (2: 0.2x + 0.5, 3: relu6(x + 3) /
    6); recurrent_activation None is each cell's default (a GRU's hard_sigmoid, as the
    snippet; an LSTM's sigmoid, as Keras 3), a name sets it for any cell."""
    if keras_version not in (2, 3):
        raise UsageError(f"keras_version {keras_version!r}: expected 2 or 3")
    for name, value, allowed in (("mode", mode, ("keras", "repeat")),
                                 ("recurrent_activation", recurrent_activation,
                                  (None, "hard_sigmoid", "sigmoid"))):
        if value not in allowed:
            raise UsageError(f"{name} {value!r}: expected one of "
                             f"{', '.join(map(str, allowed))}")
    arrays = keras_weights.read(path, RecurrentAE, where="")
    options, features = keras_weights.shape_of(arrays, RecurrentAE, path, where="")
    # Any number of steps runs through a recurrent layer (and RepeatVector repeats to the
    # input's): T here only names the shape in layers().
    model = RecurrentAE((1, features), mode=mode, keras_version=keras_version,
                        recurrent_activation=recurrent_activation, **options)
    target = devices.get(device)
    keras_weights.load(model, arrays, path, where="").to_device(target)
    return Trained(model, {"model": options["cell"], "keras_weights": path}, target, source=path)
