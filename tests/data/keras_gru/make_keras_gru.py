"""Make a small, deterministic Keras 3 (torch backend, CPU) reference fixture
for a two-layer GRU sequence autoencoder.

For each of reset_after=True and reset_after=False this script

  * builds  Input((T, D)) -> GRU(H, return_sequences=True) -> GRU(D, return_sequences=True)
    with activation="tanh", recurrent_activation="hard_sigmoid"
    (Keras 3: hard_sigmoid(x) = relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1);
    NOT the Keras 2 form clip(0.2*x + 0.5, 0, 1));
  * sets every weight (kernels, recurrent kernels AND biases) from a seeded
    numpy RNG, uniform in [-0.8, 0.8], float32;
  * saves the weights exactly as `layer.get_weights()` returns them
    (kernel (in, 3u), recurrent_kernel (u, 3u), gate order z, r, h on the
    last axis; bias (3u,) if reset_after=False, (2, 3u) if reset_after=True
    with row 0 = input bias, row 1 = recurrent bias);
  * saves x (7, T, D) and predict = model.predict(x);
  * compiles with RMSprop(learning_rate=0.01) (rho 0.9, eps 1e-7, no
    momentum, not centered, no weight decay, no clipping) and loss "mse",
    runs 3 train_on_batch steps on batches x[2k:2k+2] with target = the
    same batch time-reversed, and saves the returned losses plus the
    weights after the 3 steps (prefix "after_").

Output: keras3_gru_reset_after_true.npz / keras3_gru_reset_after_false.npz
next to this script.  Every numeric array is float32; `meta` is a 0-d
string array holding JSON.

Made once with keras 3.15.1 and torch 2.13.0+cpu in a separate virtual environment
(aezoo's own needs numpy < 2; Keras 3 needs numpy 2), then committed:
    python3.11 -m venv /tmp/keras && /tmp/keras/bin/pip install keras torch
    /tmp/keras/bin/python tests/data/keras_gru/make_keras_gru.py
"""

import json
import os
import sys

# The backend must be chosen before keras is imported.
os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # CPU only

import numpy as np
import torch

import keras

OUT_DIR = os.path.dirname(os.path.abspath(__file__))

# ---- problem sizes -------------------------------------------------------
T, D, H = 6, 5, 4  # time steps, input/output features, hidden units
N = 7  # samples in x
BATCH = 2  # samples per train_on_batch step
N_STEPS = 3  # train_on_batch steps: batch k = x[2k:2k+2]
LR = 0.01
W_RANGE = 0.8  # weights ~ U(-0.8, 0.8)
X_SCALE = 2.0  # x ~ N(0, 2^2), so gate pre-activations often pass +-3

X_SEED = 1234
WEIGHT_SEED = {True: 2024, False: 2025}  # per reset_after configuration

LAYER_NAMES = ("enc", "dec")
WEIGHT_NAMES = ("kernel", "recurrent_kernel", "bias")  # get_weights() order


def make_inputs():
    rng = np.random.default_rng(X_SEED)
    return (rng.standard_normal((N, T, D)) * X_SCALE).astype(np.float32)


def build_model(reset_after):
    """Input -> GRU(H) -> GRU(D), both returning full sequences, float32."""
    common = dict(
        return_sequences=True,
        activation="tanh",
        recurrent_activation="hard_sigmoid",
        reset_after=reset_after,
        use_bias=True,
        dtype="float32",
    )
    inp = keras.Input(shape=(T, D), dtype="float32")
    h = keras.layers.GRU(H, name="enc", **common)(inp)
    out = keras.layers.GRU(D, name="dec", **common)(h)
    return keras.Model(inp, out)


def set_random_weights(model, seed):
    """Overwrite every weight with U(-W_RANGE, W_RANGE) float32 values.

    Weights are drawn layer by layer (enc, dec) in get_weights() order
    (kernel, recurrent_kernel, bias), each with its own shape, so the draw
    is reproducible from the seed alone.
    """
    rng = np.random.default_rng(seed)
    for lname in LAYER_NAMES:
        layer = model.get_layer(lname)
        new = [
            rng.uniform(-W_RANGE, W_RANGE, size=w.shape).astype(np.float32)
            for w in layer.get_weights()
        ]
        layer.set_weights(new)


def collect_weights(model, prefix=""):
    out = {}
    for lname in LAYER_NAMES:
        ws = model.get_layer(lname).get_weights()
        assert len(ws) == len(WEIGHT_NAMES), ws
        for wname, w in zip(WEIGHT_NAMES, ws):
            assert w.dtype == np.float32, (lname, wname, w.dtype)
            out[f"{prefix}{lname}_{wname}"] = np.array(w, dtype=np.float32)
    return out


