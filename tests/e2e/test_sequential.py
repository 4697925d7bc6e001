"""aezoo run sequential: a network as a list of layers from the shell, a TOML file and Python;
it trains, renders, resumes exactly (batch norm's statistics, dropout's masks) and refuses a
bad layer in one line that names it, writing nothing. The knobs of deep: growth resumes
exactly mid-fade."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import aezoo
from aezoo.data import load
from aezoo.models.sequential import SequentialAE
from aezoo.run import main
from aezoo.sweeps import file as sweep_file
from conftest import REPO_ROOT, SHARED_MNIST, TINY, comparable, ctrl_c_in_epoch, tree_state, weights

DENSE = "dense:48 bn elu dropout:0.1 dense:24 relu dense:8"
CONV = "conv:8 relu pool conv:4 relu pool"


def train(out, *args):
    assert main([*args, *TINY, "--out", str(out)]) == 0
    return str(out)


@pytest.fixture(scope="module")
def mnist_sized(tmp_path_factory):
    """28x28 images: the first real MNIST test images when they are here, else random ones."""
    path = tmp_path_factory.mktemp("mnist") / "x.npy"
    gz = SHARED_MNIST / "t10k-images-idx3-ubyte.gz"
    images = (load(f"idx:{gz}").train[:400] * 255).astype(np.uint8) if gz.exists() else \
        np.random.RandomState(0).randint(0, 256, (400, 28, 28)).astype(np.uint8)
    np.save(path, images)
    return path


@pytest.mark.parametrize("layers", [DENSE, CONV])
def test_the_issue_s_layer_lists_train_and_render_on_digits(tmp_path, layers):
    run = tmp_path / "run"
    assert main(["sequential", "--layers", layers, "--data", "digits", "--epochs", "3",
                 "--batch-size", "64", "--out", str(run)]) == 0
    assert (run / "progress.gif").exists() and (run / "progress.mp4").exists()
    config = json.loads((run / "config.json").read_text())
    assert config["config"]["layers"] == layers.split()  # the full list, canonical
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    scores = [r["test_bce"] for r in lines if "test_bce" in r]
    assert scores[-1] < scores[0]
    (entry,) = json.loads((run / "architecture.json").read_text())
    assert [layer["type"] for layer in entry["layers"]][:4] == (
        ["reshape", "dense", "batch_norm", "activation"] if layers == DENSE
        else ["reshape", "conv", "activation", "pool"])


def test_conv_layers_train_on_mnist_sized_images(tmp_path, mnist_sized):
    run = tmp_path / "run"
    assert main(["sequential", "--layers", CONV, "--data", f"npy:{mnist_sized}", "--epochs", "1",
                 "--no-video", "--out", str(run)]) == 0
    model = aezoo.load(run)
    x = load(f"npy:{mnist_sized}").test[:3]
    assert model.encode(x).shape == (3, 4, 7, 7) and model.reconstruct(x).shape == (3, 28, 28)


def test_a_toml_list_through_python_m_aezoo_run(tmp_path):
    (tmp_path / "run.toml").write_text(
        'model = "sequential"\ndata = "digits"\nepochs = 1\nvideo = false\n'
        'layers = ["dense:16", "tanh", "dense:4"]\ndecoder_layers = ["dense:16", "tanh", "dense:64"]\n')
    done = subprocess.run([sys.executable, "-m", "aezoo.run", "--config", str(tmp_path / "run.toml"),
                           "--out", str(tmp_path / "run")], capture_output=True, text=True,
                          cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    config = json.loads((tmp_path / "run" / "config.json").read_text())["config"]
    assert config["layers"] == ["dense:16", "tanh", "dense:4"]
    assert config["decoder_layers"] == ["dense:16", "tanh", "dense:64"]


def test_resume_with_batch_norm_and_dropout_equals_an_unbroken_run(tmp_path, monkeypatch):
    options = ["sequential", "--layers", "conv:4 bn relu dropout:0.3 pool dense:6", "--seed", "2"]
    unbroken = train(tmp_path / "unbroken", *options, "--epochs", "3")
    restore = ctrl_c_in_epoch(monkeypatch, 2)
    assert main([*options, *TINY, "--epochs", "3", "--out", str(tmp_path / "broken")]) == 130
    restore()
    assert main(["--resume", str(tmp_path / "broken")]) == 0
    a, b = weights(unbroken), weights(tmp_path / "broken")
    assert any(k.endswith("avg_mean") for k in a)  # the running statistics are saved
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert comparable(unbroken) == comparable(tmp_path / "broken")


def test_evaluation_uses_running_statistics_and_no_dropout(tmp_path):
    run = train(tmp_path / "run", "sequential", "--layers", DENSE, "--epochs", "1")
    model, x = aezoo.load(run), load("digits").test[:16]
    batch = model.reconstruct(x)
    np.testing.assert_array_equal(batch, model.reconstruct(x))  # no dropout: the same twice
    np.testing.assert_allclose(model.reconstruct(x[:1]), batch[:1], atol=1e-6)  # not the batch's


def test_sequential_in_python_fits_and_its_json_round_trips(tmp_path):
    net = aezoo.Sequential(["dense:32", "bn", "relu", "dropout:0.2"]).add("dense:8").add("tanh")
    assert repr(net) == "Sequential('dense:32 bn relu dropout:0.2 dense:8 tanh')"
    text = net.to_json()
    again = aezoo.Sequential.from_json(text)
    assert again == net and again.to_json() == text
    run = aezoo.fit(net, data="digits", epochs=1, video=False, out=str(tmp_path / "run"),
                    progress=False, quiet=True)
    trained = aezoo.load(tmp_path / "run")
    rebuilt = SequentialAE((8, 8), **again.options())  # same structure from the JSON ...
    for (name, a), (_, b) in zip(sorted(trained.model.namedparams()), sorted(rebuilt.namedparams())):
        b.array[...] = a.array  # ... same weights ...
    links = dict(rebuilt.namedlinks())
    for path, link in trained.model.namedlinks():  # and batch norm's running statistics
        for name in link._persistent:
            if isinstance(getattr(link, name), np.ndarray):
                getattr(links[path], name)[...] = getattr(link, name)
    x = load("digits").test[:5]
    import chainer
    with chainer.using_config("train", False), chainer.no_backprop_mode():
        np.testing.assert_array_equal(rebuilt.reconstruct(x).array, trained.reconstruct(x))


def test_a_grid_of_layer_lists_gets_valid_run_names(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text('[defaults]\nmodel = "sequential"\ndata = "digits"\n[grid]\n'
                    f'layers = ["{DENSE}", ["conv:8", "relu", "pool"]]\n')
    runs = sweep_file.read(str(path))
    assert all(sweep_file.NAME.fullmatch(name) for name in runs)
    assert "layers=conv.8,relu,pool" in runs
    assert [options["layers"] for options in runs.values()] == [DENSE, ["conv:8", "relu", "pool"]]


@pytest.mark.parametrize("argv, message", [
    (["--layers", "dense:48 foo"], "--layers layer 2 (foo): unknown layer kind 'foo' (did you mean "
                                    "pool?); the kinds are dense, conv,"),
    (["--layers", "dense:8 dropout:1.5"], "--layers layer 2 (dropout:1.5): rate 1.5: expected"),
    (["--layers", "dense:48 conv:8"], "--layers layer 2 (conv:8): a conv takes a map (C, H, W), "
                                      "not (48,): put reshape:C,H,W before it; layer 1 (dense:48) "
                                      "gives (48,)"),
    (["--layers", "dense:8", "--decoder-layers", "dense:10"],
     "--decoder-layers layer 1 (dense:10) ends the decoder at (10,), not at the input's shape"),
    (["--layers", "dense:8 rleu"], "--layers layer 2 (rleu): unknown layer kind 'rleu' (did you "
                                   "mean relu?)"),
    (["--init", "he"], "--init 'he' is unknown"),
])
def test_a_bad_layer_list_is_one_line_and_writes_nothing(tmp_path, capsys, argv, message):
    (tmp_path / "earlier").mkdir()
    before = tree_state(tmp_path)
    assert main(["sequential", *argv, "--data", "digits", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err, err
    assert tree_state(tmp_path) == before


@pytest.mark.parametrize("argv, message", [
    (["deep", "--activation", "eluu"], "--activation 'eluu' is unknown (did you mean elu?)"),
    (["conv", "--dropout", "1.5"], "--dropout 1.5: expected a rate from 0 up to (not including) 1"),
])
def test_a_bad_knob_is_one_line_and_writes_nothing(tmp_path, capsys, argv, message):
    before = tree_state(tmp_path)
    assert main([*argv, "--data", "digits", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err, err
    assert tree_state(tmp_path) == before


@pytest.mark.parametrize("model", [
    ["deep", "--activation", "elu", "--batch-norm", "--dropout", "0.1", "--init", "he_normal",
     "--hidden", "32,16", "--code-dim", "8"],
    ["sequential", "--layers", "dense:32 bn elu dropout:0.1 dense:16 bn elu dropout:0.1 dense:8 "
     "bn elu dropout:0.1", "--init", "he_normal"],
])
def test_growth_with_the_knobs_resumes_exactly_mid_fade(tmp_path, monkeypatch, model):
    options = [*model, "--grow-every", "2", "--fade-in", "2"]
    unbroken = train(tmp_path / "unbroken", *options, "--epochs", "5")
    restore = ctrl_c_in_epoch(monkeypatch, 4)  # growth at 3, faded in over epochs 3 and 4
    assert main([*options, *TINY, "--epochs", "5", "--out", str(tmp_path / "broken")]) == 130
    restore()
    assert main(["--resume", str(tmp_path / "broken")]) == 0
    a, b = weights(unbroken), weights(tmp_path / "broken")
    assert a.keys() == b.keys() and any(k.endswith("avg_var") for k in a)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert comparable(unbroken) == comparable(tmp_path / "broken")
    growths = [e for e in comparable(unbroken) if e.get("event") == "growth"]
    assert [g["depth"] for g in growths] == [2, 3]


@pytest.mark.parametrize("argv, message", [
    (["--layers", "conv:4 relu pool conv:2 relu", "--grow-every", "2"],
     "--grow-every 2: identity initialization takes dense blocks; layer 4 (conv:2) starts "
     "another (use --grow-init random)"),
    (["--layers", "dense:8 relu dense:4", "--grow-every", "2", "--max-depth", "3"],
     "--grow-every 2: --layers has 2 blocks (a dense or conv layer and the layers after it): "
     "--max-depth 3 is more"),
    (["--layers", "dense:8", "--decoder-layers", "dense:64", "--grow-every", "2"],
     "--grow-every 2: growth mirrors each new block: not with --decoder-layers"),
])
def test_growth_a_layer_list_cannot_take_is_one_line(tmp_path, capsys, argv, message):
    before = tree_state(tmp_path)
    assert main(["sequential", *argv, "--data", "digits", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err, err
    assert tree_state(tmp_path) == before
