"""From a Config to the objects a run needs: resolved options, model, optimizer.

Shared by `aezoo.run` (training, resume) and `aezoo.load` (inference), so a
model is always rebuilt the same way.
"""
import chainer
import numpy as np

from aezoo import regularizers
from aezoo.config import Config, UsageError, flag, merge, validate
from aezoo.models import MODELS, NAMES, PRESETS


# Options that shape a model; each model's `defaults` names those it takes.
MODEL_OPTIONS = ("hidden", "code_dim", "linear_code")


def model_class(name):
    if name in PRESETS:
        name = PRESETS[name][0]
    if name not in MODELS:
        raise UsageError(f"model {name!r} is unknown; expected one of {', '.join(NAMES)}")
    return MODELS[name]


def preset_defaults(name):
    """The options a preset changes (denoising: noise; sparse: sparsity)."""
    return PRESETS[name][1] if name in PRESETS else {}


def resolve(cfg, given):
    """Fill the model's own defaults into `cfg`; reject options it does not take.

    `given` is the set of option names the user set (file or command line).
    Everything that needs no data is checked here, before any download.
    """
    cls = model_class(cfg.model)
    for option in MODEL_OPTIONS:
        if option not in cls.defaults:
            if option in given:
                raise UsageError(f"{flag(option)} does not apply to model {cfg.model}")
        elif getattr(cfg, option) is None:
            setattr(cfg, option, cls.defaults[option])
    regularizers.noise(cfg.noise, rng=None)  # parses the spec
    if hasattr(cls, "add_layer"):
        _resolve_growth(cfg, given)
    else:
        for option in GROWTH_OPTIONS:
            if option in given:
                growable = ", ".join(n for n, c in MODELS.items() if hasattr(c, "add_layer"))
                raise UsageError(f"{flag(option)}: model {cfg.model} cannot grow (growable: {growable})")
    return validate(cfg)


GROWTH_OPTIONS = ("grow_every", "depth", "max_depth", "grow_width", "grow_init", "fade_in",
                  "freeze_old")


def _resolve_growth(cfg, given):
    if not cfg.grow_every:
        for option in GROWTH_OPTIONS[1:]:
            if option in given:
                raise UsageError(f"{flag(option)} only applies with --grow-every K")
        cfg.depth = cfg.max_depth = len(planned_widths(cfg))
        return
    plan = planned_widths(cfg)
    if cfg.depth is None:
        cfg.depth = 1
    if cfg.depth > len(plan):
        raise UsageError(f"--depth {cfg.depth}: the widths {plan} allow at most {len(plan)}")
    if cfg.max_depth is None:
        cfg.max_depth = len(plan)
    if cfg.max_depth < cfg.depth:
        raise UsageError(f"--max-depth {cfg.max_depth} is below --depth {cfg.depth}")
    for option in ("fade_in", "freeze_old"):  # a pair settles before the next one comes
        if getattr(cfg, option) > cfg.grow_every:
            raise UsageError(f"{flag(option)} {getattr(cfg, option)} is longer than "
                             f"--grow-every {cfg.grow_every}")
    if cfg.linear_code:
        raise UsageError("--linear-code with --grow-every: a grown model's old code layer "
                         "would change function; use one or the other")


def fit_to_data(cfg, given, input_shape):
    """Let a model fit its default shape to the data (conv: fewer stages on small images)."""
    cls = model_class(cfg.model)
    if hasattr(cls, "fit_default_hidden") and "hidden" not in given:
        cfg.hidden = cls.fit_default_hidden(cfg.hidden, input_shape)
    return cfg


def planned_widths(cfg):
    """The full no-growth architecture: the hidden widths, then the code."""
    return list(cfg.hidden) + [cfg.code_dim]


def growth_width(cfg, depth, current):
    """Width of the layer that takes the model from `depth` to depth + 1."""
    if cfg.grow_width:
        return cfg.grow_width
    plan = planned_widths(cfg)
    return plan[depth] if depth < len(plan) else max(current // 2, 1)


def build_model(cfg, input_shape, rng, arch=None):
    """The model `cfg` describes (or, given `arch` from a checkpoint, that shape).

    Weights are drawn from numpy's global RNG, seeded here for repeatability.
    """
    cls = model_class(cfg.model)
    np.random.seed(cfg.seed)
    try:
        return cls(input_shape, loss=cfg.loss, noise=regularizers.noise(cfg.noise, rng),
                   penalty=regularizers.sparsity(cfg.sparsity), **(arch or cls.arch_from_config(cfg)))
    except ValueError as e:  # a shape the model cannot take, e.g. conv on vectors
        raise UsageError(f"--data {cfg.data}: {e}")


def build_optimizer(cfg, model):
    lr = cfg.lr
    if cfg.optimizer == "adam":
        optimizer = chainer.optimizers.Adam(alpha=lr or 1e-3)
    elif cfg.optimizer == "rmsprop":
        optimizer = chainer.optimizers.RMSprop(lr=lr or 1e-3)
    elif cfg.optimizer == "sgd":
        optimizer = chainer.optimizers.SGD(lr=lr or 0.01)
    else:
        if lr not in (None, 1.0):
            raise UsageError(f"--lr {lr}: adadelta has no learning rate (leave --lr unset)")
        optimizer = chainer.optimizers.AdaDelta()
    return optimizer.setup(model)


def learning_rate(optimizer):
    """The optimizer's step size under whatever name it uses (AdaDelta: none, 1.0)."""
    hp = optimizer.hyperparam
    return float(getattr(hp, "alpha", None) or getattr(hp, "lr", None) or 1.0)


def bind_new_params(optimizer, link):
    """Give parameters added after optimizer.setup() an update rule.

    Chainer silently skips parameters without one, so a grown layer would never
    train. Old parameters keep their rules and state (Adam moments, step count).
    """
    for param in link.params():
        if param.update_rule is None:
            param.update_rule = optimizer.create_update_rule()
            if optimizer._use_fp32_update:
                param.update_rule.use_fp32_update()


def count_params(model):
    return int(sum(p.size for p in model.params()))


def default_config(model):
    """Config() with the preset's changes for `model` applied."""
    return merge(Config(model=model), preset_defaults(model), f"preset {model}")
