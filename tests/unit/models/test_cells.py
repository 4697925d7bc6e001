"""LSTM and SimpleRNN beside the GRU: Keras's equations (an independent numpy version),
real Keras 3's numbers for every cell in keras and repeat modes, stacked and mixed cells,
the seq2seq readouts, and the numpy export of each."""
import glob
import json
import os

import chainer
import numpy as np
import pytest

import aezoo
from aezoo.models import numpy_forward
from aezoo.models.lstm import LSTMAE
from aezoo.models.recurrent import RecurrentAE
from aezoo.models.simplernn import SimpleRNNAE
from aezoo.train.build import default_config, resolve
from aezoo.train.optimizers import build_optimizer
from aezoo.viz import architecture
from conftest import TEST_DATA

FIXTURES = sorted(glob.glob(os.path.join(TEST_DATA, "keras_cells", "keras3_*.npz")))


# ---- independent numpy versions of Keras's LSTM and SimpleRNN (their documented equations) ----

def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def keras_lstm(x, kernel, recurrent, bias, gate=sigmoid):
    u = recurrent.shape[0]
    h, c, out = np.zeros((len(x), u)), np.zeros((len(x), u)), []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, o = gate(z[:, :u]), gate(z[:, u:2 * u]), gate(z[:, 3 * u:])
        g = np.tanh(z[:, 2 * u:3 * u])
        c = f * c + i * g
        h = o * np.tanh(c)
        out.append(h)
    return np.stack(out, axis=1)


def keras_simplernn(x, kernel, recurrent, bias, gate=None):
    h, out = np.zeros((len(x), recurrent.shape[0])), []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
        out.append(h)
    return np.stack(out, axis=1)


REFERENCE = {"lstm": keras_lstm, "simplernn": keras_simplernn}


def randomized(model, seed=7):
    rng = np.random.RandomState(seed)
    for param in model.params():  # nonzero biases, weights large enough to saturate gates
        param.array[...] = rng.uniform(-1.5, 1.5, param.shape)
    return (rng.randn(3, 6, 5) * 3).astype(np.float32)


def weights(layer):
    return [p.array.astype(np.float64) for p in (layer.kernel, layer.recurrent_kernel, layer.bias)]


@pytest.mark.parametrize("cell", ["lstm", "simplernn"])
@pytest.mark.parametrize("mode", ["keras", "repeat"])
def test_cells_equal_the_keras_equations_in_numpy(cell, mode):
    model = RecurrentAE((6, 5), mode=mode, hidden=[4], cell=cell)
    x = randomized(model)
    ref = REFERENCE[cell]
    hidden = ref(x.astype(np.float64), *weights(model.encoders[0]))
    if mode == "repeat":
        hidden = np.repeat(hidden[:, -1:], 6, axis=1)
    expected = ref(hidden, *weights(model.decoders[0]))
    with chainer.using_config("train", False):
        np.testing.assert_allclose(model.reconstruct(x).array, expected, atol=1e-5)


def test_lstm_hard_sigmoid_follows_the_keras_version():
    for version, slope in ((2, 0.2), (3, 1 / 6)):
        model = LSTMAE((6, 5), hidden=[4], recurrent_activation="hard_sigmoid",
                       keras_version=version)
        x = randomized(model)
        gate = lambda a: np.clip(slope * a + 0.5, 0, 1)  # noqa: E731
        expected = keras_lstm(keras_lstm(x.astype(np.float64), *weights(model.encoders[0]),
                                         gate), *weights(model.decoders[0]), gate)
        with chainer.using_config("train", False):
            np.testing.assert_allclose(model.reconstruct(x).array, expected, atol=1e-5)


def test_unit_forget_bias_starts_the_forget_gate_at_one():
    model = LSTMAE((6, 5), hidden=[4])
    bias = model.encoders[0].bias.array
    assert (bias[4:8] == 1).all() and (bias[:4] == 0).all() and (bias[8:] == 0).all()
    assert (LSTMAE((6, 5), hidden=[4], unit_forget_bias=False).encoders[0].bias.array == 0).all()


def fixture_mode(path):
    name = os.path.basename(path)[len("keras3_"):-len(".npz")]
    return name.rsplit("_", 1)[1], "hard_sigmoid" if "hard_sigmoid" in name else None


def test_every_cell_and_mode_has_a_fixture():
    names = {os.path.basename(p) for p in FIXTURES}
    assert {f"keras3_{c}_{m}.npz" for c in ("lstm", "gru", "simplernn")
            for m in ("keras", "repeat")} <= names


