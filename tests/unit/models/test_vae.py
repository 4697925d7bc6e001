"""The VAE: its KL against the closed form, the reparameterisation gradient, seeded sampling,
the importance-weighted bound, the KL warm-up, beta, snapshots of samples and of the code
space, and resume."""
import chainer
import numpy as np
import pytest

import aezoo
from aezoo.data import load
from aezoo.models.vae import VAE
from aezoo.runs import metrics
from aezoo.run import main
from aezoo.runs import checkpoints
from aezoo.train.schedules import warmup
from aezoo.viz import tiles
from aezoo.runs import recon
from aezoo.train import capture

TINY = ["--data", "digits", "--no-video", "--batch-size", "64"]


def x(n=32):
    return load("digits").test[:n]


def report(model, batch, train=True):
    observation = {}
    reporter = chainer.Reporter()
    reporter.add_observer("main", model)
    with reporter.scope(observation), chainer.using_config("train", train):
        loss = model(batch)
    return loss, {k.split("/")[-1]: float(chainer.as_array(v)) for k, v in observation.items()}


@pytest.mark.parametrize("encoder", ["dense", "conv"])
def test_kl_is_the_closed_form_and_the_loss_is_reconstruction_plus_beta_kl(encoder):
    model = VAE((8, 8), hidden=[16, 8] if encoder == "conv" else [32], code_dim=3,
                encoder=encoder, beta=0.5)
    batch = x()
    _, seen = report(model, batch)
    mu, ln_var = (a.array.astype(np.float64) for a in model._stats(batch))
    closed = 0.5 * (mu ** 2 + np.exp(ln_var) - ln_var - 1).sum() / len(batch)
    assert seen["kl"] == pytest.approx(closed, rel=1e-5)
    assert seen["loss"] == pytest.approx(seen["reconstruction"] + 0.5 * seen["kl"], rel=1e-6)
    assert seen["elbo"] == pytest.approx(seen["reconstruction"] + seen["kl"], rel=1e-6)


def test_the_gradient_reaches_both_heads_through_the_sample():
    model = VAE((8, 8), hidden=[32], code_dim=3)
    loss, _ = report(model, x())
    model.cleargrads()
    loss.backward()
    for head in (model.mu, model.ln_var):
        assert np.abs(head.W.grad).sum() > 0 and np.abs(head.b.grad).sum() > 0


def test_sampling_is_reproducible_from_the_runs_generator():
    def loss_with(seed):
        np.random.seed(0)  # the same weights
        model = VAE((8, 8), hidden=[32], code_dim=3)
        model.set_rng(np.random.default_rng(seed))
        return float(report(model, x())[0].array)
    assert loss_with(5) == loss_with(5) != loss_with(6)


def test_the_importance_weighted_bound_is_the_elbo_for_one_sample_and_tighter_for_many():
    np.random.seed(0)
    model = VAE((8, 8), hidden=[32], code_dim=3, iw_samples=1)
    model.set_rng(np.random.default_rng(0))
    batch = x(200)
    with chainer.using_config("train", False), chainer.no_backprop_mode():
        mu, ln_var = model._stats(batch)
        one = np.mean([float(model.iw_nll(batch, mu, ln_var)) for _ in range(300)])
        _, seen = report(model, batch, train=False)
        elbos = [report(model, batch, train=False)[1]["elbo"] for _ in range(300)]
        model.iw_samples = 100
        many = float(model.iw_nll(batch, mu, ln_var))
    assert one == pytest.approx(np.mean(elbos), rel=0.01)  # E[-log w] is the negative ELBO
    assert many < one - 0.5 and "iw_nll" in seen


def test_kl_warm_up_follows_its_schedule_and_only_a_vae_takes_it(tmp_path, capsys, monkeypatch):
    scales = []
    real = VAE.forward

    def watch(self, batch):
        if chainer.config.train:
            scales.append(self.kl_scale)
        return real(self, batch)
    monkeypatch.setattr(VAE, "forward", watch)
    run = str(tmp_path / "run")
    assert main(["vae", "--kl-warmup", "2", "--epochs", "3", *TINY, "--out", run]) == 0
    n = 23  # 1438 images in batches of 64
    expected = [warmup(e, b, n, 2) for e in (1, 2, 3) for b in range(n)]
    np.testing.assert_allclose(scales, expected)
    assert expected[n - 1] == 0.5 and expected[2 * n - 1] == 1.0 == expected[-1]
    assert main(["simple", "--kl-warmup", "2", *TINY, "--out", str(tmp_path / "s")]) == 2
    assert "--kl-warmup: model simple has no KL term" in capsys.readouterr().err


