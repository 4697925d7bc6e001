"""The bridge from aezoo's loop to Optuna's pruners: each epoch reported to the run's trial, the
growth-aware rule (a growing run is judged on the epoch before its growth while it settles),
and a pruned run marked stopped early."""
from types import SimpleNamespace

import pytest

from aezoo.runs import metrics
from aezoo.sweeps import pruning, study
from aezoo.train.build import configured
from aezoo.train.callbacks import TrainState

optuna = pytest.importorskip("optuna")


def test_an_epoch_within_a_growths_settling_window_reads_the_epoch_before_the_growth():
    grow, _ = configured("deep", ({"data": "digits", "grow_every": 3, "grow_warmup": 2,
                                   "epochs": 30}, "test"))
    # growth at the start of epochs 4 and 7: each settles over 2 epochs
    assert [pruning.judged_epoch(grow, e) for e in (3, 4, 5, 6, 9)] == [3, 3, 3, 6, 9]
    plain, _ = configured("deep", ({"data": "digits", "epochs": 30}, "test"))
    assert [pruning.judged_epoch(plain, e) for e in (3, 4, 5)] == [3, 4, 5]


def trainer(epoch, bce):
    return SimpleNamespace(epoch=epoch, metrics={"test_bce": bce, "test_mse": 9.0},
                           state=TrainState(), stopped=None)


def test_epochs_reach_the_trial_and_a_run_behind_the_others_is_pruned_and_marked(tmp_path):
    url = str(tmp_path / study.FILE)
    made = study.open_study(url, "s", None)
    cfg, _ = configured("simple", ({"data": "digits", "epochs": 9}, "test"))
    first, second = made.ask(), made.ask()
    judges = [pruning.Judge(url, "s", t._trial_id, "asha", 1, 3) for t in (first, second)]
    ahead = pruning.Pruning(judges[0], str(tmp_path / "a"), cfg)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for epoch, bce in ((0, 0.7), (1, 0.30)):
        t = trainer(epoch, bce)
        ahead.on_epoch_end(t)
        assert t.stopped is None  # the first at a rung goes on
    behind = pruning.Pruning(judges[1], str(tmp_path / "b"), cfg)
    t = trainer(1, 0.50)
    behind.on_epoch_end(t)
    assert "asha: test bce 0.5000 at epoch 1 is behind the other trials" in t.stopped
    assert t.state.stopped_early == 1
    event = metrics.read(tmp_path / "b")[1][0]
    assert event == {"event": "stopped_early", "epoch": 1, "by": "asha", "judged_epoch": 1,
                     "test_bce": 0.5}
    assert pruning.pruned(str(tmp_path / "b")) and not pruning.pruned(str(tmp_path / "a"))
    trials = optuna.load_study(study_name="s", storage=study.storage(url)).trials
    assert trials[0].intermediate_values == {1: 0.30} and trials[1].intermediate_values == {1: 0.5}
