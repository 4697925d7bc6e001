"""aezoo export: every model of the zoo as weights.npz + forward.py, run where Chainer cannot be
imported, against aezoo.load(...); bad input."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import aezoo
from aezoo.commands import export
from aezoo.data import load as load_data
from aezoo.run import main as run
from conftest import tree_state


# name -> aezoo.run arguments of a tiny run
RUNS = {
    "simple": ["simple", "--epochs", "1"],
    "sparse": ["sparse", "--epochs", "1"],
    "deep-grown": ["deep", "--grow-every", "1", "--epochs", "3", "--batch-size", "64"],
    "deep-mid-fade": ["deep", "--grow-every", "2", "--fade-in", "2", "--epochs", "3"],
    "conv": ["conv", "--epochs", "1"],
    "conv-code": ["conv", "--code-dim", "10", "--epochs", "1"],
    "denoising-7x9": ["denoising", "--data", "npy:{odd}", "--epochs", "1"],
    "conv-keras-28": ["conv", "--decoder", "keras", "--data", "npy:{mnist_sized}", "--epochs", "1"],
    "conv-keras-7x9": ["conv", "--decoder", "keras", "--data", "npy:{odd}", "--epochs", "1"],
    "vae": ["vae", "--hidden", "32,16", "--code-dim", "2", "--epochs", "1"],  # its mean path
    "vae-conv-7x9": ["vae", "--encoder", "conv", "--data", "npy:{odd}", "--epochs", "1"],
    # colour images (N, H, W, 3): conv moves the channels, dense models flatten them
    "conv-colour-7x9": ["conv", "--data", "npy:{colour}", "--epochs", "1"],
    "conv-colour-code": ["conv", "--code-dim", "6", "--data", "npy:{colour}", "--epochs", "1"],
    "conv-keras-colour": ["conv", "--decoder", "keras", "--data", "npy:{colour}", "--epochs", "1"],
    "vae-conv-colour": ["vae", "--encoder", "conv", "--data", "npy:{colour}", "--epochs", "1"],
    "sequential-conv-colour": ["sequential", "--layers", "conv:4 relu pool conv:2 relu",
                               "--data", "npy:{colour}", "--epochs", "1"],
    "sequential-dense-colour": ["sequential", "--layers", "dense:12 relu dense:4",
                                "--data", "npy:{colour}", "--epochs", "1"],
    "deep-colour": ["deep", "--hidden", "16", "--code-dim", "4", "--data", "npy:{colour}",
                    "--epochs", "1"],
    "gru-keras-3": ["gru", "--data", "digits-rows", "--hidden", "6", "--keras-version", "3",
                    "--epochs", "1"],
    "gru-keras-2-stacked": ["gru", "--data", "digits-rows", "--hidden", "6,5", "--epochs", "1"],
    # padded sequences: a padded step's output is NaN, as its input, in both
    "gru-keras-padded": ["gru", "--data", "npz:{padded}", "--hidden", "4", "--epochs", "1"],
    # padded sequences: the encoder's last real state is the code
    "gru-seq2seq-padded": ["gru", "--mode", "seq2seq", "--data", "npz:{padded}", "--hidden", "5",
                           "--code-dim", "3", "--recurrent-activation", "sigmoid",
                           "--teacher-forcing", "0.5", "--epochs", "1"],
    "lstm-repeat": ["lstm", "--mode", "repeat", "--data", "sine", "--seq-len", "8", "--hidden",
                    "6", "--epochs", "1"],
    "lstm-gru-seq2seq-mul": ["lstm", "--mode", "seq2seq", "--cell", "lstm,gru", "--hidden",
                             "6,4", "--readout", "mul", "--data", "npz:{padded}",
                             "--code-dim", "3", "--teacher-forcing", "0.5", "--epochs", "1"],
    "simplernn-keras": ["simplernn", "--data", "digits-rows", "--hidden", "5", "--epochs", "1"],
    # every layer kind (models/kinds) and every activation, with batch norm's running statistics
    "sequential-dense": ["sequential", "--layers", "dense:24 bn elu dropout:0.1 dense:16 layernorm "
                         "gelu dense:6", "--epochs", "1"],
    "sequential-conv": ["sequential", "--layers", "conv:8 relu pool conv:4 tanh pool", "--epochs", "1"],
    "sequential-conv-28": ["sequential", "--layers", "conv:4:5:2 bn leaky_relu pool conv:3:3:1:valid "
                           "selu flatten dense:8 softplus", "--data", "npy:{mnist_sized}",
                           "--epochs", "1"],
    "sequential-decoder": ["sequential", "--layers", "dense:16 sigmoid reshape:4,2,2",
                           "--decoder-layers", "upsample conv:4 linear unpool:2:8,8 conv:1",
                           "--epochs", "1"],
    "sequential-mid-fade": ["sequential", "--layers", "dense:32 bn relu dropout:0.1 dense:16 relu "
                            "dense:8", "--grow-every", "2", "--fade-in", "2", "--epochs", "3"],
    "deep-knobs-grown": ["deep", "--grow-every", "1", "--epochs", "3", "--activation", "elu",
                         "--batch-norm", "--dropout", "0.1", "--init", "he_normal"],
    "conv-knobs": ["conv", "--activation", "selu", "--batch-norm", "--dropout", "0.2", "--init",
                   "orthogonal", "--code-dim", "6", "--epochs", "1"],
}

# Runs in a fresh interpreter where `import chainer` fails: only numpy and forward.py.
NUMPY_ONLY = """
import sys
sys.modules["chainer"] = None
sys.path.insert(0, sys.argv[1])
import numpy as np
import forward
model = forward.load(sys.argv[1] + "/weights.npz")
x = np.load(sys.argv[2])
code = model.encode(x)
np.savez(sys.argv[3], code=code, decoded=model.decode(code), reconstructed=model.reconstruct(x),
         single=model.reconstruct(x[:1]), one=model.reconstruct(x[0]), one_code=model.encode(x[0]))
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    odd = root / "odd.npy"
    np.save(odd, np.random.RandomState(0).randint(0, 256, (60, 7, 9)).astype(np.uint8))
    mnist_sized = root / "28.npy"
    np.save(mnist_sized, np.random.RandomState(1).randint(0, 256, (40, 28, 28)).astype(np.uint8))
    colour = root / "colour.npy"
    np.save(colour, np.random.RandomState(3).randint(0, 256, (60, 7, 9, 3)).astype(np.uint8))
    padded = root / "padded.npz"
    np.savez(padded, x=np.random.RandomState(2).randn(40, 6, 3).astype(np.float32),
             lengths=np.arange(40) % 6 + 1)
    done = {}
    for name, argv in RUNS.items():
        argv = [a.format(odd=odd, mnist_sized=mnist_sized, padded=padded, colour=colour)
                for a in argv]
        if "--data" not in argv:
            argv += ["--data", "digits"]
        assert run(argv + ["--no-video", "--out", str(root / name)]) == 0
        assert export.main([str(root / name), str(root / f"{name}-export")]) == 0
        done[name] = (root / name, root / f"{name}-export")
    return done


