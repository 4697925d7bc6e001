"""The optimizer a Config names, set up on a model.

Adam and SGD take Chainer's defaults; RMSprop takes the model's settings where it
has its own (the GRU: Keras's rho 0.9 and epsilon 1e-7 inside the square root).
"""
import chainer

from aezoo.errors import UsageError


def build_optimizer(cfg, model):
    lr = cfg.lr
    if cfg.optimizer == "adam":
        optimizer = chainer.optimizers.Adam(alpha=lr or 1e-3)
    elif cfg.optimizer == "rmsprop":
        optimizer = chainer.optimizers.RMSprop(lr=lr or 1e-3, **model.rmsprop)
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
