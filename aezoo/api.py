"""`aezoo.load(run_dir)`: a trained model for use from Python, on numpy arrays.

    model = aezoo.load("outputs/main")
    codes = model.encode(x)          # x: float32 (N, H, W) in [0, 1]
    images = model.decode(codes)     # float32 (N, H, W) in [0, 1]
    model.reconstruct(x), model.config, model.code_size
"""
import numpy as np

from aezoo.config import Config, merge, validate
from aezoo.record import rundir
from aezoo.train import checkpoint, device as devices
from aezoo.train.device import infer
from aezoo.train.setup import build_model, model_cls


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
    meta = checkpoint.read_meta(run_dir, which)
    checkpoint.check_model(meta, model_cls(cfg.model), run_dir)
    arch = meta["arch"]
    model = build_model(cfg, tuple(record["data"]["shape"]), np.random.default_rng(cfg.seed), arch)
    target = devices.get(device)
    model.to_device(target)
    checkpoint.load(run_dir, model, which=which)
    return Trained(model, cfg, target)
