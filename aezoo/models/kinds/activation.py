"""The activations, each a layer kind (`relu`, `elu`, ...) and a value of --activation.

gelu is the tanh approximation (Keras's approximate=True): numpy, which export's forward.py
uses alone, has no erf. leaky_relu's slope is Chainer's 0.2, selu's constants Klambauer
et al.'s (as Chainer and Keras).
"""
import chainer.functions as F
import numpy as np

from aezoo.models.kinds.kind import Kind
from aezoo.models.relu_kernel import relu

SELU = (1.0507009873554805, 1.6732632423543772)  # scale, alpha
GELU = 0.7978845608028654  # sqrt(2 / pi)


def gelu(x):
    return 0.5 * x * (1.0 + F.tanh(GELU * (x + 0.044715 * x * x * x)))


def numpy_activations():
    """{name: numpy function}: copied into export's forward.py with its source."""
    def relu(a):
        return np.maximum(a, 0)

    def leaky_relu(a):
        return np.where(a >= 0, a, 0.2 * a)

    def elu(a):
        return np.where(a > 0, a, np.expm1(np.minimum(a, 0))).astype(a.dtype)

    def selu(a):
        return (1.0507009873554805 * np.where(a > 0, a, 1.6732632423543772
                                              * np.expm1(np.minimum(a, 0)))).astype(a.dtype)

    def gelu(a):
        return 0.5 * a * (1.0 + np.tanh(0.7978845608028654 * (a + 0.044715 * a ** 3)))

    def tanh(a):
        return np.tanh(a)

    def sigmoid(a):
        return 0.5 * (1.0 + np.tanh(0.5 * a))  # no overflow for large |a|

    def softplus(a):
        return np.logaddexp(0, a).astype(a.dtype)

    def linear(a):
        return a

    return {"relu": relu, "leaky_relu": leaky_relu, "elu": elu, "selu": selu, "gelu": gelu,
            "tanh": tanh, "sigmoid": sigmoid, "softplus": softplus, "linear": linear}


# name -> (Chainer function, one line of help, whether identity growth initialization keeps
# the function: it needs f(a) = a on the new units, shifted positive, and on the old code,
# which only relu (non-negative) and linear pass whole; docs/layers.md)
ACTIVATIONS = {
    "relu": (relu, "max(a, 0)", True),  # F.relu, or aezoo's kernel (relu_kernel.py)
    "leaky_relu": (lambda a: F.leaky_relu(a, 0.2), "a, or 0.2 a below 0", False),
    "elu": (F.elu, "a, or exp(a) - 1 below 0", False),
    "selu": (F.selu, "1.0507 a, or 1.0507 * 1.6733 (exp(a) - 1) below 0", False),
    "gelu": (gelu, "a Phi(a), the tanh approximation", False),
    "tanh": (F.tanh, "tanh(a)", False),
    "sigmoid": (F.sigmoid, "1 / (1 + exp(-a))", False),
    "softplus": (F.softplus, "log(1 + exp(a))", False),
    "linear": (lambda a: a, "a (no activation)", True),
}


def function(name):
    """The Chainer function of activation `name` (None: linear)."""
    return ACTIVATIONS[name or "linear"][0]


class ActivationKind(Kind):
    """An activation as a layer: its entry is {"type": "activation", "activation": name}."""
    entry_type = "activation"

    def forward(self, link, x, context):
        return function(self.name)(x)

    def entry(self, shape_in, shape_out, link):
        entry = super().entry(shape_in, shape_out, link)
        entry["activation"] = self.name
        return entry


def kind(name):
    """The layer kind of activation `name`: one class each, for the registry."""
    return type(f"Activation_{name}", (ActivationKind,), {"name": name, "help": ACTIVATIONS[name][1]})


IDENTITY_GROWTH = tuple(name for name, (_, _, exact) in ACTIVATIONS.items() if exact)
