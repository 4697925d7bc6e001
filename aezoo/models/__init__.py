"""The model zoo: one explicit registry that the CLI, config checks and tests read.

Adding a model is one file in this folder (a subclass of base.Autoencoder whose
constructor's keyword-only arguments are its options) and one line in MODELS.
A preset is a model with regularizers switched on (denoising = conv + noise,
sparse = simple + L1 on the code), not a subclass.

A model's class (and Chainer with it, a second or more) is imported when it is first
asked for: `MODELS["deep"]`, `MODELS.items()`. Names and options need no import
(catalogue.py), so the command line's parsers and `--help` load no Chainer.

What this part may import: chainer, numpy, scikit-learn, and itself; nothing
of aezoo's training, data, pictures or commands.
"""
import importlib
from collections.abc import Mapping

from aezoo.models.abilities import FromKeras, Generative, Growable, Samples, having  # noqa: F401


class Registry(Mapping):
    """name -> class, from "module.Class" in this folder, each imported when first used."""

    def __init__(self, where):
        self._where, self._loaded = where, {}

    def __getitem__(self, name):
        if name not in self._loaded:
            module, cls = self._where[name].rsplit(".", 1)
            self._loaded[name] = getattr(importlib.import_module(f"{__name__}.{module}"), cls)
        return self._loaded[name]

    def __iter__(self):
        return iter(self._where)

    def __len__(self):
        return len(self._where)


MODELS = Registry({
    "simple": "simple.SimpleAE",
    "deep": "deep.DeepAE",
    "conv": "conv.ConvAE",
    "vae": "vae.VAE",
    "gru": "gru.GRUAE",
    "lstm": "lstm.LSTMAE",
    "simplernn": "simplernn.SimpleRNNAE",
    "sequential": "sequential.SequentialAE",
})

# preset name -> (model, option defaults it changes)
PRESETS = {
    "denoising": ("conv", {"noise": "gaussian:0.5"}),
    "sparse": ("simple", {"sparsity": 1e-4}),
}

NAMES = list(MODELS) + list(PRESETS)


def model_class(name):
    """The class behind a model or preset name (KeyError for an unknown one)."""
    return MODELS[PRESETS[name][0] if name in PRESETS else name]