def make_fixture(reset_after, x):
    keras.utils.set_random_seed(0)  # only initializers use it; all are overwritten
    model = build_model(reset_after)
    set_random_weights(model, WEIGHT_SEED[reset_after])

    arrays = {"x": x}
    arrays.update(collect_weights(model))

    # Sanity check of the layouts we promise.
    u_e, u_d = H, D
    assert arrays["enc_kernel"].shape == (D, 3 * u_e)
    assert arrays["enc_recurrent_kernel"].shape == (u_e, 3 * u_e)
    assert arrays["dec_kernel"].shape == (u_e, 3 * u_d)
    assert arrays["dec_recurrent_kernel"].shape == (u_d, 3 * u_d)
    if reset_after:
        assert arrays["enc_bias"].shape == (2, 3 * u_e)
        assert arrays["dec_bias"].shape == (2, 3 * u_d)
    else:
        assert arrays["enc_bias"].shape == (3 * u_e,)
        assert arrays["dec_bias"].shape == (3 * u_d,)

    predict = model.predict(x, batch_size=N, verbose=0)
    assert predict.dtype == np.float32 and predict.shape == (N, T, D)
    arrays["predict"] = predict

    # ---- training ---------------------------------------------------------
    opt = keras.optimizers.RMSprop(learning_rate=LR)  # rho=0.9, eps=1e-7 defaults
    model.compile(optimizer=opt, loss="mse")
    cfg = opt.get_config()
    assert cfg["momentum"] == 0.0 and cfg["centered"] is False, cfg
    for k in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
        assert cfg.get(k) is None, (k, cfg)
    assert cfg.get("use_ema") is False, cfg

    losses, losses_check = [], []
    for k in range(N_STEPS):
        xb = np.ascontiguousarray(x[k * BATCH:(k + 1) * BATCH])
        yb = np.ascontiguousarray(xb[:, ::-1, :])  # time-reversed target
        # Independent check of what train_on_batch reports: the MSE of the
        # forward pass with the weights as they are BEFORE this step.
        pre = model.predict_on_batch(xb)
        losses_check.append(float(np.mean((pre - yb) ** 2)))
        loss = model.train_on_batch(xb, yb)  # reset_metrics() is called inside
        losses.append(float(loss))
    # The returned loss must equal the pre-update forward loss (no dropout,
    # training=True changes nothing for this model).
    np.testing.assert_allclose(losses, losses_check, rtol=1e-5, atol=1e-6)

    arrays["losses"] = np.array(losses, dtype=np.float32)
    arrays.update(collect_weights(model, prefix="after_"))
    arrays["after_predict"] = model.predict(x, batch_size=N, verbose=0)

    meta = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "floatx": keras.config.floatx(),
        "T": T, "D": D, "H": H, "N": N,
        "reset_after": reset_after,
        "activation": "tanh",
        "recurrent_activation": "hard_sigmoid (Keras 3: relu6(x+3)/6 = clip(x/6+0.5, 0, 1))",
        "gate_order": "z, r, h along the last axis of kernel/recurrent_kernel/bias",
        "bias_layout": ("(2, 3u): row 0 input bias, row 1 recurrent bias"
                        if reset_after else "(3u,): single input-side bias"),
        "initial_state": "zeros",
        "x": f"float32 N(0, {X_SCALE}^2), seed {X_SEED}",
        "weights": f"float32 U(-{W_RANGE}, {W_RANGE}) incl. biases, numpy default_rng seed {WEIGHT_SEED[reset_after]}, drawn enc then dec, kernel, recurrent_kernel, bias",
        "learning_rate": LR,
        "rho": cfg["rho"],
        "epsilon": cfg["epsilon"],
        "optimizer_config": {k: v for k, v in cfg.items()},
        "rmsprop_update": "v = rho*v + (1-rho)*g^2;  w -= lr*g/sqrt(v + eps)  (eps INSIDE sqrt; v starts at 0; keras/src/optimizers/rmsprop.py: denominator = ops.add(velocity, self.epsilon); increment = lr*g / ops.sqrt(denominator))",
        "loss": "mse = mean over all elements of (y_pred - y)^2 (Keras 'mse' averages the last axis, then sum_over_batch_size)",
        "train_batches": "step k (k=0,1,2): xb = x[2k:2k+2], target = xb[:, ::-1, :]",
        "losses": "losses[k] = value returned by train_on_batch at step k = MSE of the forward pass with the weights BEFORE step k's update (loss computed, then gradients applied; metrics reset per call). Verified against predict_on_batch before each step.",
        "after_": "weights (get_weights layout) after the 3 RMSprop steps; after_predict = model.predict(x) with them",
    }
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))

    fname = os.path.join(
        OUT_DIR, f"keras3_gru_reset_after_{str(reset_after).lower()}.npz")
    np.savez_compressed(fname, **arrays)
    print(f"wrote {fname} ({os.path.getsize(fname)} bytes); losses={losses}")
    return fname


def main():
    assert keras.backend.backend() == "torch", keras.backend.backend()
    keras.config.set_floatx("float32")
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    x = make_inputs()
    for reset_after in (True, False):
        make_fixture(reset_after, x)


if __name__ == "__main__":
    main()
