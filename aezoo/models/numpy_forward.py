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


LAYERS = {"dense": dense, "conv3x3": conv3x3, "maxpool2": maxpool2, "unpool2": unpool2,
          "reshape": reshape, "fade": fade}
ACTIVATIONS = {None: lambda a: a, "relu": lambda a: np.maximum(a, 0),
               "sigmoid": lambda a: 0.5 * (1.0 + np.tanh(0.5 * a))}  # no overflow for large |a|


def run(layers, weights, x):
    for layer in layers:
        own = weights if layer["type"] == "fade" else weights.get(layer.get("name", "").lstrip("/"))
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
        return self.decode(self.encode(x))


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
