"""An exported aezoo model, run with numpy alone (this file, followed by the layer kinds'
numpy forwards from aezoo/models/kinds, is export's forward.py).

    import forward
    model = forward.load("weights.npz")
    codes = model.encode(x)             # x: float32 (N, *input_shape), as aezoo trained on:
                                        # images (N, H, W), colour ones (N, H, W, C)
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
    return x.reshape(len(x), -1) @ w["W"].T + w["b"]  # a map (N, C, H, W) flattened first


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


def transpose(x, layer, w):
    """The sample's axes reordered (colour images: (N, H, W, C) <-> (N, C, H, W))."""
    return x.transpose([0] + [a + 1 for a in layer["axes"]])


def fade(x, layer, weights):
    """(1 - alpha) * x + alpha * path(x): a new pair of layers fading in."""
    return (1.0 - layer["alpha"]) * x + layer["alpha"] * run(layer["path"], weights, x)



def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # no overflow for large |a|


def _gate(layer):
    """The layer's recurrent_activation: sigmoid, or Keras 2's or 3's hard_sigmoid."""
    if layer["recurrent_activation"] == "sigmoid":
        return _sigmoid
    slope = 0.2 if layer["keras_version"] == 2 else 1.0 / 6.0
    return lambda a: np.clip(slope * a + 0.5, 0.0, 1.0)


