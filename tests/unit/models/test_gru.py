"""The GRU sequence autoencoder: Keras's equations and optimizer exactly, real Keras's
numbers, seq2seq with teacher forcing, variable lengths, resume."""
import json
import os

import chainer
import numpy as np
import pytest

import aezoo
from aezoo.models.gru import GRUAE
from aezoo.run import main
from aezoo.train.build import default_config, resolve
from aezoo.train.optimizers import build_optimizer
from conftest import TEST_DATA

FIXTURES = os.path.join(TEST_DATA, "keras_gru")


# ---- an independent numpy implementation of Keras's GRU (its documented equations) ----

def hard_sigmoid(a, version):
    return np.clip(0.2 * a + 0.5, 0, 1) if version == 2 else np.minimum(np.maximum(a + 3, 0), 6) / 6


def keras_gru(x, kernel, recurrent, bias, gate):
    """Keras's GRU over x (N, T, in), returning every step's state."""
    units = recurrent.shape[0]
    reset_after = bias.ndim == 2
    b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, np.zeros_like(bias))
    h, out = np.zeros((len(x), units)), []
    for t in range(x.shape[1]):
        xw = x[:, t] @ kernel + b_in
        z = gate(xw[:, :units] + h @ recurrent[:, :units] + b_rec[:units])
        r = gate(xw[:, units:2 * units] + h @ recurrent[:, units:2 * units]
                 + b_rec[units:2 * units])
        if reset_after:
            candidate = np.tanh(xw[:, 2 * units:] + r * (h @ recurrent[:, 2 * units:]
                                                          + b_rec[2 * units:]))
        else:
            candidate = np.tanh(xw[:, 2 * units:] + (r * h) @ recurrent[:, 2 * units:])
        h = z * h + (1 - z) * candidate
        out.append(h)
    return np.stack(out, axis=1)


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("gate, version", [("hard_sigmoid", 2), ("hard_sigmoid", 3),
                                           ("sigmoid", 2)])
def test_keras_mode_equals_the_keras_equations_in_numpy(reset_after, gate, version):
    rng = np.random.RandomState(7)
    model = GRUAE((6, 5), hidden=[4], keras_version=version, reset_after=reset_after,
                  recurrent_activation=gate)
    for param in model.params():  # nonzero biases, weights large enough to saturate gates
        param.array[...] = rng.uniform(-1.5, 1.5, param.shape)
    x = (rng.randn(3, 6, 5) * 3).astype(np.float32)
    numpy_gate = (lambda a: 1 / (1 + np.exp(-a))) if gate == "sigmoid" else (
        lambda a: hard_sigmoid(a, version))
    enc, dec = model.encoders[0], model.decoders[0]
    hidden = keras_gru(x.astype(np.float64), *(p.array.astype(np.float64) for p in
                       (enc.kernel, enc.recurrent_kernel, enc.bias)), numpy_gate)
    expected = keras_gru(hidden, *(p.array.astype(np.float64) for p in
                         (dec.kernel, dec.recurrent_kernel, dec.bias)), numpy_gate)
    saturated = np.abs(x[:, :, :] @ enc.kernel.array[:, :4] + 0.0) > 3
    assert saturated.any() and not saturated.all()  # both clipped and unclipped gates
    with chainer.using_config("train", False):
        np.testing.assert_allclose(model.reconstruct(x).array, expected, atol=1e-5)
    assert model.encoders[0].bias.shape == ((2, 12) if reset_after else (12,))


def test_keras_versions_pick_reset_after_and_the_options_override():
    assert not GRUAE((3, 2)).reset_after and GRUAE((3, 2), keras_version=3).reset_after
    assert not GRUAE((3, 2), keras_version=3, reset_after=False).reset_after


