"""The optimizer a Config names, set up on a model.

Adam and SGD take Chainer's defaults; RMSprop takes the model's settings where it
has its own (the GRU: Keras's rho 0.9 and epsilon 1e-7 inside the square root).
On the CPU, Adam's and RMSprop's updates run as one numba pass over each large parameter
(train/update_kernels.py), and Adam's in place in one scratch array per parameter for the
small ones and without numba (Chainer's allocates a new array for each of its intermediate
results, a quarter of a dense model's step): the same update, to float32 rounding.
"""
import chainer
import numpy as np
from chainer.optimizers.adam import AdamRule
from chainer.optimizers.rmsprop import RMSpropRule

from aezoo.models import fast
from aezoo.train import update_kernels

from aezoo.errors import UsageError


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


class InPlaceAdamRule(AdamRule):
    def update_core_cpu(self, param):
        hp, p, g = self.hyperparam, param.data, param.grad
        if (not fast.ON or g is None or hp.amsgrad or hp.adabound
                or p.dtype != np.float32 or g.dtype != np.float32
                or not isinstance(p, np.ndarray)):
            return super().update_core_cpu(param)
        m, v = self.state["m"], self.state["v"]
        if fast.on("adam") and update_kernels.fits(p, g, m, v):
            update_kernels.adam(p, g, m, v, hp.beta1, hp.beta2, hp.eps, hp.eta * self.alpha_t,
                                hp.eta * hp.weight_decay_rate)
            return
        scratch = getattr(self, "scratch", None)
        if scratch is None or scratch.shape != p.shape:
            scratch = self.scratch = np.empty_like(p)  # not state: never checkpointed
        np.multiply(g, 1.0 - hp.beta1, out=scratch)  # m = beta1 m + (1 - beta1) g
        m *= hp.beta1
        m += scratch
        np.multiply(g, g, out=scratch)  # v = beta2 v + (1 - beta2) g^2
        scratch *= 1.0 - hp.beta2
        v *= hp.beta2
        v += scratch
        np.sqrt(v, out=scratch)  # p -= eta alpha_t m / (sqrt(v) + eps)
        scratch += hp.eps
        np.divide(m, scratch, out=scratch)
        scratch *= hp.eta * self.alpha_t
        if hp.weight_decay_rate:  # decoupled: p -= eta (alpha_t m / (sqrt(v) + eps) + rate p)
            scratch += (hp.eta * hp.weight_decay_rate) * p
        p -= scratch


class Adam(chainer.optimizers.Adam):
    """Chainer's Adam, with InPlaceAdamRule for every parameter (growth's new ones too)."""

    def create_update_rule(self):
        return InPlaceAdamRule(self.hyperparam)


class InPlaceRMSpropRule(RMSpropRule):
    def update_core_cpu(self, param):
        hp, p, g = self.hyperparam, param.data, param.grad
        ms = self.state.get("ms")
        if g is None or ms is None or not fast.on("rmsprop") or not update_kernels.fits(p, g, ms):
            return super().update_core_cpu(param)
        if hp.eps != 0 and np.float32(hp.eps) == 0:  # as Chainer's rule says it
            return super().update_core_cpu(param)
        update_kernels.rmsprop(p, g, ms, hp.alpha, hp.eps, hp.lr, hp.eps_inside_sqrt)


class RMSprop(chainer.optimizers.RMSprop):
    """Chainer's RMSprop, with InPlaceRMSpropRule for every parameter."""

    def create_update_rule(self):
        return InPlaceRMSpropRule(self.hyperparam)
