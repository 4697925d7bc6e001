"""The seams the coming features build on: models own their head, loss and scores; data sets
carry a kind and a range; models describe their layers and the run folder records them as
they grow; a process that is not the main one writes nothing."""
import json

import chainer
import chainer.functions as F
import numpy as np
import pytest

import aezoo
from aezoo.data import Dataset, load
from aezoo.models import NAMES
from aezoo.models.base import Autoencoder
from aezoo.models.layers import dense
from aezoo.runs import metrics, rundir
from aezoo.commands.run import configure, main
from aezoo.train import device
from aezoo.train.loop import Trainer
from aezoo.train.build import build_model, default_config, fit_to_data, resolve
from aezoo.train.plan import plan
from aezoo.train.start import prepare
from conftest import tree_state


class Identity:
    """A head for unbounded data: the raw output is the reconstruction, MSE its loss."""
    needs_unit_range = False

    def output(self, a):
        return a

    def loss(self, a, x):
        return F.mean_squared_error(a, x)

    def scores(self, a, x):
        return {"mae": F.mean_absolute_error(a, x)}


class LinearAE(Autoencoder):
    def __init__(self, input_shape, *, code_dim: int = 3):
        super().__init__(input_shape)
        self.head = Identity()
        with self.init_scope():
            self.enc, self.dec = dense(int(np.prod(input_shape)), code_dim), dense(code_dim, 5)

    def encode(self, x):
        return self.enc(x)

    def decode_raw(self, code):
        return self.dec(code)


def test_the_loop_reports_what_the_model_reports_and_knows_no_bce():
    rng = np.random.RandomState(0)
    x = (rng.randn(300, 5) * 3).astype(np.float32)  # far outside [0, 1]
    train, test = x[:200], x[200:]
    assert Dataset("toy", train, test).value_range[0] < -3
    model = LinearAE((5,))
    optimizer = chainer.optimizers.Adam().setup(model)
    trainer = Trainer(model, optimizer, train, test, 50, device.get("cpu"),
                      np.random.default_rng(0), progress=False)
    trainer.run(3)
    scores = trainer.metrics
    assert {"test_loss", "test_reconstruction", "test_mae", "train_loss"} <= set(scores)
    assert not any("bce" in key or "sqerr" in key for key in scores)
    out = model.reconstruct(test).array
    assert scores["test_mae"] == pytest.approx(np.abs(out - test).mean(), rel=1e-5)
    assert scores["test_loss"] == pytest.approx(np.square(out - test).mean(), rel=1e-5)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(8, 8), (28, 28), (7, 9)])
def test_every_model_describes_its_layers_uniformly(name, shape):
    cfg = resolve(default_config(name), set())
    model = build_model(cfg, shape, np.random.default_rng(0))
    layers = model.layers()
    assert layers[0]["in"] == list(shape) and layers[-1]["out"] == list(shape)
    for before, after in zip(layers, layers[1:]):
        assert before["out"] == after["in"], (before, after)
    # the mean path's layers; a VAE's log-variance head serves sampling in training only
    assert sum(layer["params"] for layer in layers) + model.training_only_params() == model.n_params()
    (code,) = [layer for layer in layers if layer.get("code")]
    x = np.zeros((2,) + shape, np.float32)
    assert list(model.encode(x).shape[1:]) == code["out"]
    for layer in layers:
        assert set(layer) <= {"type", "in", "out", "activation", "params", "code", "name", "alpha",
                              "path", "pad", "steps", *GRU_KEYS}
        assert layer["type"] in ("dense", "conv3x3", "maxpool2", "unpool2", "reshape", "fade",
                                 "gru", "gru_step", "last", "unroll")
        assert not set(layer) & set(GRU_KEYS) or layer["type"] in ("gru", "gru_step")


GRU_KEYS = ("units", "reset_after", "recurrent_activation", "keras_version")


@pytest.mark.parametrize("argv, arch", [
    (["conv", "--hidden", "4,2", "--code-dim", "5", "--decoder", "keras"],
     {"hidden": [4, 2], "code_dim": 5, "decoder": "keras"}),
    (["conv"], {"hidden": [16, 8], "code_dim": None, "decoder": "mirror"}),  # fitted to 8x8
    (["deep", "--hidden", "16", "--code-dim", "4", "--linear-code"],
     {"hidden": [16], "code_dim": 4, "linear_code": True}),
    (["deep"], {"hidden": [128, 64], "code_dim": 32, "linear_code": False}),
    (["sparse", "--code-dim", "7"], {"code_dim": 7}),
])
def test_a_model_gets_its_options_by_the_names_its_constructor_declares(argv, arch, tmp_path):
    cfg, given, _ = configure(argv + ["--data", "digits"])
    cfg = fit_to_data(cfg, given, (8, 8))
    model = build_model(cfg, (8, 8), np.random.default_rng(0))
    assert model.arch() == arch
    assert set(type(model).option_help) == set(type(model).options())  # --help for each


def test_datasets_carry_kind_range_and_labels(tmp_path):
    digits = load("digits")
    assert (digits.kind, digits.value_range) == ("image", (0.0, 1.0))
    assert digits.test_labels.shape == (len(digits.test),) and set(digits.test_labels) == set(range(10))
    np.save(tmp_path / "v.npy", np.linspace(-2, 3, 40 * 6, dtype=np.float32).reshape(40, 6))
    vectors = load(f"npy:{tmp_path / 'v.npy'}")
    assert vectors.kind == "vector" and vectors.value_range == (-2.0, 3.0)
    assert vectors.test_labels is None


def test_a_model_that_needs_unit_range_refuses_other_data_in_one_line(tmp_path, capsys):
    np.save(tmp_path / "v.npy", np.linspace(-2, 3, 40 * 6, dtype=np.float32).reshape(40, 6))
    out = tmp_path / "run"
    assert main(["simple", "--data", f"npy:{tmp_path / 'v.npy'}", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "values span [-2, 3]" in line and "needs data in [0, 1]" in line
    assert not out.exists()


def test_the_run_folder_records_the_model_at_the_start_and_after_every_growth(tmp_path):
    run = tmp_path / "run"
    assert main(["deep", "--grow-every", "2", "--epochs", "5", "--data", "digits", "--no-video",
                 "--out", str(run)]) == 0
    config = json.loads((run / "config.json").read_text())
    entries = rundir.read_architecture(run)
    assert [e["epoch"] for e in entries] == [0, 3, 5]
    assert config["model"] == {k: v for k, v in entries[0].items() if k != "epoch"}
    assert config["model"]["params"] == (64 * 128 + 128) + (128 * 64 + 64)  # 64-128-64
    codes = [[layer["out"] for layer in e["layers"] if layer.get("code")] for e in entries]
    assert codes == [[[128]], [[64]], [[32]]]
    for entry in entries:
        assert sum(layer["params"] for layer in entry["layers"]) == entry["params"]
    final = metrics.read(run)[0][-1]["params"]
    assert entries[-1]["params"] == aezoo.load(run).model.n_params() == final == 37344


def test_another_process_of_a_run_trains_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "rank0.txt").write_text("the main process's folder")
    before = tree_state(tmp_path)
    cfg, given, _ = configure(["deep", "--grow-every", "1", "--epochs", "2", "--data", "digits",
                               "--no-video", "--out", str(out)])
    prepared = prepare(plan(cfg, given, new_folder=False), is_main=False)
    assert prepared.run_dir is None
    prepared.trainer.run(cfg.epochs)
    assert prepared.trainer.model.depth == 2  # it grew, as the main process would
    assert tree_state(tmp_path) == before
