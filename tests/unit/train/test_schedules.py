"""Learning-rate schedules are pure functions of the iteration: logged as computed, and the
same to the bit after an interrupt and a resume."""
import numpy as np
import pytest

from aezoo.runs import metrics, checkpoints
from aezoo.run import main
from aezoo.train.schedules import lr_factor
from conftest import TINY, ctrl_c_in_epoch


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
    restore = ctrl_c_in_epoch(monkeypatch, 3)
    assert main(["simple", "--lr-schedule", kind, "--epochs", "4", *TINY, "--out", broken]) == 130
    restore()
    assert main(["--resume", broken]) == 0
    assert [r["lr"] for r in metrics.read(broken)[0][1:]] == logged
    with np.load(f"{run}/{checkpoints.FILE}") as a, np.load(f"{broken}/{checkpoints.FILE}") as b:
        for key in a.files:
            if key != "meta":
                np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_rmsprop_schedules_its_learning_rate_not_its_decay_rate(tmp_path):
    """RMSprop's `alpha` is its decay rate: --lr-schedule, the logged lr and --grow-warmup move
    `lr`, the step size, as they move Adam's `alpha`."""
    run = str(tmp_path / "run")
    assert main(["simple", "--optimizer", "rmsprop", "--lr-schedule", "step", "--epochs", "4",
                 *TINY, "--out", run]) == 0
    assert [r["lr"] for r in metrics.read(run)[0][1:]] == pytest.approx([1e-3, 1e-3, 1e-4, 1e-5])
    with np.load(f"{run}/{checkpoints.FILE}") as ckpt:
        decay = [ckpt[k] for k in ckpt.files if k.startswith("optimizer/") and k.endswith("/alpha")]
    assert all(d == pytest.approx(0.99) for d in decay)


def test_step_size_name_is_the_learning_rate_of_each_optimizer():
    import chainer
    from aezoo.train.optimizers import learning_rate, step_size_name
    names = {opt: step_size_name(getattr(chainer.optimizers, opt)().hyperparam)
             for opt in ("Adam", "RMSprop", "SGD", "AdaDelta")}
    assert names == {"Adam": "alpha", "RMSprop": "lr", "SGD": "lr", "AdaDelta": None}
    assert learning_rate(chainer.optimizers.RMSprop(lr=0.005, alpha=0.9)) == 0.005



def test_final_decay_holds_the_rate_then_falls_linearly_to_zero_and_resumes_to_the_bit(
        tmp_path, monkeypatch):
    """--lr-decay 0.5 over 4 epochs: the rate of the first half is --lr's, then it falls in a
    straight line to 0 at the run's end; an interrupted run resumes onto the same line."""
    run = str(tmp_path / "run")
    assert main(["simple", "--lr", "2e-3", "--lr-decay", "0.5", "--epochs", "4", *TINY,
                 "--out", run]) == 0
    logged = [r["lr"] for r in metrics.read(run)[0][1:]]
    n = 23  # batches an epoch; the logged rate is that of each epoch's last batch
    assert logged[:2] == pytest.approx([2e-3, 2e-3])
    assert logged[2:] == pytest.approx([2e-3 * (1 - (e * n - 1) / (4 * n)) / 0.5 for e in (3, 4)])
    assert logged[3] < logged[2] < 2e-3 and logged[3] == pytest.approx(2e-3 / (2 * n))
    broken = str(tmp_path / "broken")
    restore = ctrl_c_in_epoch(monkeypatch, 3)
    assert main(["simple", "--lr", "2e-3", "--lr-decay", "0.5", "--epochs", "4", *TINY,
                 "--out", broken]) == 130
    restore()
    assert main(["--resume", broken]) == 0
    assert [r["lr"] for r in metrics.read(broken)[0][1:]] == logged


def test_final_decay_multiplies_a_schedule():
    assert lr_factor("cosine", 4, 0, 10, 4, decay=0.25) == pytest.approx(
        0.5 * (1 + np.cos(np.pi * 0.75)))  # the decay's first batch: the schedule alone
    assert lr_factor("step", 4, 5, 10, 4, decay=0.25) == pytest.approx(0.01 * 0.5)
    assert lr_factor("constant", 1, 0, 10, 4, decay=1.0) == 1.0


@pytest.mark.parametrize("args, message", [
    (["--lr-decay", "1.5"], "--lr-decay 1.5"),
    (["--lr-decay", "-0.1"], "--lr-decay -0.1"),
    (["--optimizer", "adadelta", "--lr-decay", "0.2"],
     "--lr-decay 0.2: adadelta has no learning rate to schedule"),
])
def test_a_bad_final_decay_is_one_line(tmp_path, capsys, args, message):
    out = tmp_path / "run"
    assert main(["simple", *args, *TINY, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and not out.exists()