@pytest.mark.parametrize("reset_after", ["true", "false"])
def test_from_keras_predicts_what_real_keras_predicted(reset_after):
    path = os.path.join(FIXTURES, f"keras3_gru_reset_after_{reset_after}.npz")
    fixture = np.load(path)
    model = aezoo.from_keras(path, keras_version=3)
    assert model.model.reset_after == (reset_after == "true")
    np.testing.assert_allclose(model.reconstruct(fixture["x"]), fixture["predict"], atol=1e-5)


@pytest.mark.parametrize("reset_after", ["true", "false"])
def test_rmsprop_steps_match_real_keras_losses_and_weights(reset_after):
    """Keras's train_on_batch on x[2k:2k+2] against the reversed batch, RMSprop lr 0.01."""
    path = os.path.join(FIXTURES, f"keras3_gru_reset_after_{reset_after}.npz")
    fixture = np.load(path)
    model = aezoo.from_keras(path, keras_version=3).model
    cfg = resolve(default_config("gru"), set())
    cfg.lr = 0.01
    optimizer = build_optimizer(cfg, model)
    for k, keras_loss in enumerate(fixture["losses"]):
        loss = model(fixture["x"][2 * k:2 * k + 2])  # the target is the reversed input
        assert float(loss.array) == pytest.approx(float(keras_loss), abs=1e-6)
        model.cleargrads()
        loss.backward()
        optimizer.update()
    for prefix, gru in (("enc", model.encoders[0]), ("dec", model.decoders[0])):
        for name in ("kernel", "recurrent_kernel", "bias"):
            np.testing.assert_allclose(getattr(gru, name).array,
                                       fixture[f"after_{prefix}_{name}"], atol=1e-5)


def test_chainer_defaults_would_not_match_keras():
    """The fixture can tell Keras's RMSprop from Chainer's: the match above is not free."""
    path = os.path.join(FIXTURES, "keras3_gru_reset_after_true.npz")
    fixture = np.load(path)
    model = aezoo.from_keras(path, keras_version=3).model
    optimizer = chainer.optimizers.RMSprop(lr=0.01).setup(model)
    for k in range(2):
        loss = model(fixture["x"][2 * k:2 * k + 2])
        model.cleargrads()
        loss.backward()
        optimizer.update()
    loss = float(model(fixture["x"][4:6]).array)
    assert abs(loss - float(fixture["losses"][2])) > 1e-3


def padded_batch(lengths=(5, 3, 1), steps=5, features=2, seed=0):
    x = np.random.RandomState(seed).randn(len(lengths), steps, features).astype(np.float32)
    for i, length in enumerate(lengths):
        x[i, length:] = np.nan
    return x


def test_reversal_reverses_only_the_real_steps():
    x = padded_batch()
    target = GRUAE((5, 2)).target(x)
    np.testing.assert_array_equal(target[0], x[0, ::-1])
    np.testing.assert_array_equal(target[1, :3], x[1, 2::-1])
    assert np.isnan(target[1, 3:]).all() and np.isnan(target[2, 1:]).all()
    np.testing.assert_array_equal(target[2, 0], x[2, 0])


@pytest.mark.parametrize("mode", ["keras", "seq2seq"])
def test_the_loss_leaves_padding_out(mode):
    model = GRUAE((5, 2), mode=mode, hidden=[3], code_dim=2)
    x = padded_batch()
    with chainer.using_config("train", False):
        loss = float(model(x).array)
        out = model.reconstruct(x).array
    target = model.target(x)
    real = ~np.isnan(target)
    assert loss == pytest.approx(np.mean(np.square(out[real] - target[real])), rel=1e-5)
    loss = model(x)  # and no gradient flows from padded steps' outputs
    model.cleargrads()
    loss.backward()
    assert all(np.isfinite(p.grad).all() for p in model.params())


def test_a_padded_sequence_has_the_code_of_its_real_steps():
    model = GRUAE((5, 2), mode="seq2seq", hidden=[3], code_dim=2)
    x = padded_batch()
    with chainer.using_config("train", False):
        codes = model.encode(x).array
        for i, length in enumerate((5, 3, 1)):
            alone = model.encode(x[i:i + 1, :length]).array
            np.testing.assert_allclose(codes[i], alone[0], atol=1e-6)