def gru_step(x, layer, w, state):
    """Keras's GRU, one step: the next state (h,) from the input x (N, in) and the state."""
    h, u, gate = state[0], layer["units"], _gate(layer)
    kernel, recurrent, bias = w["kernel"], w["recurrent_kernel"], w["bias"]
    xw = x @ kernel + (bias[0] if layer["reset_after"] else bias)
    if layer["reset_after"]:
        hw = h @ recurrent + bias[1]
        z, r = gate(xw[:, :u] + hw[:, :u]), gate(xw[:, u:2 * u] + hw[:, u:2 * u])
        candidate = np.tanh(xw[:, 2 * u:] + r * hw[:, 2 * u:])
    else:
        hw = h @ recurrent[:, :2 * u]
        z, r = gate(xw[:, :u] + hw[:, :u]), gate(xw[:, u:2 * u] + hw[:, u:])
        candidate = np.tanh(xw[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
    return (z * h + (1.0 - z) * candidate,)


def lstm_step(x, layer, w, state):
    """Keras's LSTM, one step: (h, c) from the input x and the state (h, c); gates i, f, c, o."""
    (h, c), u, gate = state, layer["units"], _gate(layer)
    a = x @ w["kernel"] + h @ w["recurrent_kernel"] + w["bias"]
    c = gate(a[:, u:2 * u]) * c + gate(a[:, :u]) * np.tanh(a[:, 2 * u:3 * u])
    return gate(a[:, 3 * u:]) * np.tanh(c), c


def simplernn_step(x, layer, w, state):
    """Keras's SimpleRNN, one step: (tanh(x W + h U + b),)."""
    return (np.tanh(x @ w["kernel"] + state[0] @ w["recurrent_kernel"] + w["bias"]),)


STEPS = {"gru": gru_step, "lstm": lstm_step, "simplernn": simplernn_step}
STATE = {"gru": 1, "lstm": 2, "simplernn": 1}  # arrays in a cell's state, h first


def start(kind, h):
    """A cell's first state with h as its output part (an LSTM's c starts at zero)."""
    return (h,) + (np.zeros_like(h),) * (STATE[kind] - 1)


def recurrent(x, layer, w):
    """Every step's output (N, T, u) of a recurrent layer; NaN where the input step is
    padding (NaN), the state carried over it."""
    kind = layer["type"]
    real = ~np.isnan(x[:, :, 0])
    x, outputs = np.nan_to_num(x), []
    state = start(kind, np.zeros((len(x), layer["units"]), x.dtype))
    for t in range(x.shape[1]):
        new = STEPS[kind](x[:, t], layer, w, state)
        state = tuple(np.where(real[:, t:t + 1], a, b) for a, b in zip(new, state))
        outputs.append(np.where(real[:, t:t + 1], state[0], np.nan))
    return np.stack(outputs, axis=1)


def last(x, layer, w):
    """The state of each sequence's last real step."""
    lengths = (~np.isnan(x[:, :, 0])).sum(axis=1)
    return x[np.arange(len(x)), np.maximum(lengths, 1) - 1]


def repeat(x, layer, w):
    """(N, u) -> (N, T, u): Keras's RepeatVector."""
    return np.repeat(x[:, None], layer["steps"], axis=1)


READOUTS = {"replace": lambda frame, code: frame, "add": lambda frame, code: frame + code,
            "mul": lambda frame, code: frame * code,
            "avg": lambda frame, code: (frame + code) * 0.5}


def unroll(code, layer, weights):
    """The seq2seq decoder: from the code, `steps` frames. Its path holds the layers by role:
    "start" (the cells' first h, stacked), "cell" (one a decoder layer), "output" (a frame)
    and, for a readout other than replace, "readout" (the code's D values combined with the
    previous frame into each step's input)."""
    role = {}
    for entry in layer["path"]:
        role.setdefault(entry["role"], []).append(entry)
    own = lambda entry: weights[entry["name"].lstrip("/")]  # noqa: E731
    first = np.tanh(dense(code, role["start"][0], own(role["start"][0])))
    cells = role["cell"]
    bounds = np.cumsum([c["units"] for c in cells])[:-1]
    states = [start(c["type"][:-len("_step")], h)
              for c, h in zip(cells, np.split(first, bounds, axis=1))]
    output = role["output"][0]
    context = dense(code, role["readout"][0], own(role["readout"][0])) if "readout" in role \
        else None
    frame, frames = np.zeros((len(code), output["out"][0]), code.dtype), []
    for _ in range(layer["steps"]):
        h = READOUTS[layer["readout"]](frame, context)
        for i, c in enumerate(cells):
            states[i] = STEPS[c["type"][:-len("_step")]](h, c, own(c), states[i])
            h = states[i][0]
        frame = dense(h, output, own(output))
        frames.append(frame)
    return np.stack(frames, axis=1)


LAYERS = {"dense": dense, "conv3x3": conv3x3, "maxpool2": maxpool2, "unpool2": unpool2,
          "reshape": reshape, "transpose": transpose, "fade": fade, "last": last, "repeat": repeat,
          "unroll": unroll,
          **{kind: recurrent for kind in STEPS}}
INNER = tuple(f"{kind}_step" for kind in STEPS)  # run inside unroll, with a state
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
        self.code_shape = tuple(self.layers[code]["out"])
        # a sequence model takes any number of steps (T) per sample
        self.sequence = any(layer["type"] in STEPS or layer["type"] in ("unroll", "repeat")
                            for layer in self.layers)

    def _batch(self, x, shape, what):
        """(x as a batch, whether it was one sample): one sample is taken as aezoo.load takes
        it; any other shape is one ValueError naming the shapes expected."""
        x = np.asarray(x, np.float32)

        def fits(s):
            return len(s) == len(shape) and (s[1:] == shape[1:] if self.sequence else s == shape)
        if fits(x.shape):
            return x[None], True
        if x.ndim == len(shape) + 1 and len(x) and fits(x.shape[1:]):
            return x, False
        dims = ["T" if self.sequence and i == 0 else str(n) for i, n in enumerate(shape)]
        one = f"({', '.join(dims)}{',' if len(dims) == 1 else ''})"
        raise ValueError(f"{what} of shape {x.shape}: expected one sample of shape {one} or a "
                         f"batch (N, {', '.join(dims)}) with N > 0")

    def encode(self, x):
        x, one = self._batch(x, self.input_shape, "input")
        code = run(self.encoder, self.weights, x)
        return code[0] if one else code

    def decode(self, code):
        if self.sequence:  # a sequence's code may be a state a step: its shape varies
            return run(self.decoder, self.weights, np.asarray(code, np.float32))
        code, one = self._batch(code, self.code_shape, "code")
        y = run(self.decoder, self.weights, code)
        return y[0] if one else y

    def reconstruct(self, x):
        """decode(encode(x)), NaN on x's padded steps (NaN), as aezoo.load(RUN).reconstruct."""
        x, one = self._batch(x, self.input_shape, "input")
        # as aezoo's model: a RepeatVector repeats the code to the input's number of steps
        decoder = [dict(layer, steps=x.shape[1]) if layer["type"] == "repeat" else layer
                   for layer in self.decoder]
        y = run(decoder, self.weights, run(self.encoder, self.weights, x))
        if x.ndim == 3 and y.ndim == 3 and y.shape[1] == x.shape[1]:
            y[np.isnan(x[:, :, 0])] = np.nan
        return y[0] if one else y


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
