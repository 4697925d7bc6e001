"""The growth options found on MNIST (experiments/growth_mnist.toml): a linear code reached by
growth, in which every layer keeps the activation it was created with, and a learning-rate
warm-up for the new pair."""
import chainer.functions as F
import numpy as np
import pytest

import aezoo
from aezoo.data import load
from aezoo.models.deep import DeepAE
from aezoo.runs import rundir
from aezoo.run import main
from aezoo.train.growth import Schedule
from aezoo.train.schedules import lr_factor
from conftest import TINY, growing_trainer, growth_events


def activations(layers):
    """(activation, is the code) of each dense encoder/decoder layer, outermost first."""
    return [(layer["activation"], bool(layer.get("code"))) for layer in layers
            if layer["type"] == "dense"]


def test_a_linear_code_is_reached_by_the_last_growth_and_old_layers_keep_their_relu(tmp_path):
    run = str(tmp_path / "run")
    assert main(["deep", "--hidden", "32,16", "--code-dim", "8", "--linear-code",
                 "--grow-every", "1", "--grow-init", "identity", "--epochs", "3", *TINY,
                 "--out", run]) == 0
    shapes = [entry["layers"] for entry in rundir.read_architecture(run)]
    relu, code = ("relu", False), ("relu", True)
    assert activations(shapes[0]) == [code, ("sigmoid", False)]  # a ReLU code on the way
    assert activations(shapes[1]) == [relu, code, relu, ("sigmoid", False)]
    assert activations(shapes[2]) == [relu, relu, (None, True), relu, relu, ("sigmoid", False)]
    events = growth_events(run)
    assert events[-1]["dead_units"] == 0  # a linear unit is never "off"
    assert abs(events[-1]["test_bce_jump"]) < 0.005  # identity init: the function barely moves
    # The model computes what layers() says: ReLU on the old code layer, none on the new one.
    model = aezoo.load(run).model
    x = load("digits").test[:20].reshape(20, -1)
    h = x
    for i, layer in enumerate(model.encoders):
        h = layer(h) if i == 2 else F.relu(layer(h))
    np.testing.assert_allclose(model.encode(x).array, h.array, atol=1e-6)
    assert (model.encode(x).array < 0).any()  # the code really is linear


def test_a_grown_linear_code_keeps_every_layer_as_created_when_rebuilt_mid_growth(tmp_path):
    # Stopped at depth 2 (a ReLU code), rebuilt from the checkpoint, grown on to the linear
    # code: the same weights as an unbroken run, so the rebuilt code layer kept its ReLU.
    args = ["deep", "--linear-code", "--grow-every", "2", "--grow-init", "identity",
            "--grow-warmup", "1", "--seed", "1", *TINY]
    unbroken, broken = str(tmp_path / "unbroken"), str(tmp_path / "broken")
    assert main([*args, "--epochs", "5", "--out", unbroken]) == 0
    assert main([*args, "--epochs", "3", "--out", broken]) == 0
    assert aezoo.load(broken).model.arch()["linear_code"] is False
    assert main(["--resume", broken, "--epochs", "5"]) == 0
    a, b = aezoo.load(unbroken).model, aezoo.load(broken).model
    assert a.arch() == b.arch() == {"hidden": [128, 64], "code_dim": 32, "linear_code": True,
                                    "activation": "relu", "init": "glorot_uniform",
                                    "batch_norm": False, "dropout": 0.0}
    for (path, p), (_, q) in zip(sorted(a.namedparams()), sorted(b.namedparams())):
        np.testing.assert_allclose(p.array, q.array, atol=1e-6, err_msg=path)


def test_a_linear_code_cannot_have_a_pair_added_under_it():
    model = DeepAE((8, 8), hidden=[16], code_dim=8, linear_code=True)
    with pytest.raises(ValueError, match="linear code cannot grow"):
        model.add_layer(4, rng=np.random.RandomState(0))


def test_fade_in_to_a_linear_code_blends_through_the_linear_layer():
    model = DeepAE((8, 8), hidden=[], code_dim=32)
    model.add_layer(16, rng=np.random.RandomState(0), linear=True)
    model.fade_alpha = 0.5
    x = load("digits").test[:10]
    code = model.encode(x)  # the old (ReLU) code while fading
    enc, dec = model.innermost_pair()
    new_path = F.relu(dec(enc(code)))  # no ReLU on the new linear code
    h = 0.5 * code + 0.5 * new_path
    np.testing.assert_allclose(model.decode_raw(code).array,
                               model.decoders[0](h).array.reshape(10, 8, 8), atol=1e-6)
    fade = [layer for layer in model.layers() if layer["type"] == "fade"][0]
    assert [step["activation"] for step in fade["path"]] == [None, "relu"]


