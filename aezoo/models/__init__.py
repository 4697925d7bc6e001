"""The model zoo: one explicit registry that the CLI and the tests read.

A preset is a model with regularizers switched on (denoising = conv + noise,
sparse = simple + L1 on the code), not a subclass.
"""
from aezoo.models.conv import ConvAE
from aezoo.models.deep import DeepAE
from aezoo.models.simple import SimpleAE

MODELS = {
    "simple": SimpleAE,
    "deep": DeepAE,
    "conv": ConvAE,
}

# preset name -> (model, option defaults it changes)
PRESETS = {
    "denoising": ("conv", {"noise": "gaussian:0.5"}),
    "sparse": ("simple", {"sparsity": 1e-4}),
}

NAMES = list(MODELS) + list(PRESETS)
