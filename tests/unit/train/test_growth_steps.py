"""Growth through the trainer: the fade-in's alpha per batch, the exact Adam step after a
growth, equal windows before and after it, dead units counted, the end of a fade-in recorded."""
import numpy as np
import pytest

import aezoo
from aezoo.data import load
from aezoo.runs import metrics, rundir
from aezoo.run import main
from aezoo.results import comparison
from conftest import TINY, growing_trainer


def trainer_that_grows(events, **options):
    """deep on digits growing by one pair at the start of epoch 2; growth events into `events`."""
    return growing_trainer(events, **options)


def test_fade_in_alpha_follows_its_schedule_through_the_trainer_and_reaches_one():
    events = []
    trainer = trainer_that_grows(events, grow_every=2, fade_in=2)  # grows at epoch 3
    seen = []
    trainer.add_callback("batch_start", lambda t: seen.append((t.epoch, t.model.fade_alpha)))
    trainer.run(5)
    n = trainer.n_batches()
    alphas = [a for epoch, a in seen if epoch in (3, 4)]
    np.testing.assert_allclose(alphas, np.arange(1, 2 * n + 1) / (2 * n))  # set before each batch
    assert all(a == 1.0 for epoch, a in seen if epoch in (1, 2, 5))
    (growth,) = [e for e in events if e["event"] == "growth"]
    assert growth["test_bce_jump"] == pytest.approx(0, abs=1e-7)  # evaluated at alpha = 0
    (faded,) = [e for e in events if e["event"] == "faded_in"]
    assert faded["epoch"] == 4 and not trainer.model.fading
    assert trainer.model.encode(load("digits").test[:3]).shape == (3, 16)  # the new code


def test_the_first_step_after_growth_is_adams_with_bias_correction():
    trainer = trainer_that_grows([], grow_warmup=0)  # Adam's own step, not a warmed-up share
    trainer.run(1)
    hp = trainer.optimizer.hyperparam
    seen = {}

    def before(t):
        if t.epoch == 2 and t.batch == 0:
            seen["before"] = {path: (p.array.copy(), p.update_rule.t,
                                     {k: v.copy() for k, v in p.update_rule.state.items()}
                                     if p.update_rule.state else None)
                              for path, p in t.model.namedparams()}

    def after(t):
        if t.epoch == 2 and t.batch == 0:
            seen["after"] = {path: (p.array.copy(), p.grad.copy()) for path, p in t.model.namedparams()}
    trainer.add_callback("batch_start", before)
    trainer.add_callback("batch_end", after)
    trainer.run(2)
    new = [path for path, (_, t, _) in seen["before"].items() if t == 0]
    assert len(new) == 4  # the grown pair: W and b twice
    for path, (value, t, state) in seen["before"].items():
        grad = seen["after"][path][1]
        m = (state["m"] if state else 0) * hp.beta1 + (1 - hp.beta1) * grad
        v = (state["v"] if state else 0) * hp.beta2 + (1 - hp.beta2) * grad * grad
        step = t + 1  # Chainer's Adam: lr = alpha * sqrt(1 - beta2^t) / (1 - beta1^t)
        lr = hp.alpha * np.sqrt(1 - hp.beta2 ** step) / (1 - hp.beta1 ** step)
        expected = value - lr * m / (np.sqrt(v) + hp.eps)
        np.testing.assert_allclose(seen["after"][path][0], expected, rtol=1e-5, atol=1e-7,
                                   err_msg=path)


def growth_events(run):
    return [e for e in metrics.read(run)[1] if e["event"] in ("growth", "growth_batches")]


def test_growth_compares_equal_windows_and_counts_dead_units(tmp_path):
    runs = {}
    for init in ("random", "identity"):
        runs[init] = str(tmp_path / init)
        assert main(["deep", "--grow-every", "3", "--epochs", "4", "--grow-init", init, *TINY,
                     "--out", runs[init]]) == 0
    for init, run in runs.items():
        growth, batches = growth_events(run)
        assert batches["batches_before"] == batches["batches_after"] == 23  # 1438 / 64
        assert 0 <= growth["dead_units"] <= 64
    assert growth_events(runs["identity"])[0]["dead_units"] == 0  # every unit starts switched on
    assert growth_events(runs["random"])[0]["dead_units"] > 0


def test_the_end_of_a_fade_in_is_recorded_and_compare_sees_the_new_code(tmp_path):
    run = tmp_path / "run"
    assert main(["deep", "--grow-every", "2", "--fade-in", "2", "--epochs", "5", *TINY,
                 "--out", str(run)]) == 0
    entries = rundir.read_architecture(run)
    assert [e["epoch"] for e in entries] == [0, 3, 4, 5]  # grow, faded in, grow (fading)
    codes = [[layer["out"] for layer in e["layers"] if layer.get("code")][0] for e in entries]
    assert codes == [[128], [128], [64], [64]]  # fading: the old code is the model's code
    faded = [e for e in metrics.read(run)[1] if e["event"] == "faded_in"]
    assert [e["epoch"] for e in faded] == [4]
    rows = comparison.table(comparison.load_runs([str(run)]))
    assert rows[0]["code_size"] == 64 == aezoo.load(str(run)).code_size