def test_warmup_factor_rises_linearly_per_batch_to_one_after_each_growth():
    schedule = Schedule(grow_every=3, start_depth=1, max_depth=3, warmup=2)
    assert schedule.growth_epochs() == [4, 7]
    assert schedule.lr_factor(3, 4, 5) == 1.0  # before any growth
    factors = [schedule.lr_factor(epoch, b, 5) for epoch in (4, 5) for b in range(5)]
    np.testing.assert_allclose(factors, np.arange(1, 11) / 10)
    assert schedule.lr_factor(6, 0, 5) == 1.0
    assert schedule.lr_factor(7, 0, 5) == pytest.approx(0.1)  # and again at the next growth


def trainer_with_schedules(**options):
    """growing_trainer's run (digits, growth at the start of epoch `grow_every` + 1) with the
    learning-rate schedule after growth, in the order train/start.py lists them."""
    from aezoo.config import merge
    from aezoo.train import schedules
    from aezoo.train.build import default_config, resolve
    trainer = growing_trainer(**options)
    trainer.add(schedules.Schedules(resolve(merge(default_config("deep"), options, "test"),
                                            set(options)), trainer.optimizer))
    return trainer


@pytest.mark.parametrize("lr_schedule", ["constant", "cosine"])
def test_warmup_sets_only_the_new_pairs_learning_rate_and_the_new_pair_still_trains(lr_schedule):
    trainer = trainer_with_schedules(grow_every=2, grow_warmup=2, lr_schedule=lr_schedule,
                                     epochs=5, hidden=[32], code_dim=16, max_depth=2)
    seen, n = [], trainer.n_batches()

    def record(t):
        new, old = t.model.innermost_pair()[0].W, t.model.encoders[0].W
        seen.append((t.epoch, t.batch, new.update_rule.hyperparam.alpha,
                     old.update_rule.hyperparam.alpha))
    trainer.add_callback("batch_start", record)
    trainer.run(2)
    params = {path: p.array.copy() for path, p in trainer.model.namedparams()}
    grown = {}
    trainer.add_callback("epoch_start", lambda t: grown or grown.update(
        {path: p.array.copy() for path, p in t.model.namedparams() if path not in params}))
    trainer.run(5)
    assert trainer.model.depth == 2
    for epoch, batch, new, old in seen:
        run = 1e-3 * lr_factor(lr_schedule, epoch, batch, n, 5)
        assert old == pytest.approx(run)
        warm = min(1.0, ((epoch - 3) * n + batch + 1) / (2 * n)) if epoch >= 3 else 1.0
        assert new == pytest.approx(run * warm), (epoch, batch)
    first = seen[2 * n]  # the first batch after growth
    assert first[:2] == (3, 0) and first[2] == pytest.approx(first[3] / (2 * n))
    rule = trainer.model.innermost_pair()[0].W.update_rule
    assert "alpha" not in vars(rule.hyperparam)  # warmed up: the optimizer's own value again
    now = dict(trainer.model.namedparams())
    assert len(grown) == 4  # W and b of the new pair, as growth made them
    for path, array in grown.items():  # the new pair trained from its first batch
        assert now[path].update_rule.t == 3 * n
        assert not np.allclose(now[path].array, array), f"{path} never trained"
    for path, array in params.items():  # and the old layers went on at the run's rate
        assert not np.allclose(now[path].array, array), f"{path} stopped training"


@pytest.mark.parametrize("options, init, warmup", [
    ({"grow_every": 4}, "identity", 2),
    ({"grow_every": 1}, "identity", 1),                   # min(2, K): never longer than K
    ({"grow_every": 4, "optimizer": "adadelta"}, "identity", 0),  # no learning rate to raise
    ({"grow_every": 4, "grow_init": "random"}, "random", 2),
    ({"grow_every": 4, "grow_warmup": 0}, "identity", 0),
    ({}, "identity", 0),                                  # no growth, no warm-up
])
def test_growth_defaults_are_the_best_known_schedule(options, init, warmup):
    from aezoo.train.build import configured
    cfg, _ = configured("deep", (options, "test"))
    assert (cfg.grow_init, cfg.grow_warmup) == (init, warmup)


def test_the_default_warm_up_trips_no_check_for_any_period_or_optimizer():
    from aezoo.train.build import configured
    for optimizer in ("adam", "sgd", "rmsprop", "adadelta"):
        for k in (1, 2, 3, 10):
            configured("deep", ({"grow_every": k, "optimizer": optimizer}, "test"))