def test_teacher_forcing_feeds_the_true_frame_only_in_training():
    x = np.random.RandomState(1).rand(4, 6, 3).astype(np.float32)
    forced = GRUAE((6, 3), mode="seq2seq", hidden=[5], code_dim=2, teacher_forcing=1.0)
    free = GRUAE((6, 3), mode="seq2seq", hidden=[5], code_dim=2, teacher_forcing=0.0)
    free.copyparams(forced)
    _, a = forced.encode_decode(x)
    _, b = free.encode_decode(x)
    assert np.allclose(a.array[:, 0], b.array[:, 0])  # the first frame is fed nothing
    assert not np.allclose(a.array[:, 1:], b.array[:, 1:])
    # teacher forcing 1: step t's output depends on the true frame t - 1, not on its own
    h = chainer.functions.tanh(forced.from_code(forced.encode(x)))
    target = forced.target(x)
    for t in range(3):
        h, = forced.decoders[0].step(forced.decoders[0].project(
            np.zeros_like(x[:, 0]) if t == 0 else target[:, t - 1]), (h,))
        np.testing.assert_allclose(a.array[:, t], forced.output(h).array, atol=1e-6)
    with chainer.using_config("train", False):
        np.testing.assert_allclose(forced.reconstruct(x).array, free.reconstruct(x).array)


@pytest.mark.slow
@pytest.mark.parametrize("teacher_forcing", ["1.0", "0.0"])
def test_seq2seq_learns_digit_rows_with_and_without_teacher_forcing(tmp_path, teacher_forcing):
    out = tmp_path / "run"
    assert main(["gru", "--mode", "seq2seq", "--data", "digits-rows", "--hidden", "32",
                 "--code-dim", "8", "--teacher-forcing", teacher_forcing, "--epochs", "3",
                 "--batch-size", "64", "--no-video", "--out", str(out)]) == 0
    lines = [json.loads(l) for l in open(out / "metrics.jsonl") if '"test_mse"' in l]
    assert lines[-1]["test_mse"] < 0.6 * lines[0]["test_mse"]


def test_keras_weights_start_a_run_from_a_keras_model(tmp_path):
    path = os.path.join(FIXTURES, "keras3_gru_reset_after_true.npz")
    data = tmp_path / "seq.npz"
    np.savez(data, x=np.random.RandomState(0).randn(40, 6, 5).astype(np.float32))
    out = tmp_path / "run"
    assert main(["gru", "--data", f"npz:{data}", "--keras-weights", path, "--keras-version", "3",
                 "--epochs", "1", "--no-video", "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())["config"]
    assert config["hidden"] == [4] and config["reset_after"] is True
    start = np.load(out / "recon" / "epoch_0000.npz")  # the untrained epoch: Keras's model
    model = aezoo.from_keras(path, keras_version=3)
    np.testing.assert_allclose(start["outputs"], model.reconstruct(start["inputs"]), atol=1e-5)


@pytest.mark.slow
def test_a_gru_on_sine_beats_predicting_the_per_step_mean(tmp_path):
    from aezoo.data import load
    out = tmp_path / "run"
    assert main(["gru", "--data", "sine", "--seq-len", "12", "--hidden", "16", "--epochs", "3",
                 "--batch-size", "32", "--no-video", "--out", str(out)]) == 0
    sine = load("sine", seq_len=12)
    target = sine.test[:, ::-1]  # reversed, as the model is asked
    mean = np.mean(np.square(target - sine.train[:, ::-1].mean(axis=0)))
    final = [json.loads(l) for l in open(out / "metrics.jsonl") if '"test_mse"' in l][-1]
    assert mean > 0.4 and final["test_mse"] < 0.5 * mean
