"""What a Keras or Lightning user expects: a line per epoch, growth told, quiet when asked;
score tables on stdout; suggestions for misspelled options; the best checkpoint, early
stopping and learning-rate schedules, resume-exact; the Keras blog's conv decoder and
noise drawn once per image."""
import re

import numpy as np
import pytest

import aezoo
from aezoo.commands import compare, sweep
from aezoo.data import load
from aezoo.models import regularizers
from aezoo.models.conv import ConvAE
from aezoo.runs import metrics
from aezoo.run import main
from aezoo.runs import checkpoints
from aezoo.train.loop import Trainer
from aezoo.train.schedules import lr_factor

TINY = ["--data", "digits", "--no-video", "--batch-size", "64"]
LINE = re.compile(r"^epoch (\d+)/(\d+)  train \d+\.\d{4}  test \d+\.\d{4}(  best)?  \d+\.\d s$")


def test_a_line_per_epoch_and_growth_are_printed_when_stderr_is_not_a_terminal(tmp_path, capsys):
    run = str(tmp_path / "run")
    assert main(["deep", "--grow-every", "1", "--epochs", "3", *TINY, "--out", run]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"aezoo: training deep on digits (8, 8) into {run}"
    assert re.match(r"^epoch 0/3  test \d\.\d{4}  untrained$", lines[1])
    epochs = [m for m in map(LINE.match, lines) if m]
    assert [int(m.group(1)) for m in epochs] == [1, 2, 3]
    logged = metrics.read(run)[0]
    losses = [r["test_loss"] for r in logged[1:]]
    growths = {2, 3}  # a grown model is measured against itself: its first epoch is its best
    running = [i == 0 or e in growths or loss < min(losses[max(j for j in range(i + 1)
               if j == 0 or j + 1 in growths):i]) for i, (e, loss) in
               enumerate(zip((1, 2, 3), losses))]
    assert [bool(m.group(3)) for m in epochs] == running
    assert f"test {logged[2]['test_loss']:.4f}" in next(l for l in lines if l.startswith("epoch 2/3"))
    grew = [line for line in lines if line.startswith("grew to")]
    assert grew[0].startswith("grew to depth 2: 64-128-64, 33,152 params, test BCE +")
    assert len(grew) == 2 and lines.index(grew[0]) < lines.index(next(
        line for line in lines if line.startswith("epoch 2/3")))  # said before its epoch's line
    capsys.readouterr()
    assert main(["--resume", run, "--epochs", "4"]) == 0
    assert capsys.readouterr().err.splitlines()[0].startswith("aezoo: resuming from epoch 3 deep")


def test_quiet_prints_nothing_but_errors(tmp_path, capsys):
    assert main(["simple", "--epochs", "2", *TINY, "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert capsys.readouterr().err == ""
    assert main(["simple", "--epochs", "0", *TINY, "--quiet"]) == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["deep", "--grow-evry", "4"], "unrecognized arguments: --grow-evry 4; did you mean --grow-every?"),
    (["deeep"], "invalid choice: 'deeep'"),
    (["deep", "--hidden", "128x64"], "argument --hidden: expected comma-separated integers like "
                                     "128,64, got '128x64'"),
])
def test_a_misspelled_option_gets_a_suggestion_and_a_bad_value_its_name(argv, message, capsys):
    assert main(argv + ["--data", "digits"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert message in line
    if argv == ["deeep"]:
        assert line.endswith("; did you mean deep?")


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"aezoo {aezoo.__version__}"


def test_compare_and_sweep_print_their_score_table(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[defaults]\ndata = "digits"\nepochs = 1\n[runs.a]\nmodel = "simple"\n')
    assert sweep.main([str(path), "--out", str(tmp_path / "sw")]) == 0
    out = capsys.readouterr().out
    assert "| run | model | epochs |" in out and "| a | simple | 1 |" in out and "| pca-32 |" in out
    assert compare.main([str(tmp_path / "sw" / "a"), "--out", str(tmp_path / "c"),
                         "--format", "gif"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("| run | model |") and "| a | simple | 1 |" in out


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


@pytest.mark.parametrize("kind", ["step", "cosine"])
def test_learning_rate_schedules_are_pure_functions_of_the_iteration(tmp_path, monkeypatch, kind):
    run = str(tmp_path / "run")
    assert main(["simple", "--lr-schedule", kind, "--epochs", "4", *TINY, "--out", run]) == 0
    logged = [r["lr"] for r in metrics.read(run)[0][1:]]  # lr after each epoch's last batch
    n = 23
    assert logged == pytest.approx([1e-3 * lr_factor(kind, e, n - 1, n, 4) for e in (1, 2, 3, 4)])
    if kind == "step":
        assert logged[0] == pytest.approx(1e-3) and logged[-1] == pytest.approx(1e-5)
    else:
        assert logged[-1] < 1e-5 and logged[1] == pytest.approx(1e-3 * 0.5 * (1 + np.cos(
            np.pi * (2 * n - 1) / (4 * n))))
    # Interrupted in epoch 3 and resumed: the same run, to the bit.
    broken = str(tmp_path / "broken")
    real = Trainer.train_epoch

    def ctrl_c_in_epoch_3(self):
        if self.epoch == 3:
            raise KeyboardInterrupt
        return real(self)
    monkeypatch.setattr(Trainer, "train_epoch", ctrl_c_in_epoch_3)
    assert main(["simple", "--lr-schedule", kind, "--epochs", "4", *TINY, "--out", broken]) == 130
    monkeypatch.setattr(Trainer, "train_epoch", real)
    assert main(["--resume", broken]) == 0
    assert [r["lr"] for r in metrics.read(broken)[0][1:]] == logged
    with np.load(f"{run}/{checkpoints.FILE}") as a, np.load(f"{broken}/{checkpoints.FILE}") as b:
        for key in a.files:
            if key != "meta":
                np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_the_keras_decoder_doubles_each_stage_and_ends_with_a_valid_conv():
    model = ConvAE((28, 28), hidden=[16, 8, 8], decoder="keras")
    assert [after for _, _, _, after in model.steps] == [(8, 8), (16, 16), (28, 28)]
    assert [pad for _, pad, _, _ in model.steps] == [1, 1, 0]  # 16 -> 14 by a valid conv
    layers = model.layers()
    convs = [layer for layer in layers if layer["type"] == "conv3x3"][3:]  # the decoder's
    assert [c["out"] for c in convs] == [[8, 4, 4], [8, 8, 8], [16, 14, 14], [1, 28, 28]]
    assert convs[2]["pad"] == 0
    x = np.random.RandomState(0).rand(2, 28, 28).astype(np.float32)
    assert model.reconstruct(x).shape == (2, 28, 28)


def test_noise_once_gives_each_image_one_noise_for_the_whole_run():
    noise = regularizers.noise("gaussian", 0.5, True, np.random.default_rng(0))
    x = load("digits").train[:6]
    first, again = noise(x), noise(x[::-1])  # the same images, in another batch order
    np.testing.assert_array_equal(again[::-1], first)
    assert not np.allclose(first[0] - x[0], first[1] - x[1])  # but not the same for all
    fresh = regularizers.noise("gaussian", 0.5, False, np.random.default_rng(0))
    assert not np.allclose(fresh(x), fresh(x))


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


def test_a_suggestion_comes_only_from_the_option_it_is_for(capsys):
    assert main(["deep", "--lr-schedule", "sgd", "--data", "digits"]) == 2
    assert "did you mean" not in capsys.readouterr().err  # sgd is an optimizer, not a schedule
    assert main(["deep", "--optimizer", "adm", "--data", "digits"]) == 2
    assert capsys.readouterr().err.rstrip().endswith("did you mean adam?")


def test_noise_once_comes_through_the_command_line_and_follows_the_seed():
    from aezoo.commands.run import configure
    from aezoo.train.build import build_model
    x = load("digits").train[:4]
    drawn = {}
    for seed in (0, 1):
        cfg, _, _ = configure(["simple", "--noise", "gaussian:0.5:once", "--seed", str(seed)])
        model = build_model(cfg, (8, 8), np.random.default_rng(seed))
        assert model.noise.once
        drawn[seed] = model.noise(x)
        np.testing.assert_array_equal(model.noise(x), drawn[seed])
    assert not np.allclose(drawn[0], drawn[1])


def test_in_a_terminal_the_lines_go_above_a_run_bar():
    import io
    from aezoo.train.terminal import Terminal
    stream = io.StringIO()
    terminal = Terminal(total=3, start=1, tty=True, quiet=False, stream=stream)
    terminal.say("epoch 2/3  train 0.5000  test 0.4000  best  0.1 s")
    terminal.bar.update(1)
    terminal.close()
    text = stream.getvalue()
    assert "epoch 2/3  train 0.5000" in text and "run:" in text and "2/3" in text
