"""PyTorch twins of aezoo models, for aezoo.bench: the same layers, weights and loss.

A twin is what a PyTorch user writes: nn.Sequential of nn.Linear / nn.Conv2d / nn.GRU,
nn.BCEWithLogitsLoss (or nn.MSELoss), torch.optim.Adam with its defaults, and a step of
zero_grad(set_to_none=True), backward, step (commands/bench.py), nothing more.

A twin is built from the model's uniform `layers()` description, so it has the
same shapes by construction; it starts from the aezoo model's own weights, so the
first losses agree (the benchmark checks this before it times anything). Layer
types the twin does not know make the workload skipped, never a different model.
"""
import numpy as np
import torch
from torch import nn

ACTIVATIONS = {None: nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh,
               "sigmoid": nn.Identity}  # the last sigmoid lives in the loss, as in aezoo's head


class Reshape(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape((len(x),) + self.shape)


class Unpool(nn.Upsample):
    """nn.Upsample(scale_factor=2), nearest, cut to the layer's output size (aezoo's unpool2)."""

    def __init__(self, out):
        super().__init__(scale_factor=2, mode="nearest")
        self.out = tuple(out[1:])

    def forward(self, x):
        return super().forward(x)[:, :, :self.out[0], :self.out[1]]


class GRU(nn.Module):
    """torch.nn.GRU, every step's state: Keras 3's GRU with sigmoid gates (reset_after)."""

    def __init__(self, n_in, units):
        super().__init__()
        self.gru = nn.GRU(n_in, units, batch_first=True)

    def forward(self, x):
        return self.gru(x)[0]


class LSTM(nn.Module):
    """torch.nn.LSTM, every step's output: Keras's LSTM with sigmoid gates (the same i, f, c
    (torch: g), o order)."""

    def __init__(self, n_in, units):
        super().__init__()
        self.lstm = nn.LSTM(n_in, units, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[0]


def module(layer, params):
    """The torch module of one aezoo layer, with `params` ({name: array}) copied in."""
    kind = layer["type"]
    if kind == "reshape":
        return Reshape(layer["out"])
    if kind == "dense":
        made = nn.Linear(layer["in"][0], layer["out"][0])
        made.weight.data[:] = torch.from_numpy(params["W"])
        made.bias.data[:] = torch.from_numpy(params["b"])
    elif kind == "conv3x3":
        made = nn.Conv2d(layer["in"][0], layer["out"][0], 3, padding=layer.get("pad", 1))
        made.weight.data[:] = torch.from_numpy(params["W"])
        made.bias.data[:] = torch.from_numpy(params["b"])
    elif kind == "maxpool2":
        made = nn.MaxPool2d(2, ceil_mode=True)
    elif kind == "unpool2":
        made = Unpool(layer["out"])
    elif kind == "gru" and layer["reset_after"] and layer["recurrent_activation"] == "sigmoid":
        made = GRU(layer["in"][1], layer["units"])
        u = layer["units"]
        # Keras's (in, 3u) with gates z, r, h; torch's (3u, in) with gates r, z, n
        order = np.r_[u:2 * u, 0:u, 2 * u:3 * u]
        made.gru.weight_ih_l0.data[:] = torch.from_numpy(params["kernel"][:, order].T.copy())
        made.gru.weight_hh_l0.data[:] = torch.from_numpy(
            params["recurrent_kernel"][:, order].T.copy())
        made.gru.bias_ih_l0.data[:] = torch.from_numpy(params["bias"][0, order].copy())
        made.gru.bias_hh_l0.data[:] = torch.from_numpy(params["bias"][1, order].copy())
    elif kind == "lstm" and layer["recurrent_activation"] == "sigmoid":
        made = LSTM(layer["in"][1], layer["units"])
        # Keras's (in, 4u) and one bias; torch's (4u, in) and two biases, added
        made.lstm.weight_ih_l0.data[:] = torch.from_numpy(params["kernel"].T.copy())
        made.lstm.weight_hh_l0.data[:] = torch.from_numpy(params["recurrent_kernel"].T.copy())
        made.lstm.bias_ih_l0.data[:] = torch.from_numpy(params["bias"].copy())
        made.lstm.bias_hh_l0.data[:] = 0.0
    else:
        raise KeyError(kind)
    return nn.Sequential(made, ACTIVATIONS[layer["activation"]]())


def twin(model):
    """(torch module, loss function) equal to the aezoo `model` (KeyError: no twin)."""
    links = dict(model.namedlinks(skipself=True))
    layers = []
    for layer in model.layers():
        own = links[layer["name"]] if "name" in layer else None
        params = {name.lstrip("/"): p.array for name, p in own.namedparams()} if own else {}
        layers.append(module(layer, params))
    net = nn.Sequential(*layers)
    if model.head.needs_unit_range:  # sigmoid + BCE, per pixel: the logits and the module a
        criterion = nn.BCEWithLogitsLoss()  # PyTorch user reaches for
        return net, criterion
    reverse = getattr(model, "reverse_target", False)
    criterion = nn.MSELoss()
    return net, lambda out, x: criterion(out, x.flip(1) if reverse else x)


def optimizer(name, params, lr):
    """torch's optimizer as a PyTorch user makes it: Adam with its defaults (betas 0.9, 0.999,
    eps 1e-8, Chainer's too; the foreach implementation torch picks on its own); RMSprop with
    Keras's settings, which the aezoo model trains with."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    # torch's eps is outside the root, Keras's inside: equal to 1e-7 within float32 for
    # gradients far above 3e-4; the benchmark times steps, it does not compare weights.
    return torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7)