def test_a_padded_step_reconstructs_as_nan_in_the_api_and_the_export(exported):
    import importlib.util
    run_dir, out = exported["gru-keras-padded"]
    spec = importlib.util.spec_from_file_location("forward", out / "forward.py")
    forward = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(forward)
    cfg = aezoo.load(run_dir).config
    x = load_data(cfg.data, cfg.data_dir, cfg.test_fraction).test
    padded = np.isnan(x[:, :, 0])
    assert padded.any() and not padded.all()
    for y in (aezoo.load(run_dir).reconstruct(x), forward.load(out / "weights.npz").reconstruct(x)):
        assert (np.isnan(y).all(axis=2) == padded).all() and np.isfinite(y[~padded]).all()


def test_a_mid_fade_run_exports_its_blend_and_its_code_decodes_as_training_did(exported):
    run_dir, out = exported["deep-mid-fade"]
    with np.load(out / "weights.npz", allow_pickle=False) as npz:
        header = json.loads(str(npz["header"]))
    (fade,) = [layer for layer in header["layers"] if layer["type"] == "fade"]
    assert 0 < fade["alpha"] < 1 and [layer["type"] for layer in fade["path"]] == ["dense", "dense"]
    model, x = aezoo.load(run_dir), load_data("digits").test[:20]
    assert model.encode(x).shape == (20, 128)  # the old code is the bottleneck until alpha is 1
    np.testing.assert_allclose(model.decode(model.encode(x)), model.reconstruct(x), atol=1e-6)


