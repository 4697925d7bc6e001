"""The model zoo: one explicit registry that the CLI, config checks and tests read.

Adding a model is one file in this folder (a subclass of base.Autoencoder whose
constructor's keyword-only arguments are its options) and one line in MODELS.
A preset is a model with regularizers switched on (denoising = conv + noise,
sparse = simple + L1 on the code), not a subclass.

What this part may import: chainer, numpy, scikit-learn, and itself; nothing
of aezoo's training, data, pictures or commands.
"""
from aezoo.models.abilities import FromKeras, Generative, Growable, Samples, having  # noqa: F401
from aezoo.models.conv import ConvAE
from aezoo.models.deep import DeepAE
from aezoo.models.gru import GRUAE
from aezoo.models.lstm import LSTMAE
from aezoo.models.sequential import SequentialAE
from aezoo.models.simple import SimpleAE
from aezoo.models.simplernn import SimpleRNNAE
from aezoo.models.vae import VAE

MODELS = {
    "simple": SimpleAE,
    "deep": DeepAE,
    "conv": ConvAE,
    "vae": VAE,
    "gru": GRUAE,
    "lstm": LSTMAE,
    "simplernn": SimpleRNNAE,
    "sequential": SequentialAE,
}

# preset name -> (model, option defaults it changes)
PRESETS = {
    "denoising": ("conv", {"noise": "gaussian:0.5"}),
    "sparse": ("simple", {"sparsity": 1e-4}),
}

NAMES = list(MODELS) + list(PRESETS)


def model_class(name):
    """The class behind a model or preset name (KeyError for an unknown one)."""
    return MODELS[PRESETS[name][0] if name in PRESETS else name]


def all_options():
    """{option: base.Option} over every model; one option has one type in every model.

    The help joins the models' own texts where they differ ("deep: ...; conv: ...").
    """
    found, helps = {}, {}
    for name, cls in MODELS.items():
        for option, spec in cls.options().items():
            if option in found and found[option].type is not spec.type:
                raise TypeError(f"option {option} is {found[option].type} in one model and "
                                f"{spec.type} in {name}: one name, one meaning")
            found.setdefault(option, spec)
            helps.setdefault(option, {}).setdefault(spec.help, []).append(name)
    for option, texts in helps.items():
        if len(texts) > 1:
            text = "; ".join(f"{', '.join(names)}: {help}" for help, names in texts.items())
            found[option] = found[option]._replace(help=text)
    return found