@pytest.mark.parametrize("path", FIXTURES, ids=os.path.basename)
def test_from_keras_predicts_what_real_keras_predicted(path):
    fixture = np.load(path)
    mode, gate = fixture_mode(path)
    model = aezoo.from_keras(path, mode=mode, recurrent_activation=gate)
    assert model.config["model"] == json.loads(str(fixture["meta"]))["cell"].split("_")[0]
    np.testing.assert_allclose(model.reconstruct(fixture["x"]), fixture["predict"], atol=1e-5)


@pytest.mark.parametrize("path", FIXTURES, ids=os.path.basename)
def test_rmsprop_steps_match_real_keras(path):
    """Keras's train_on_batch on x[2k:2k+2], RMSprop lr 0.01: the losses and the weights."""
    fixture = np.load(path)
    mode, gate = fixture_mode(path)
    model = aezoo.from_keras(path, mode=mode, recurrent_activation=gate).model
    assert model.reverse_target == (mode == "keras")  # the snippet's reversal, the blog's not
    cfg = resolve(default_config("lstm"), set())
    cfg.lr = 0.01
    optimizer = build_optimizer(cfg, model)
    for k, keras_loss in enumerate(fixture["losses"]):
        loss = model(fixture["x"][2 * k:2 * k + 2])
        assert float(loss.array) == pytest.approx(float(keras_loss), abs=1e-5)
        model.cleargrads()
        loss.backward()
        optimizer.update()
    for prefix, layer in (("enc", model.encoders[0]), ("dec", model.decoders[0])):
        for name in ("kernel", "recurrent_kernel", "bias"):
            np.testing.assert_allclose(getattr(layer, name).array,
                                       fixture[f"after_{prefix}_{name}"], atol=1e-5)


def test_the_wrong_gate_would_not_match_keras():
    """The LSTM fixtures tell sigmoid from hard_sigmoid: the match above is not free."""
    path = os.path.join(TEST_DATA, "keras_cells", "keras3_lstm_keras.npz")
    fixture = np.load(path)
    model = aezoo.from_keras(path, recurrent_activation="hard_sigmoid")
    assert np.abs(model.reconstruct(fixture["x"]) - fixture["predict"]).max() > 1e-2


@pytest.mark.parametrize("mode", ["keras", "repeat"])
def test_one_padded_sequence_gives_nan_on_its_padding_as_a_batch_does(mode):
    fixture = np.load(os.path.join(TEST_DATA, "keras_cells", f"keras3_lstm_{mode}.npz"))
    model = aezoo.from_keras(os.path.join(TEST_DATA, "keras_cells", f"keras3_lstm_{mode}.npz"),
                             mode=mode)
    x = fixture["x"][:2].copy()
    x[0, -2:] = np.nan  # the first sequence is two steps shorter
    batch, one = model.reconstruct(x), model.reconstruct(x[0])
    assert one.shape == x[0].shape and np.isnan(one[-2:]).all() and np.isfinite(one[:-2]).all()
    # NaN in the same places; the numbers agree to rounding (BLAS may take another path for
    # one row than for two: on this machine's OpenBLAS they differ in the 8th digit)
    np.testing.assert_allclose(one, batch[0], rtol=1e-5, atol=1e-6)
    if mode == "keras":  # its code is a state a step, NaN on the padding too
        assert np.isnan(model.encode(x[0])[-2:]).all()


@pytest.mark.parametrize("kwargs, message", [
    (dict(mode="seq2seq"), "mode 'seq2seq': expected one of keras, repeat"),
    (dict(recurrent_activation="relu"), "recurrent_activation 'relu'"),
    (dict(keras_version=1), "keras_version 1: expected 2 or 3"),
])
def test_from_keras_refuses_bad_arguments_in_one_line(kwargs, message):
    with pytest.raises(aezoo.UsageError, match=message.replace("(", r"\(")):
        aezoo.from_keras(FIXTURES[0], **kwargs)


# ---- stacked and mixed cells ----

