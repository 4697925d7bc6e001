"""Make small, deterministic Keras 3 (torch backend, CPU) reference fixtures for the
recurrent autoencoders of every cell (LSTM, SimpleRNN, GRU) in both of aezoo's Keras modes:

  keras    Input((T, D)) -> CELL(H, return_sequences=True) -> CELL(D, return_sequences=True),
           trained against the time-reversed input (the widely copied snippet)
  repeat   Input((T, D)) -> CELL(H) -> RepeatVector(T) -> CELL(D, return_sequences=True),
           trained against the input itself (the Keras blog's sequence autoencoder)

activation tanh; recurrent_activation Keras 3's default for the LSTM (sigmoid) and the
snippet's hard_sigmoid for the GRU (reset_after=True, Keras 3's default); one more LSTM with
hard_sigmoid (Keras 3: relu6(x + 3) / 6). Every weight, biases included, is drawn
U(-0.8, 0.8) from a seeded numpy RNG and x ~ N(0, 2^2), so gates often saturate.

Each file keras3_<cell>_<mode>.npz holds x (7, T, D); the weights as layer.get_weights()
returns them (enc_kernel, enc_recurrent_kernel, enc_bias, dec_...); predict =
model.predict(x); then RMSprop(learning_rate=0.01) with loss "mse" runs 3 train_on_batch
steps on x[2k:2k+2]: losses and the weights after them (prefix "after_"). `meta` is JSON.

Made once with keras 3.15 and torch 2.13.0+cpu in a separate virtual environment (aezoo's
own needs numpy < 2; Keras 3 needs numpy 2), then committed:
    python3.11 -m venv /tmp/keras && /tmp/keras/bin/pip install keras torch==2.13.0
    /tmp/keras/bin/python tests/data/keras_cells/make_keras_cells.py
"""
import json
import os
import sys

os.environ["KERAS_BACKEND"] = "torch"  # chosen before keras is imported
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np
import torch

import keras

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
T, D, H, N, BATCH, N_STEPS, LR = 6, 5, 4, 7, 2, 3, 0.01
W_RANGE, X_SCALE, X_SEED = 0.8, 2.0, 1234
LAYERS, WEIGHTS = ("enc", "dec"), ("kernel", "recurrent_kernel", "bias")

# name -> (Keras layer, its keyword arguments, seed of the weights)
CELLS = {
    "lstm": (keras.layers.LSTM, {}, 31),
    "lstm_hard_sigmoid": (keras.layers.LSTM, {"recurrent_activation": "hard_sigmoid"}, 32),
    "simplernn": (keras.layers.SimpleRNN, {}, 33),
    "gru": (keras.layers.GRU, {"recurrent_activation": "hard_sigmoid", "reset_after": True}, 34),
}


def build(cell, mode):
    layer, kwargs, _ = CELLS[cell]
    inp = keras.Input(shape=(T, D), dtype="float32")
    if mode == "keras":
        h = layer(H, return_sequences=True, name="enc", **kwargs)(inp)
    else:
        h = keras.layers.RepeatVector(T)(layer(H, name="enc", **kwargs)(inp))
    out = layer(D, return_sequences=True, name="dec", **kwargs)(h)
    return keras.Model(inp, out)


def weights(model, prefix=""):
    out = {}
    for name in LAYERS:
        for key, w in zip(WEIGHTS, model.get_layer(name).get_weights(), strict=True):
            out[f"{prefix}{name}_{key}"] = np.array(w, np.float32)
    return out


def make(cell, mode, x):
    keras.utils.set_random_seed(0)
    model = build(cell, mode)
    rng = np.random.default_rng(CELLS[cell][2] + (100 if mode == "repeat" else 0))
    for name in LAYERS:
        layer = model.get_layer(name)
        layer.set_weights([rng.uniform(-W_RANGE, W_RANGE, w.shape).astype(np.float32)
                           for w in layer.get_weights()])
    arrays = {"x": x, **weights(model), "predict": model.predict(x, batch_size=N, verbose=0)}
    opt = keras.optimizers.RMSprop(learning_rate=LR)  # rho 0.9, epsilon 1e-7 inside the root
    model.compile(optimizer=opt, loss="mse")
    losses, checks = [], []
    for k in range(N_STEPS):
        xb = np.ascontiguousarray(x[k * BATCH:(k + 1) * BATCH])
        yb = np.ascontiguousarray(xb[:, ::-1] if mode == "keras" else xb)
        checks.append(float(np.mean((model.predict_on_batch(xb) - yb) ** 2)))
        losses.append(float(model.train_on_batch(xb, yb)))
    np.testing.assert_allclose(losses, checks, rtol=1e-5, atol=1e-6)
    arrays["losses"] = np.array(losses, np.float32)
    arrays.update(weights(model, "after_"))
    meta = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
            "torch_version": torch.__version__, "numpy_version": np.__version__,
            "python_version": sys.version.split()[0], "cell": cell, "mode": mode,
            "layer_kwargs": CELLS[cell][1], "T": T, "D": D, "H": H, "N": N,
            "target": "x reversed in time" if mode == "keras" else "x",
            "train": "3 x train_on_batch(x[2k:2k+2], target), RMSprop lr 0.01, mse",
            "optimizer_config": opt.get_config()}
    arrays = {k: np.asarray(v, np.float32) for k, v in arrays.items()}
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True, default=str))
    path = os.path.join(OUT_DIR, f"keras3_{cell}_{mode}.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {path} ({os.path.getsize(path)} bytes); losses={losses}")


def main():
    assert keras.backend.backend() == "torch"
    keras.config.set_floatx("float32")
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    x = (np.random.default_rng(X_SEED).standard_normal((N, T, D)) * X_SCALE).astype(np.float32)
    for cell in CELLS:
        for mode in ("keras", "repeat"):
            if cell != "lstm_hard_sigmoid" or mode == "keras":
                make(cell, mode, x)


if __name__ == "__main__":
    main()