@pytest.mark.parametrize("name", RUNS)
def test_forward_py_alone_equals_the_chainer_model(exported, name, tmp_path):
    run_dir, out = exported[name]
    assert sorted(os.listdir(out)) == [".aezoo", "forward.py", "weights.npz"]
    with np.load(out / "weights.npz", allow_pickle=False) as npz:  # plain arrays only
        header = json.loads(str(npz["header"]))
        assert all(npz[k].dtype == np.float32 for k in npz.files if k != "header")
    assert header["aezoo_version"] == aezoo.__version__
    model = aezoo.load(run_dir)
    assert header["layers"] == model.model.layers()
    cfg = model.config
    x = load_data(cfg.data, cfg.data_dir, cfg.test_fraction).test[:7]
    np.save(tmp_path / "x.npy", x)
    done = subprocess.run([sys.executable, "-c", NUMPY_ONLY, str(out), str(tmp_path / "x.npy"),
                           str(tmp_path / "y.npz")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    y = np.load(tmp_path / "y.npz")
    np.testing.assert_allclose(y["reconstructed"], model.reconstruct(x), atol=1e-5)
    np.testing.assert_allclose(y["code"], model.encode(x), atol=1e-5)
    np.testing.assert_allclose(y["decoded"], model.decode(model.encode(x)), atol=1e-5)
    np.testing.assert_allclose(y["single"], model.reconstruct(x[:1]), atol=1e-5)  # batch of 1
    # one sample without its batch axis, as aezoo.load takes it
    np.testing.assert_allclose(y["one"], model.reconstruct(x[0]), atol=1e-5)
    np.testing.assert_allclose(y["one_code"], model.encode(x[0]), atol=1e-5)


@pytest.mark.parametrize("shape", [(3, 7, 7), (8,), (0, 8, 8), (2, 2, 8, 8)])
def test_a_wrong_shape_is_the_error_aezoo_load_gives(exported, shape):
    import importlib.util
    run_dir, out = exported["simple"]
    spec = importlib.util.spec_from_file_location("forward", out / "forward.py")
    forward = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(forward)
    x = np.zeros(shape, np.float32)
    with pytest.raises(ValueError) as theirs:
        aezoo.load(run_dir).reconstruct(x)
    with pytest.raises(ValueError, match=r"input of shape .*: expected one sample of shape") as ours:
        forward.load(out / "weights.npz").reconstruct(x)
    assert str(ours.value) == str(theirs.value)


def test_a_layer_type_the_exporter_does_not_know_is_one_line(exported, tmp_path, monkeypatch, capsys):
    run_dir, _ = exported["conv"]
    source = export.forward_source
    monkeypatch.setattr(export, "forward_source", lambda: source() + 'del LAYERS["maxpool2"]\n')
    assert export.main([str(run_dir), str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("aezoo export: error: model conv has layers that cannot be exported: maxpool2")
    assert not (tmp_path / "out").exists()


def test_an_out_dir_with_other_files_is_refused_and_left_alone(exported, tmp_path, capsys):
    run_dir, earlier = exported["simple"]
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "weights.npz").write_text("not an export")
    before = tree_state(out)
    assert export.main([str(run_dir), str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "holds files that aezoo export did not write (notes.txt)" in line
    assert tree_state(out) == before
    assert export.main([str(run_dir), str(earlier)]) == 0  # an earlier export is redone in place


@pytest.mark.parametrize("argv, message", [
    (["{tmp}/missing", "{tmp}/out"], "is not a run folder (no config.json)"),
    (["{run}"], "the following arguments are required: out_dir"),
    (["{run}", "{run}/config.json"], "is a file; expected a folder"),
])
def test_bad_input_is_one_line_and_writes_nothing(exported, tmp_path, capsys, argv, message):
    run_dir, _ = exported["simple"]
    before = tree_state(run_dir)
    assert export.main([a.format(tmp=tmp_path, run=run_dir) for a in argv]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("aezoo export: error: ") and message in err
    assert not (tmp_path / "out").exists() and tree_state(run_dir) == before
