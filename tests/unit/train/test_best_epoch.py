"""The best epoch: its checkpoint is kept and loads, patience stops early (and a sweep does
not restart it), a VAE in KL warm-up is judged by its ELBO and growth restarts the count."""
import numpy as np
import pytest

import aezoo
from aezoo.commands import sweep
from aezoo.data import load
from aezoo.runs import metrics, checkpoints
from aezoo.run import main
from conftest import TINY


@pytest.fixture
def overfits(tmp_path):
    """A wide model on 20 training images: its test loss turns up after epoch 11."""
    path = tmp_path / "few.npy"
    np.save(path, load("digits").train[:25])
    return ["deep", "--hidden", "256", "--code-dim", "64", "--optimizer", "adam", "--lr", "0.01",
            "--batch-size", "4", "--data", f"npy:{path}", "--no-video"]


def test_the_best_epoch_is_kept_and_loads(tmp_path, overfits):
    run = str(tmp_path / "run")
    assert main([*overfits, "--epochs", "12", "--out", run]) == 0
    logged = metrics.read(run)[0]
    best = min(logged, key=lambda r: r["test_loss"])
    assert best["epoch"] != logged[-1]["epoch"], "the run should end past its best epoch"
    assert checkpoints.read_meta(run, "best")["epoch"] == best["epoch"]
    test = load(f"npy:{tmp_path / 'few.npy'}").test
    out = np.clip(aezoo.load(run, which="best").reconstruct(test), 1e-7, 1 - 1e-7)
    bce = -(test * np.log(out) + (1 - test) * np.log(1 - out)).mean()
    assert bce == pytest.approx(best["test_bce"], rel=1e-3)
    assert not np.allclose(aezoo.load(run).reconstruct(test[:5]),
                           aezoo.load(run, which="best").reconstruct(test[:5]))


@pytest.mark.slow
def test_patience_stops_early_and_a_sweep_does_not_restart_it(tmp_path, capsys, overfits):
    path = tmp_path / "s.toml"
    path.write_text(f'[defaults]\ndata = "{overfits[-2]}"\n'
                    'epochs = 30\nlr = 0.01\nbatch_size = 4\nhidden = [256]\ncode_dim = 64\n'
                    'patience = 2\n[runs.a]\nmodel = "deep"\n')
    assert sweep.main([str(path), "--out", str(tmp_path / "sw")]) == 0
    run = tmp_path / "sw" / "a"
    logged = metrics.read(run)[0]
    best = min(logged, key=lambda r: r["test_loss"])["epoch"]
    assert logged[-1]["epoch"] == best + 2 < 30  # two epochs without a better test loss
    assert checkpoints.read_meta(str(run))["state"]["stopped_early"] == best + 2
    err = capsys.readouterr().err
    assert f"stopped early after epoch {best + 2}: no better test loss for 2 epochs" in err
    assert sweep.main([str(path), "--out", str(tmp_path / "sw")]) == 0
    assert f"skip (stopped early, {best + 2} epochs)" in capsys.readouterr().err
    # Resumed by hand it goes on, and its patience counts from the resume.
    assert main(["--resume", str(run), "--epochs", str(best + 4)]) == 0
    assert metrics.read(run)[0][-1]["epoch"] == best + 4  # not stopped again after one epoch
    assert checkpoints.read_meta(str(run))["state"]["patience_from"] == best + 2


def test_a_vae_in_kl_warm_up_is_judged_by_its_elbo_and_growth_restarts_the_count(tmp_path):
    run = str(tmp_path / "vae")
    assert main(["vae", "--hidden", "64", "--code-dim", "4", "--kl-warmup", "4", "--epochs", "4",
                 *TINY, "--out", run]) == 0
    logged = metrics.read(run)[0][1:]
    assert checkpoints.read_meta(run, "best")["epoch"] == min(logged, key=lambda r: r["test_elbo"])[
        "epoch"]
    grown = str(tmp_path / "deep")
    assert main(["deep", "--grow-every", "2", "--patience", "1", "--epochs", "6", *TINY,
                 "--out", grown]) == 0
    best = checkpoints.read_meta(grown)["state"]["best"]
    assert best["depth"] == 3 and best["epoch"] >= 5  # measured again from the last growth
