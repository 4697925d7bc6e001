"""End to end on the bundled digits: every model learns, the run folder is complete,
resume gives the same weights as an unbroken run, Ctrl-C and NaN keep the last epoch."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import aezoo
from aezoo.errors import UsageError
from aezoo.runs import metrics, rundir, checkpoints
from aezoo.data import load
from aezoo.models import NAMES, model_class
from aezoo.run import main
from conftest import TINY, comparable, ctrl_c_in_epoch, only_epoch_0_checkpoint_lands, weights


def train(out, *args):
    assert main([*args, *TINY, "--out", str(out)]) == 0
    return str(out)


def saved_epoch(run_dir):
    try:
        return checkpoints.read_meta(run_dir)["epoch"]
    except UsageError:  # not written yet
        return -1


@pytest.mark.parametrize("name", NAMES)
def test_every_model_learns_on_digits_and_leaves_a_complete_run_folder(tmp_path, name):
    run = train(tmp_path / name, name, "--epochs", "3")
    epochs, _ = metrics.read(run)
    assert [r["epoch"] for r in epochs] == [0, 1, 2, 3]
    # sequence models read digits by rows and score MSE
    score = "test_mse" if model_class(name).masks_padding else "test_bce"
    assert epochs[-1][score] < epochs[0][score] - 0.02
    for r in epochs[1:]:
        assert {"train_loss", score, "test_sqerr", "seconds", "params", "lr"} <= set(r)
    assert sorted(os.listdir(os.path.join(run, "recon"))) == \
        [f"epoch_{e:04d}.{ext}" for e in range(4) for ext in ("npz", "png")]
    assert os.path.exists(os.path.join(run, "loss.png"))
    assert checkpoints.read_meta(run)["epoch"] == 3
    config = json.load(open(os.path.join(run, "config.json")))
    assert config["config"]["model"] == name
    assert config["model"]["arch"] == checkpoints.read_meta(run)["arch"]
    assert None not in config["model"]["arch"].values() or name in ("conv", "denoising", "vae",
                                                                    "sequential")
    assert config["model"]["params"] == epochs[-1]["params"]
    assert sum(layer["params"] for layer in config["model"]["layers"]) + \
        config["model"].get("training_only_params", 0) == epochs[-1]["params"]
    (entry,) = json.load(open(os.path.join(run, config["architecture"])))  # it never grew
    assert entry == {"epoch": 0, **config["model"]}
    assert config["versions"]["chainer"] == "7.8.1"


def test_resume_gives_the_same_weights_as_an_unbroken_run(tmp_path):
    # Mask noise and shuffling both draw from the RNG the checkpoint must restore.
    options = ["deep", "--noise", "mask:0.2", "--seed", "3"]
    unbroken = train(tmp_path / "unbroken", *options, "--epochs", "4")
    broken = train(tmp_path / "broken", *options, "--epochs", "2")
    assert main(["--resume", broken, "--epochs", "4"]) == 0
    a, b = weights(unbroken), weights(broken)
    assert a.keys() == b.keys() and any(k.startswith("optimizer/") for k in a)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)
    assert comparable(unbroken) == comparable(broken)
    config = json.load(open(os.path.join(broken, "config.json")))
    assert config["config"]["epochs"] == 4 and len(config["resumed"]) == 1 and config["created"]


def test_resume_drops_metrics_written_after_the_checkpoint(tmp_path):
    run = train(tmp_path / "run", "simple", "--epochs", "2")
    metrics.append(run, {"epoch": 3, "test_bce": 0.0})  # as if killed before checkpoint 3
    assert main(["--resume", run, "--epochs", "3"]) == 0
    epochs, _ = metrics.read(run)
    assert [r["epoch"] for r in epochs] == [0, 1, 2, 3] and epochs[-1]["test_bce"] > 0


def test_a_resume_from_epoch_0_drops_the_lines_of_the_epochs_its_checkpoint_lacks(
        tmp_path, monkeypatch):
    # A sweep's worker was killed so under load: its retry repeated epochs 1 and 2
    unbroken = train(tmp_path / "unbroken", "simple", "--epochs", "2")
    with monkeypatch.context() as patched:
        only_epoch_0_checkpoint_lands(patched)
        broken = train(tmp_path / "broken", "simple", "--epochs", "2")
    assert saved_epoch(broken) == 0
    assert [r["epoch"] for r in metrics.read(broken)[0]] == [0, 1, 2]
    assert main(["--resume", broken, "--epochs", "2"]) == 0
    assert [r["epoch"] for r in metrics.read(broken)[0]] == [0, 1, 2]
    assert comparable(unbroken) == comparable(broken)


def test_loaded_model_reproduces_the_logged_test_score(tmp_path):
    run = train(tmp_path / "run", "conv", "--epochs", "2")
    model = aezoo.load(run)
    test = load("digits").test
    out = np.clip(model.reconstruct(test), 1e-7, 1 - 1e-7)
    bce = -(test * np.log(out) + (1 - test) * np.log(1 - out)).mean()
    assert bce == pytest.approx(metrics.read(run)[0][-1]["test_bce"], rel=1e-3)
    np.testing.assert_allclose(model.decode(model.encode(test[:5])), model.reconstruct(test[:5]),
                               atol=1e-6)
    assert model.config.model == "conv" and model.code_size == 32  # 8x8 -> 2x2 map of 8 channels


def test_diverging_loss_stops_with_one_line_and_keeps_the_last_good_epoch(tmp_path, capsys):
    run = tmp_path / "nan"
    code = main(["simple", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "3", *TINY,
                 "--out", str(run)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[-1].startswith("aezoo run: error: loss became nan") and "epoch 0 kept" in err[-1]
    assert checkpoints.read_meta(str(run))["epoch"] == 0
    assert [r["epoch"] for r in metrics.read(str(run))[0]] == [0]
    assert all(np.isfinite(v).all() for v in weights(str(run)).values())


def test_ctrl_c_keeps_the_finished_epochs_and_says_how_to_resume(tmp_path):
    run = str(tmp_path / "run")
    proc = subprocess.Popen([sys.executable, "-m", "aezoo.run", "deep", *TINY, "--epochs", "500",
                             "--out", run], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and saved_epoch(run) < 2:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"--resume {run}" in err and "Traceback" not in err
    saved = checkpoints.read_meta(run)["epoch"]
    assert saved >= 2 and metrics.read(run)[0][-1]["epoch"] >= saved
    assert main(["--resume", run, "--epochs", str(saved + 1)]) == 0
    assert [r["epoch"] for r in metrics.read(run)[0]] == list(range(saved + 2))


def test_resume_from_the_untrained_checkpoint_equals_an_unbroken_run(tmp_path, monkeypatch, capsys):
    unbroken = train(tmp_path / "unbroken", "simple", "--epochs", "2")
    run = str(tmp_path / "run")
    restore = ctrl_c_in_epoch(monkeypatch, 1)
    assert main(["simple", "--epochs", "2", *TINY, "--out", run]) == 130
    assert f"epoch 0 saved. Continue with: aezoo run --resume {run}" in capsys.readouterr().err
    restore()
    assert main(["--resume", run]) == 0
    for key, value in weights(unbroken).items():
        np.testing.assert_allclose(value, weights(run)[key], atol=1e-6, err_msg=key)
    assert comparable(unbroken) == comparable(run)  # one epoch-0 line, not two


def test_divergence_in_the_last_update_is_caught_by_the_evaluation(tmp_path, capsys):
    run = str(tmp_path / "run")
    code = main(["simple", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "2", "--data", "digits",
                 "--no-video", "--batch-size", "5000", "--out", run])  # one batch per epoch
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 3  # the "training ..." line, epoch 0's, the error
    assert err[1].startswith("epoch 0/2  test ") and err[1].endswith("untrained")
    assert err[-1].startswith("aezoo run: error: test loss became nan after epoch 1")
    assert checkpoints.read_meta(run)["epoch"] == 0
    assert [r["epoch"] for r in metrics.read(run)[0]] == [0]


@pytest.mark.parametrize("epochs", ["1", "-1"])
def test_resume_to_fewer_epochs_than_trained_is_refused(tmp_path, capsys, epochs):
    run = train(tmp_path / "run", "simple", "--epochs", "2")
    before = {name: open(os.path.join(run, name), "rb").read() for name in
              ("config.json", "metrics.jsonl", checkpoints.FILE)}
    capsys.readouterr()
    assert main(["--resume", run, "--epochs", epochs]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("aezoo run: error: ") and f"epochs {epochs}" in line
    for name, content in before.items():
        assert open(os.path.join(run, name), "rb").read() == content, name


def test_resume_drops_a_torn_last_line_and_events_newer_than_the_checkpoint(tmp_path):
    run = train(tmp_path / "run", "deep", "--grow-every", "1", "--epochs", "2")
    metrics.append(run, {"event": "growth", "epoch": 3, "depth": 3})  # killed before checkpoint 3
    rundir.write_architecture(run, 3, {"params": -1, "layers": []})  # ... after recording it
    rundir.write_architecture(run, 4, {"params": -1, "layers": []})
    with open(os.path.join(run, metrics.FILE), "a") as f:
        f.write('{"epoch": 3, "test_b')  # and in the middle of a line
    assert main(["--resume", run, "--epochs", "3"]) == 0
    epochs, events = metrics.read(run)
    assert [r["epoch"] for r in epochs] == [0, 1, 2, 3]
    assert [(e["epoch"], e["depth"]) for e in events if e["event"] == "growth"] == [(2, 2), (3, 3)]
    entries = rundir.read_architecture(run)
    assert [e["epoch"] for e in entries] == [0, 2, 3]
    assert entries[-1]["params"] == epochs[-1]["params"] == aezoo.load(run).model.n_params()


def test_a_damaged_checkpoint_is_one_line_and_left_alone(tmp_path, capsys):
    run = train(tmp_path / "run", "simple", "--epochs", "1")
    path = os.path.join(run, checkpoints.FILE)
    with open(path, "r+b") as f:
        f.truncate(100)
    damaged = open(path, "rb").read()
    capsys.readouterr()
    assert main(["--resume", run, "--epochs", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is damaged" in err[0]
    assert open(path, "rb").read() == damaged


def test_a_run_of_aezoo_0_1_loads_resumes_and_says_why_it_has_no_video(tmp_path, capsys):
    """0.1 saved a deep model's shape as {"widths": ...}, no architecture.json, PNGs only."""
    from aezoo.commands import render
    run = train(tmp_path / "old", "deep", "--epochs", "1")
    x = load("digits").test[:5]
    expected = aezoo.load(run).reconstruct(x)
    path = os.path.join(run, checkpoints.FILE)
    with np.load(path) as npz:
        saved = {k: npz[k] for k in npz.files}
    meta = json.loads(str(saved["meta"]))
    meta["arch"] = {"widths": [128, 64, 32], "linear_code": False}
    saved["meta"] = np.array(json.dumps(meta))
    np.savez(path, **saved)
    os.remove(os.path.join(run, rundir.ARCHITECTURE))
    for name in os.listdir(os.path.join(run, "recon")):
        if name.endswith(".npz"):
            os.remove(os.path.join(run, "recon", name))
    np.testing.assert_allclose(aezoo.load(run).reconstruct(x), expected, atol=1e-7)
    capsys.readouterr()
    assert render.main([run]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "snapshots as pictures only (made by aezoo 0.1)" in line
    assert main(["--resume", run, "--epochs", "2"]) == 0
    (entry,) = rundir.read_architecture(run)
    assert entry["epoch"] == 0 and entry["arch"] == {
        "hidden": [128, 64], "code_dim": 32, "linear_code": False,  # and today's defaults:
        "activation": "relu", "init": "glorot_uniform", "batch_norm": False, "dropout": 0.0}
