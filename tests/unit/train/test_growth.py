"""Progressive growth: new layers really train, old optimizer state survives, fade-in
starts from the old function, identity init avoids the jump, freeze-old freezes."""
import os

import numpy as np
import pytest

import aezoo
from aezoo.runs import metrics
from aezoo.train import growth
from aezoo.data import load
from aezoo.train.growth import Schedule
from aezoo.models.deep import DeepAE
from aezoo.run import main
from conftest import TINY, growing_trainer, growth_events


def rule_states(model):
    return {path: (p.update_rule.t, {k: v.copy() for k, v in (p.update_rule.state or {}).items()})
            for path, p in model.namedparams() if p.update_rule is not None}


def watch_growth(trainer):
    """Record, right after the growth, the optimizer state and the new layers' weights."""
    seen = {}

    def at_growth(t):
        if t.epoch == 2:
            seen["rules"] = rule_states(t.model)
            seen["params"] = {path: p.array.copy() for path, p in t.model.namedparams()}
    trainer.add_callback("epoch_start", at_growth)
    return seen


def test_new_layers_train_and_old_optimizer_state_is_kept():
    trainer = growing_trainer()
    trainer.run(1)
    before = rule_states(trainer.model)
    seen = watch_growth(trainer)
    trainer.run(2)
    assert trainer.model.depth == 2
    new = set(seen["params"]) - set(before)
    assert len(new) == 4  # W and b of the new encoder and decoder layers
    for path, (t, state) in before.items():
        assert seen["rules"][path][0] == t > 0, f"{path}: step count reset"
        for key, value in state.items():
            np.testing.assert_array_equal(seen["rules"][path][1][key], value, err_msg=path)
    now = dict(trainer.model.namedparams())
    for path in new:
        assert not np.allclose(now[path].array, seen["params"][path]), f"{path} never trained"
        assert now[path].update_rule.t == trainer.n_batches()


def test_without_binding_update_rules_chainer_leaves_new_layers_untrained(monkeypatch):
    # The trap growth must avoid: Chainer skips parameters added after setup().
    monkeypatch.setattr(growth, "bind_new_params", lambda optimizer, link: None)
    trainer = growing_trainer(grow_warmup=0)  # the warm-up would touch the missing rules
    trainer.run(1)
    seen = watch_growth(trainer)
    trainer.run(2)
    new = [p for p in trainer.model.innermost_pair()[0].params()]
    assert new and all(p.update_rule is None for p in new)
    for path, p in trainer.model.namedparams():
        if p.update_rule is None:
            np.testing.assert_array_equal(p.array, seen["params"][path])


def test_freeze_old_trains_only_the_new_pair_for_the_frozen_epochs():
    trainer = growing_trainer(freeze_old=1)
    trainer.run(1)
    seen = watch_growth(trainer)
    trainer.run(2)  # epoch 2: frozen
    new = {id(p) for link in trainer.model.innermost_pair() for p in link.params()}
    params = list(trainer.model.namedparams())
    old = [(path, p) for path, p in params if id(p) not in new]
    for path, p in old:
        np.testing.assert_array_equal(p.array, seen["params"][path], err_msg=path)
        assert p.update_rule.t == seen["rules"][path][0]  # Adam did not step either
    for path, p in params:
        if id(p) in new:
            assert not np.allclose(p.array, seen["params"][path]), f"{path} did not train"
    trainer.run(3)  # epoch 3: everything trains again
    assert all(not np.allclose(p.array, seen["params"][path]) for path, p in old)


def test_identity_init_wider_than_the_code_keeps_the_function_and_every_unit_trains():
    trainer = growing_trainer(grow_init="identity", grow_width=48)  # the code is 32 wide
    trainer.run(1)
    before = trainer.metrics["test_bce"]
    seen = watch_growth(trainer)
    trainer.add_callback("epoch_start", lambda t: seen.setdefault("after", t.evaluate()["test_bce"]))
    trainer.run(2)
    assert seen["after"] == pytest.approx(before, abs=2e-3)  # the function barely changed
    encoder, decoder = trainer.model.innermost_pair()
    assert encoder.W.shape == (48, 32) and trainer.model.widths[1:] == [32, 48]
    for path, p in trainer.model.namedparams():
        if path not in seen["rules"]:  # the new pair: every row and column moved
            moved = np.abs(p.array - seen["params"][path]) > 0
            assert moved.any(axis=-1).all() if p.ndim == 2 else moved.all(), path


def test_growth_beyond_the_planned_widths_halves_the_code(tmp_path):
    run = str(tmp_path / "run")
    assert main(["deep", "--hidden", "32", "--code-dim", "16", "--grow-every", "1",
                 "--max-depth", "4", "--epochs", "4", *TINY, "--out", run]) == 0
    assert [e["widths"] for e in growth_events(run)] == [[32, 16], [32, 16, 8], [32, 16, 8, 4]]


def test_fade_in_starts_from_the_pre_growth_function():
    model = DeepAE((8, 8), hidden=[], code_dim=32)
    x = load("digits").test[:50]
    before = model.reconstruct(x).array
    model.add_layer(16, rng=np.random.RandomState(0))
    model.fade_alpha = 0.0
    np.testing.assert_allclose(model.reconstruct(x).array, before, atol=1e-7)
    model.fade_alpha = 1.0
    assert not np.allclose(model.reconstruct(x).array, before, atol=1e-3)


def test_fade_in_alpha_rises_linearly_per_batch_to_one():
    schedule = Schedule(grow_every=2, start_depth=1, max_depth=2, fade_in=2)
    assert schedule.growth_epochs() == [3]
    alphas = [schedule.alpha(epoch, b, 4) for epoch in (3, 4) for b in range(4)]
    np.testing.assert_allclose(alphas, np.arange(1, 9) / 8)
    assert schedule.alpha(2, 3, 4) == 1.0 and schedule.alpha(5, 0, 4) == 1.0


def test_schedule_grows_at_k_plus_one_until_max_depth():
    schedule = Schedule(grow_every=4, start_depth=1, max_depth=3)
    assert schedule.growth_epochs() == [5, 9]
    assert [schedule.depth_at(e) for e in (1, 4, 5, 8, 9, 30)] == [1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize("init, small", [("identity", True), ("random", False)])
def test_identity_init_avoids_the_loss_jump_that_random_init_makes(tmp_path, init, small):
    run = str(tmp_path / init)
    assert main(["deep", "--grow-every", "3", "--epochs", "4", "--grow-init", init,
                 "--max-depth", "2", *TINY, "--out", run]) == 0
    (event,) = growth_events(run)
    assert event["epoch"] == 4 and event["depth"] == 2 and event["widths"] == [128, 64]
    assert event["test_bce_before"] == metrics.read(run)[0][3]["test_bce"]
    if small:
        assert abs(event["test_bce_jump"]) < 0.005
    else:
        assert event["test_bce_jump"] > 0.03


def test_growth_is_recorded_in_metrics_and_the_checkpoint_shape(tmp_path):
    run = str(tmp_path / "run")
    assert main(["deep", "--grow-every", "1", "--epochs", "3", *TINY, "--out", run]) == 0
    epochs, events = metrics.read(run)
    assert [r["depth"] for r in epochs] == [1, 1, 2, 3]
    assert [(e["epoch"], e["depth"]) for e in events if e["event"] == "growth"] == [(2, 2), (3, 3)]
    assert os.path.exists(os.path.join(run, "loss.png"))
    assert aezoo.load(run).model.n_params() == epochs[-1]["params"]
