"""An exported aezoo model, run with numpy alone (this file is copied as forward.py).

    import forward
    model = forward.load("weights.npz")
    codes = model.encode(x)             # x: float32 (N, *input_shape), as aezoo trained on
    images = model.decode(codes)
    model.reconstruct(x)                # == decode(encode(x))

weights.npz holds plain arrays ("<layer name>/W", "/b") and a JSON header: aezoo's
version, the input shape and the model's layers as aezoo describes them
(aezoo/models/layers.py). The forward pass is one numpy function per layer
type, composed from that list: nothing here knows a particular model.
Needs only numpy; aezoo's export tests compare it with the Chainer model.
"""
import json

import numpy as np


def dense(x, layer, w):
    return x @ w["W"].T + w["b"]


def conv3x3(x, layer, w):
    """3x3 convolution with `pad` pixels of zero padding (1, "same", unless the layer says 0,
    "valid"): (N, C, H, W) -> (N, C_out, H + 2 pad - 2, W + 2 pad - 2)."""
    pad = layer.get("pad", 1)
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, h, width = len(x), padded.shape[2] - 2, padded.shape[3] - 2
    out = np.zeros((n, w["W"].shape[0], h, width), x.dtype)
    for dy in range(3):
        for dx in range(3):  # each kernel tap is a 1x1 convolution of the shifted image
            window = padded[:, :, dy:dy + h, dx:dx + width]
            out += np.einsum("oc,nchw->nohw", w["W"][:, :, dy, dx], window, optimize=True)
    return out + w["b"][None, :, None, None]


def maxpool2(x, layer, w):
    """2x2 max-pooling, stride 2, a last partial window kept (odd sides round up)."""
    n, c, h, width = x.shape
    padded = np.full((n, c, h + h % 2, width + width % 2), -np.inf, x.dtype)
    padded[:, :, :h, :width] = x
    return padded.reshape(n, c, padded.shape[2] // 2, 2, padded.shape[3] // 2, 2).max(axis=(3, 5))


def unpool2(x, layer, w):
    """Each value repeated over a 2x2 block, cut to the layer's output size."""
    _, h, width = layer["out"]
    return x.repeat(2, axis=2).repeat(2, axis=3)[:, :, :h, :width]


def reshape(x, layer, w):
    return x.reshape((len(x),) + tuple(layer["out"]))


def fade(x, layer, weights):
    """(1 - alpha) * x + alpha * path(x): a new pair of layers fading in."""
    return (1.0 - layer["alpha"]) * x + layer["alpha"] * run(layer["path"], weights, x)



def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # no overflow for large |a|


def gru_step(x, layer, w, h):
    """Keras's GRU, one step: the next state from the input x (N, in) and the state h (N, u)."""
    u, kernel, recurrent, bias = layer["units"], w["kernel"], w["recurrent_kernel"], w["bias"]
    slope = 0.2 if layer["keras_version"] == 2 else 1.0 / 6.0
    gate = _sigmoid if layer["recurrent_activation"] == "sigmoid" else (
        lambda a: np.clip(slope * a + 0.5, 0.0, 1.0))
    xw = x @ kernel + (bias[0] if layer["reset_after"] else bias)
    if layer["reset_after"]:
        hw = h @ recurrent + bias[1]
        z, r = gate(xw[:, :u] + hw[:, :u]), gate(xw[:, u:2 * u] + hw[:, u:2 * u])
        candidate = np.tanh(xw[:, 2 * u:] + r * hw[:, 2 * u:])
    else:
        hw = h @ recurrent[:, :2 * u]
        z, r = gate(xw[:, :u] + hw[:, :u]), gate(xw[:, u:2 * u] + hw[:, u:])
        candidate = np.tanh(xw[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
    return z * h + (1.0 - z) * candidate


def gru(x, layer, w):
    """Every step's state (N, T, u); NaN where the input step is padding (NaN), the state
    carried over it."""
    real = ~np.isnan(x[:, :, 0])
    x, h, states = np.nan_to_num(x), np.zeros((len(x), layer["units"]), x.dtype), []
    for t in range(x.shape[1]):
        h = np.where(real[:, t:t + 1], gru_step(x[:, t], layer, w, h), h)
        states.append(np.where(real[:, t:t + 1], h, np.nan))
    return np.stack(states, axis=1)


def last(x, layer, w):
    """The state of each sequence's last real step."""
    lengths = (~np.isnan(x[:, :, 0])).sum(axis=1)
    return x[np.arange(len(x)), np.maximum(lengths, 1) - 1]


def unroll(h, layer, weights):
    """The decoder: from state h, `steps` frames, each fed back as the next step's input."""
    step, readout = layer["path"]
    frame, frames = np.zeros((len(h), readout["out"][0]), h.dtype), []
    for _ in range(layer["steps"]):
        h = gru_step(frame, step, weights[step["name"].lstrip("/")], h)
        frame = dense(h, readout, weights[readout["name"].lstrip("/")])
        frames.append(frame)
    return np.stack(frames, axis=1)


LAYERS = {"dense": dense, "conv3x3": conv3x3, "maxpool2": maxpool2, "unpool2": unpool2,
          "reshape": reshape, "fade": fade, "gru": gru, "last": last, "unroll": unroll,
          "gru_step": gru_step}  # gru_step runs inside unroll, with a state
ACTIVATIONS = {None: lambda a: a, "relu": lambda a: np.maximum(a, 0), "sigmoid": _sigmoid,
               "tanh": np.tanh}
WHOLE = ("fade", "unroll")  # layers that read their path's weights by name


def run(layers, weights, x):
    for layer in layers:
        own = weights if layer["type"] in WHOLE else weights.get(layer.get("name", "").lstrip("/"))
        x = ACTIVATIONS[layer["activation"]](LAYERS[layer["type"]](x, layer, own))
    return x


class Model:
    def __init__(self, header, weights):
        self.header, self.weights = header, weights
        self.layers = header["layers"]
        code = next(i for i, layer in enumerate(self.layers) if layer.get("code"))
        self.encoder, self.decoder = self.layers[:code + 1], self.layers[code + 1:]
        self.input_shape = tuple(header["input_shape"])

    def encode(self, x):
        return run(self.encoder, self.weights, np.asarray(x, np.float32))

    def decode(self, code):
        return run(self.decoder, self.weights, np.asarray(code, np.float32))

    def reconstruct(self, x):
        """decode(encode(x)), NaN on x's padded steps (NaN), as aezoo.load(RUN).reconstruct."""
        x = np.asarray(x, np.float32)
        y = self.decode(self.encode(x))
        if x.ndim == 3 and y.ndim == 3 and y.shape[1] == x.shape[1]:
            y[np.isnan(x[:, :, 0])] = np.nan
        return y


def load(path):
    """The model in weights.npz at `path` (plain arrays: no pickle is ever loaded)."""
    weights = {}
    with np.load(path, allow_pickle=False) as npz:
        header = json.loads(str(npz["header"]))
        for key in npz.files:
            if key != "header":
                name, _, param = key.rpartition("/")
                weights.setdefault(name, {})[param] = npz[key]
    return Model(header, weights)
