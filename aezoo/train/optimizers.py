"""The optimizer a Config names, set up on a model.

Adam and SGD take Chainer's defaults; RMSprop takes the model's settings where it
has its own (the GRU: Keras's rho 0.9 and epsilon 1e-7 inside the square root).
On the CPU, Adam's and RMSprop's updates are one parallel pass over each float32
parameter (train/update_kernel.py, numba; Chainer's allocates a new array for each
of its intermediate results, a quarter of a dense model's step): the same update,
to float32 rounding. Elsewhere (CuPy, other dtypes, AMSGrad, weight decay)
Chainer's own rule runs.
"""
import chainer
import numpy as np
from chainer.optimizers.adam import AdamRule
from chainer.optimizers.rmsprop import RMSpropRule

from aezoo.errors import UsageError
from aezoo.models import fast
from aezoo.train import update_kernel


def build_optimizer(cfg, model):
    lr = cfg.lr
    if cfg.optimizer == "adam":  # --weight-decay: AdamW's decoupled decay (Loshchilov & Hutter)
        optimizer = Adam(alpha=lr or 1e-3, weight_decay_rate=cfg.weight_decay)
    elif cfg.optimizer == "rmsprop":
        optimizer = RMSprop(lr=lr or 1e-3, **model.rmsprop)
    elif cfg.optimizer == "sgd":
        optimizer = chainer.optimizers.SGD(lr=lr or 0.01)
    else:
        if lr not in (None, 1.0):
            raise UsageError(f"--lr {lr}: adadelta has no learning rate (leave --lr unset)")
        optimizer = chainer.optimizers.AdaDelta()
    optimizer.setup(model)
    if cfg.weight_decay and cfg.optimizer != "adam":  # an L2 term's gradient, rate * w
        optimizer.add_hook(chainer.optimizer_hooks.WeightDecay(cfg.weight_decay))
    return optimizer


def step_size_name(hp):
    """The name of the learning rate in hyperparameters `hp`: "lr" where there is one (SGD,
    RMSprop, whose `alpha` is its decay rate), else Adam's "alpha"; None for AdaDelta.
    The one rule that --lr-schedule, --grow-warmup and the logged lr all follow."""
    for name in ("lr", "alpha"):
        if hasattr(hp, name):
            return name
    return None


def learning_rate(optimizer):
    """The optimizer's step size under whatever name it uses (AdaDelta: none, 1.0)."""
    name = step_size_name(optimizer.hyperparam)
    return float(getattr(optimizer.hyperparam, name)) if name else 1.0


def fused(param):
    """Whether the numba kernels (update_kernel.py) take this parameter's update."""
    p, g = param.data, param.grad
    return (fast.ON and g is not None and isinstance(p, np.ndarray) and p.dtype == np.float32
            and g.dtype == np.float32 and p.flags.c_contiguous and g.flags.c_contiguous)


class InPlaceAdamRule(AdamRule):
    def update_core_cpu(self, param):
        hp = self.hyperparam
        if not fused(param) or hp.amsgrad or hp.adabound or hp.weight_decay_rate:
            return super().update_core_cpu(param)
        f32 = np.float32
        update_kernel.adam(param.data.reshape(-1), param.grad.reshape(-1),
                           self.state["m"].reshape(-1), self.state["v"].reshape(-1),
                           f32(1.0 - hp.beta1), f32(1.0 - hp.beta2), f32(hp.eps),
                           f32(hp.eta * self.alpha_t))


class FusedRMSpropRule(RMSpropRule):
    def update_core_cpu(self, param):
        hp = self.hyperparam
        if not fused(param) or np.float32(hp.eps) == 0:  # Chainer's own says what is wrong
            return super().update_core_cpu(param)
        f32 = np.float32
        update_kernel.rmsprop(param.data.reshape(-1), param.grad.reshape(-1),
                              self.state["ms"].reshape(-1), f32(hp.alpha), f32(1 - hp.alpha),
                              f32(hp.lr), f32(hp.eps), bool(hp.eps_inside_sqrt))


class RMSprop(chainer.optimizers.RMSprop):
    """Chainer's RMSprop, with FusedRMSpropRule for every parameter."""

    def create_update_rule(self):
        return FusedRMSpropRule(self.hyperparam)


class Adam(chainer.optimizers.Adam):
    """Chainer's Adam, with InPlaceAdamRule for every parameter (growth's new ones too)."""

    def create_update_rule(self):
        return InPlaceAdamRule(self.hyperparam)
