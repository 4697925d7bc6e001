"""Every model describes its layers uniformly: shapes chain, parameters add up, the code is
marked, and only the known layer types and keys appear."""
import numpy as np
import pytest

from aezoo.commands.export import forward_layers
from aezoo.models import NAMES
from aezoo.train.build import build_model, default_config, resolve


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(8, 8), (28, 28), (7, 9)])
def test_every_model_describes_its_layers_uniformly(name, shape):
    cfg = resolve(default_config(name), set())
    model = build_model(cfg, shape, np.random.default_rng(0))
    layers = model.layers()
    assert layers[0]["in"] == list(shape) and layers[-1]["out"] == list(shape)
    for before, after in zip(layers, layers[1:]):
        assert before["out"] == after["in"], (before, after)
    # the mean path's layers; a VAE's log-variance head serves sampling in training only
    assert sum(layer["params"] for layer in layers) + model.training_only_params() == model.n_params()
    (code,) = [layer for layer in layers if layer.get("code")]
    x = np.zeros((2,) + shape, np.float32)
    assert list(model.encode(x).shape[1:]) == code["out"]
    for layer in layers:
        assert set(layer) <= {"type", "in", "out", "activation", "params", "code", "name", "alpha",
                              "path", "pad", "steps", "readout", *CELL_KEYS, *KIND_KEYS}
        # every type is one that export's forward.py runs
        assert layer["type"] in forward_layers() or layer["type"] in STEPS
        assert not set(layer) & set(CELL_KEYS) or layer["type"] in CELLS + STEPS


KIND_KEYS = ("eps", "kernel", "stride", "size", "factor", "rate")  # models/kinds' own
CELL_KEYS = ("units", "reset_after", "recurrent_activation", "keras_version")
CELLS = ("gru", "lstm", "simplernn")
STEPS = tuple(f"{cell}_step" for cell in CELLS)
