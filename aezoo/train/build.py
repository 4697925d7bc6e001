"""From options to parts: the model class, its defaults, the data as it reads it, the model.

    cfg, given = configured("deep", ({"grow_every": 4}, "option"))
    model = build_model(cfg, dataset.shape, rng)

Shared by planning (train/plan.py), starting (train/start.py), aezoo.load and
the bench, so a model is always rebuilt the same way. Nothing here writes.
"""
import numpy as np

from aezoo.config import MODEL_OPTIONS, Config, flag, merge, parse_noise, validate
from aezoo.data import load as load_data
from aezoo.data.sets import DECODED, SEQ_LEN
from aezoo.errors import UsageError
from aezoo.models import (MODELS, NAMES, PRESETS, FromKeras, Generative, Growable, Samples, having,
                          model_class)
from aezoo.models.regularizers import noise, sparsity
from aezoo.train import growth


def model_cls(name):
    try:
        return model_class(name)
    except KeyError:
        raise UsageError(f"model {name!r} is unknown; expected one of {', '.join(NAMES)}")


def default_config(model):
    """Config() with the model's own run defaults (gru: sine, rmsprop, mse) and the preset's
    changes (denoising: noise; sparse: sparsity) applied."""
    changes = {**(model_class(model).run_defaults if model in NAMES else {}),
               **(PRESETS[model][1] if model in PRESETS else {})}
    return merge(Config(model=model), changes, f"preset {model}")


def configured(model, *sources):
    """(Config, the option names set) for `model` with each (options dict, where) of
    `sources` applied in turn over its defaults; resolved and checked."""
    if not model:
        raise UsageError("name a model: " + ", ".join(NAMES))
    model_cls(model)
    cfg, given = default_config(model), set()
    for options, where in sources:
        cfg = merge(cfg, options, where)
        given |= set(options)
    cfg.model = model
    return resolve(cfg, given), given


def resolve(cfg, given):
    """Fill the model's own defaults into `cfg`; reject options it does not take.

    `given` is the set of option names the user set (file or command line).
    Everything that needs no data is checked here, before any download.
    """
    cls = model_cls(cfg.model)
    accepted = cls.options()
    for option in MODEL_OPTIONS:
        if option not in accepted:
            if option in given and option not in growth.OPTIONS:
                raise UsageError(f"{flag(option)} does not apply to model {cfg.model}")
        elif getattr(cfg, option) is None:
            setattr(cfg, option, accepted[option].default)
    validate(cfg)  # each option's own range first: a rule between two needs both in range
    growth.resolve(cfg, given, cls, ", ".join(having(Growable, MODELS)))
    if cfg.optimizer == "adadelta" and (cfg.lr_schedule != "constant" or cfg.lr_decay):
        shown = f"--lr-schedule {cfg.lr_schedule}" if cfg.lr_schedule != "constant" else \
            f"--lr-decay {cfg.lr_decay:g}"
        raise UsageError(f"{shown}: adadelta has no learning rate to schedule")
    if "seq_len" in given and cfg.data not in SEQ_LEN:
        raise UsageError(f"--seq-len {cfg.seq_len}: only --data {' or '.join(SEQ_LEN)} is cut "
                         f"into windows; --data {cfg.data} has its own length")
    for option in ("image_size", "color"):
        if option in given and getattr(cfg, option) is not None \
                and cfg.data.partition(":")[0] not in DECODED:
            raise UsageError(f"{flag(option)} {getattr(cfg, option)}: only --data "
                             f"{' or '.join(k + ':PATH' for k in DECODED)} is decoded from image "
                             f"files; --data {cfg.data} has its own size and colour")
    if "kl_warmup" in given and not issubclass(cls, Generative):
        raise UsageError(f"--kl-warmup: model {cfg.model} has no KL term "
                         f"(vae has: {', '.join(having(Generative, MODELS))})")
    if "keras_weights" in given and cfg.keras_weights and not issubclass(cls, FromKeras):
        raise UsageError(f"--keras-weights: model {cfg.model} cannot take Keras weights "
                         f"({', '.join(having(FromKeras, MODELS))} can)")
    return cfg


def options_of(cfg):
    """The constructor keywords of cfg's model, from cfg."""
    return {name: getattr(cfg, name) for name in model_cls(cfg.model).options()}


def fit_to_data(cfg, given, input_shape):
    """Let the model fit its default shape to the data (conv: fewer stages on small images)."""
    try:
        fitted = model_cls(cfg.model).fit_to_data(options_of(cfg), input_shape, given)
    except ValueError as e:
        raise UsageError(str(e))
    for name, value in fitted.items():
        setattr(cfg, name, value)
    return cfg


def load_dataset(cfg):
    """The run's data, as its model reads it: a model of sequences reads images by rows."""
    dataset = load_data(cfg.data, cfg.data_dir, cfg.test_fraction, cfg.seq_len, cfg.image_size,
                        cfg.color)
    cls = model_cls(cfg.model)
    if cls.masks_padding:
        return dataset.as_sequences()
    if dataset.padded:
        takes = ", ".join(n for n, c in MODELS.items() if c.masks_padding)
        raise UsageError(f"--data {cfg.data}: sequences of different lengths need a model that "
                         f"masks padding ({takes}), not {cfg.model}")
    return dataset


def build_model(cfg, input_shape, rng, arch=None):
    """The model `cfg` describes (or, given `arch` from a checkpoint, that shape).

    Weights are drawn from numpy's global RNG, seeded here for repeatability; the
    caller's state of that RNG is restored afterwards.
    """
    cls = model_cls(cfg.model)
    caller = np.random.get_state()  # the caller's random state is theirs (aezoo.load)
    np.random.seed(cfg.seed)
    try:
        model = cls(input_shape, **(cls.upgrade_arch(arch) if arch else options_of(cfg)))
    except ValueError as e:  # a shape the model cannot take, e.g. conv on vectors
        raise UsageError(f"--data {cfg.data}: {e}")
    except TypeError as e:  # a checkpoint's shape for another model (an edited config.json)
        raise UsageError(f"model {cfg.model} cannot take the shape {arch} ({e}); "
                         f"config.json and the checkpoint disagree")
    except MemoryError:
        raise UsageError(f"model {cfg.model} with {arch or options_of(cfg)} does not fit in "
                         f"memory; choose smaller sizes")
    finally:
        np.random.set_state(caller)
    try:
        model.use_loss(cfg.loss)
    except ValueError as e:
        raise UsageError(f"--loss {cfg.loss}: {e}")
    if isinstance(model, Samples):  # draws from the run's Generator: resume is exact
        model.set_rng(rng)
    return model.regularize(noise(*parse_noise(cfg.noise), rng, cfg.seed), sparsity(cfg.sparsity))


def check_range(model, cfg, dataset):
    """Models whose head needs data in [0, 1] (sigmoid, BCE) refuse data outside it."""
    low, high = dataset.value_range
    if model.head.needs_unit_range and (low < 0 or high > 1):
        raise UsageError(f"--data {cfg.data}: values span [{low:g}, {high:g}], but model "
                         f"{cfg.model}'s sigmoid output needs data in [0, 1] (or uint8 0..255)")


def describe(model):
    """The model as config.json and architecture.json record it."""
    found = {"class": type(model).__name__, "arch": model.arch(), "params": model.n_params(),
             "layers": model.layers()}
    if model.training_only_params():  # in params, not in layers (a VAE's log-variance head)
        found["training_only_params"] = model.training_only_params()
    return found