def test_stacked_mixed_cells_mirror_in_the_decoder():
    model = RecurrentAE((6, 3), mode="keras", hidden=[8, 5], cell="lstm,gru")
    assert [(l.kind, l.n_in, l.units) for l in model.encoders] == [("lstm", 3, 8), ("gru", 8, 5)]
    assert [(l.kind, l.n_in, l.units) for l in model.decoders] == [("gru", 5, 8), ("lstm", 8, 3)]
    kinds = [layer["type"] for layer in model.layers()]
    assert kinds == ["lstm", "gru", "gru", "lstm"]
    seq = RecurrentAE((6, 3), mode="seq2seq", hidden=[8, 5], cell="lstm,gru")
    assert [(l.kind, l.n_in, l.units) for l in seq.decoders] == [("gru", 3, 5), ("lstm", 5, 8)]
    (unroll,) = [layer for layer in seq.layers() if layer["type"] == "unroll"]
    assert [e["type"] for e in unroll["path"]] == ["dense", "gru_step", "lstm_step", "dense"]
    # the architecture strip names each block's role and cell, the decoder's inside its unroll
    assert [architecture.label(layer) for layer in seq.layers()] == [
        "encoder lstm", "encoder gru", "last", "code", "decoder unroll\ngru,lstm"]


def test_one_cell_name_means_every_layer_and_a_model_name_sets_the_default():
    assert [l.kind for l in SimpleRNNAE((6, 3), hidden=[4, 2]).encoders] == ["simplernn"] * 2
    assert RecurrentAE((6, 3), hidden=[4, 2], cell="lstm").cells == ["lstm", "lstm"]


@pytest.mark.parametrize("cell, message", [("lstm,gru,gru", "3 cells for 2 layers"),
                                           ("lstm,conv", "conv is not a cell")])
def test_bad_cells_are_one_line(cell, message):
    with pytest.raises(ValueError, match=message):
        RecurrentAE((6, 3), hidden=[4, 2], cell=cell)


# ---- readout ----

@pytest.mark.parametrize("readout, combine", [
    ("replace", lambda f, c: f), ("add", lambda f, c: f + c), ("mul", lambda f, c: f * c),
    ("avg", lambda f, c: (f + c) / 2)])
def test_readout_builds_each_step_input_from_the_frame_and_the_code(readout, combine):
    model = RecurrentAE((5, 3), mode="seq2seq", hidden=[4], cell="lstm", code_dim=2,
                        readout=readout, teacher_forcing=1.0)
    x = randomized(model, seed=3)[:, :5, :3]
    _, out = model.encode_decode(x)  # teacher forcing: step t is fed the true frame t - 1
    code = model.encode(x)
    context = model.code_frame(code).array if readout != "replace" else None
    layer, target = model.decoders[0], model.target(x)
    state = layer.start(len(x), chainer.functions.tanh(model.from_code(code)))
    for t in range(5):
        frame = np.zeros_like(x[:, 0]) if t == 0 else target[:, t - 1]
        state = layer.step(layer.project(combine(frame, context).astype(np.float32)), state)
        np.testing.assert_allclose(out.array[:, t], model.output(state[0]).array, atol=1e-5)


# ---- export: the numpy forward of every cell, mode and readout ----

@pytest.mark.parametrize("cell", ["lstm", "gru", "simplernn", "lstm,gru"])
@pytest.mark.parametrize("mode, readout", [("keras", "replace"), ("repeat", "replace"),
                                           ("seq2seq", "replace"), ("seq2seq", "add"),
                                           ("seq2seq", "mul"), ("seq2seq", "avg")])
def test_the_numpy_forward_matches_the_model(cell, mode, readout):
    kwargs = dict(readout=readout, code_dim=3) if mode == "seq2seq" else {}
    model = RecurrentAE((6, 5), mode=mode, hidden=[4, 3], cell=cell, keras_version=3, **kwargs)
    x = randomized(model, seed=11)
    x[1, 4:] = np.nan  # a shorter sequence, padded
    layers = model.layers()
    names = {id(link): path for path, link in model.namedlinks(skipself=True)}
    weights = {}
    for path, param in model.namedparams():
        name, _, key = path.rpartition("/")
        weights.setdefault(name.lstrip("/"), {})[key] = param.array
    exported = numpy_forward.Model({"layers": layers, "input_shape": [6, 5]}, weights)
    with chainer.using_config("train", False):
        expected = model.reconstruct(x).array
    assert names
    got = exported.reconstruct(x)
    real = np.isfinite(got)  # NaN exactly where the input was padding, as aezoo.load gives
    assert real[0].all() and real[1, :4].all() and not real[1, 4:].any()
    np.testing.assert_allclose(got[real], expected[real], atol=1e-5)
