"""From a Config to the objects a run needs: resolved options, model, optimizer.

Shared by `aezoo.run` (training, resume) and `aezoo.load` (inference), so a
model is always rebuilt the same way.
"""
import inspect

import chainer
import numpy as np

from aezoo import regularizers
from aezoo.config import Config, UsageError, merge, validate
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
                raise UsageError(f"--{option.replace('_', '-')} does not apply to model {cfg.model}")
            continue
        if getattr(cfg, option) is None:
            setattr(cfg, option, cls.defaults[option])
    regularizers.noise(cfg.noise, rng=None)  # parses the spec
    growable = hasattr(cls, "add_layer")
    growth_options = ("grow_every", "depth", "max_depth", "grow_width", "fade_in", "freeze_old")
    for option in growth_options:
        if option in given and not growable:
            raise UsageError(f"--{option.replace('_', '-')}: model {cfg.model} cannot grow "
                             f"(growable: {', '.join(n for n, c in MODELS.items() if hasattr(c, 'add_layer'))})")
    if growable:
        _resolve_depths(cfg)
        if cfg.linear_code and cfg.grow_every:
            raise UsageError("--linear-code with --grow-every: a grown model's old code layer "
                             "would change function; use one or the other")
    return validate(cfg)


def fit_to_data(cfg, given, input_shape):
    """Let a model fit its default shape to the data (conv: fewer stages on small images)."""
    cls = model_class(cfg.model)
    if hasattr(cls, "fit_default_hidden") and "hidden" not in given:
        cfg.hidden = cls.fit_default_hidden(cfg.hidden, input_shape)
    return cfg


def planned_widths(cfg):
    """The full no-growth architecture: the hidden widths, then the code."""
    return list(cfg.hidden) + [cfg.code_dim]


def _resolve_depths(cfg):
    plan = planned_widths(cfg)
    if cfg.depth is None:
        cfg.depth = 1 if cfg.grow_every else len(plan)
    if cfg.depth > len(plan):
        raise UsageError(f"--depth {cfg.depth}: the widths {plan} allow at most {len(plan)}")
    if cfg.max_depth is None:
        cfg.max_depth = len(plan) if cfg.grow_every else cfg.depth
    if cfg.max_depth < cfg.depth:
        raise UsageError(f"--max-depth {cfg.max_depth} is below --depth {cfg.depth}")


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
    if arch is None:
        arch = {k: getattr(cfg, k) for k in cls.defaults if k in MODEL_OPTIONS}
        if "widths" in inspect.signature(cls.__init__).parameters:
            arch = {"widths": planned_widths(cfg)[:cfg.depth], "linear_code": cfg.linear_code}
    np.random.seed(cfg.seed)
    return cls(input_shape, loss=cfg.loss, noise=regularizers.noise(cfg.noise, rng),
               penalty=regularizers.sparsity(cfg.sparsity), **arch)


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
