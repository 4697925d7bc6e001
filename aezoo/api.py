"""`aezoo.load(run_dir)`: a trained model for use from Python, on numpy arrays.

    model = aezoo.load("outputs/main")
    codes = model.encode(x)          # x: float32 (N, H, W) in [0, 1]
    images = model.decode(codes)     # float32 (N, H, W) in [0, 1]
    model.reconstruct(x), model.config, model.code_size

    model = aezoo.from_keras("weights.npz")    # a Keras LSTM/GRU/SimpleRNN autoencoder
    model.reconstruct(x)             # == Keras's model.predict(x), x: (N, T, D)
"""
import numpy as np

from aezoo.errors import UsageError
from aezoo.config import Config, merge, validate
from aezoo.runs import rundir
from aezoo.models.recurrent import RecurrentAE
from aezoo.runs import checkpoints
from aezoo.train import checkpoint, device as devices, port
from aezoo.train.device import infer
from aezoo.train.build import build_model, model_cls


class Trained:
    def __init__(self, model, config, device):
        self.model, self.config, self.device = model, config, device

    def _run(self, fn, x):
        return infer(fn, np.asarray(x, dtype=np.float32), self.device)

    def encode(self, x):
        return self._run(self.model.encode, x)

    def decode(self, code):
        return self._run(self.model.decode, code)

    def reconstruct(self, x):
        return self._run(self.model.reconstruct, x)

    @property
    def code_size(self):
        """Numbers per sample in the code (a conv model's code is a feature map)."""
        sample = np.zeros((1,) + self.model.input_shape, np.float32)
        return int(np.prod(self.encode(sample).shape[1:]))


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
    checkpoint.load(run_dir, model, which=which)
    return Trained(model, cfg, target)


def from_keras(path, keras_version=3, mode="keras", recurrent_activation=None, device="cpu"):
    """The Keras model whose weights `path` holds (see train/port.py): CELL -> CELL (mode
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
    arrays = port.read(path, RecurrentAE)
    options, features = port.shape_of(arrays, RecurrentAE, path)
    # Any number of steps runs through a recurrent layer (and RepeatVector repeats to the
    # input's): T here only names the shape in layers().
    model = RecurrentAE((1, features), mode=mode, keras_version=keras_version,
                        recurrent_activation=recurrent_activation, **options)
    target = devices.get(device)
    port.load(model, arrays, path).to_device(target)
    return Trained(model, {"model": options["cell"], "keras_weights": path}, target)