def test_snapshots_keep_fixed_prior_samples_and_the_2d_code_space(tmp_path):
    run = tmp_path / "run"
    assert main(["vae", "--hidden", "64", "--code-dim", "2", "--epochs", "2", *TINY,
                 "--out", str(run)]) == 0
    first, last = (recon.read(run / recon.FOLDER, e) for e in (0, 2))
    assert last["samples"].shape == (10, 8, 8) and last["manifold"].shape == (100, 8, 8)
    assert np.abs(first["samples"] - last["samples"]).max() > 0.05  # the model learned
    model, codes = aezoo.load(run), capture.prior_codes(2, 10)
    np.testing.assert_allclose(last["samples"], model.decode(codes["samples"]), atol=1e-6)
    np.testing.assert_allclose(last["manifold"], model.decode(codes["manifold"]), atol=1e-6)
    assert codes["manifold"][0].tolist() == pytest.approx([-1.645, 1.645], abs=1e-3)  # top left
    picture, labels, titles = tiles.labelled_grid(last)
    assert [label for _, label in labels] == ["input", "output", "sample"] and len(titles) == 1


@pytest.mark.slow
def test_a_vae_learns_and_resumes_exactly(tmp_path):
    args = ["vae", "--hidden", "64", "--code-dim", "4", "--kl-warmup", "2", "--iw-samples", "3",
            "--seed", "2", *TINY]
    unbroken, broken = str(tmp_path / "unbroken"), str(tmp_path / "broken")
    assert main([*args, "--epochs", "3", "--out", unbroken]) == 0
    assert main([*args, "--epochs", "1", "--out", broken]) == 0
    assert main(["--resume", broken, "--epochs", "3"]) == 0
    epochs = metrics.read(unbroken)[0]
    assert epochs[-1]["test_elbo"] < epochs[0]["test_elbo"] - 5  # nats per image
    assert {"test_elbo_mean", "test_iw_nll", "test_kl", "test_bce", "test_sqerr"} <= set(epochs[-1])
    arrays = recon.read(f"{unbroken}/{recon.FOLDER}", 3)
    assert "samples" in arrays and "manifold" not in arrays  # a 4-D code has no 2-D picture
    strip = lambda r: [{k: v for k, v in e.items() if k != "seconds"} for e in metrics.read(r)[0]]  # noqa
    assert strip(unbroken) == strip(broken)
    a, b = (np.load(f"{r}/{checkpoints.FILE}") for r in (unbroken, broken))
    for key in a.files:
        if key != "meta":
            np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)


def growth(run):
    return [e for e in metrics.read(run)[1] if e["event"] == "growth"]


def test_a_dense_vae_grows_under_its_heads_and_the_new_layers_train(tmp_path):
    args = ["vae", "--hidden", "64,32", "--code-dim", "4", "--grow-every", "2", "--seed", "1", *TINY]
    runs = {init: str(tmp_path / init) for init in ("identity", "random")}
    for init, run in runs.items():
        assert main([*args, "--grow-init", init, "--epochs", "3", "--out", run]) == 0
    (identity,), (random,) = growth(runs["identity"]), growth(runs["random"])
    assert identity["widths"] == [64, 32] and identity["depth"] == 2
    assert abs(identity["test_bce_jump"]) < 0.6 * random["test_bce_jump"]  # the heads carried over
    model = aezoo.load(runs["identity"]).model
    assert model.mu.W.shape == (4, 32) and model.from_z.W.shape == (32, 4)
    grown = checkpoints.read_meta(runs["identity"])["arch"]
    assert grown["hidden"] == [64, 32]
    # The new pair and the new heads trained in epoch 3: their Adam steps are counted.
    with np.load(f"{runs['identity']}/{checkpoints.FILE}") as npz:
        for path in ("/mu/W", "/from_z/W", "/body/encoders/1/W", "/body/decoders/1/W"):
            assert int(npz[f"optimizer{path}/t"]) == 23, path  # one epoch of 23 batches
        assert int(npz["optimizer/body/encoders/0/W/t"]) == 3 * 23  # the old layer kept its count


@pytest.mark.slow
def test_a_vae_resumes_across_a_growth_exactly(tmp_path):
    args = ["vae", "--hidden", "64,32", "--code-dim", "4", "--grow-every", "2",
            "--grow-init", "identity", *TINY]
    unbroken, broken = str(tmp_path / "unbroken"), str(tmp_path / "broken")
    assert main([*args, "--epochs", "4", "--out", unbroken]) == 0
    assert main([*args, "--epochs", "2", "--out", broken]) == 0
    assert main(["--resume", broken, "--epochs", "4"]) == 0
    a, b = (np.load(f"{r}/{checkpoints.FILE}") for r in (unbroken, broken))
    assert a.files == b.files
    for key in a.files:
        if key != "meta":
            np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)


@pytest.mark.parametrize("extra, message", [
    (["--encoder", "conv"], "a conv encoder cannot grow"),
    (["--fade-in", "1"], "a vae grows without fade-in"),
])
def test_what_a_vae_cannot_grow_with_is_one_line(tmp_path, capsys, extra, message):
    out = tmp_path / "run"
    assert main(["vae", "--grow-every", "2", *extra, *TINY, "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert message in line and not out.exists()
