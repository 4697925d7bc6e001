"""The bridge from aezoo's loop to Optuna's pruners: each epoch reported to the run's trial, the
growth-aware rule (a growing run is judged on its final network only), a growing run's score
taken at its final depth, and a pruned run marked stopped early."""
import json
from types import SimpleNamespace

import pytest

from aezoo.runs import metrics
from aezoo.sweeps import pruning, search, study
from aezoo.train.build import configured
from aezoo.train.callbacks import TrainState

optuna = pytest.importorskip("optuna")


def test_a_growing_run_reports_nothing_until_its_last_growth_has_settled(tmp_path):
    """Growth at the start of epochs 4 and 7, each settling over 2 epochs: a wider code before
    epoch 7 reconstructs more easily, so epochs 1 to 8 are never compared with other trials."""
    grow, _ = configured("deep", ({"data": "digits", "grow_every": 3, "grow_warmup": 2,
                                   "epochs": 30}, "test"))
    assert pruning.first_judged(grow) == 9
    plain, _ = configured("deep", ({"data": "digits", "epochs": 30}, "test"))
    assert pruning.first_judged(plain) == 1
    url = str(tmp_path / study.FILE)
    made = study.open_study(url, "s", None)
    trial = made.ask()
    (tmp_path / "a").mkdir()
    judge = pruning.Pruning(pruning.Judge(url, "s", trial._trial_id, "median", 1, 3),
                            str(tmp_path / "a"), grow)
    for epoch in range(1, 11):
        judge.on_epoch_end(trainer(epoch, 0.5 - epoch / 100))
    reported = optuna.load_study(study_name="s", storage=study.storage(url)).trials[0]
    assert reported.intermediate_values == {9: pytest.approx(0.41), 10: pytest.approx(0.40)}


def test_a_growing_runs_score_is_its_best_at_its_final_depth(tmp_path):
    """The search's objective and the comparison's best: the 30-wide code's best, not the
    lower loss the run had at epoch 2 through a code ten times as wide."""
    lines = [{"epoch": 0, "test_bce": 0.7, "depth": 1}, {"epoch": 1, "test_bce": 0.2, "depth": 1},
             {"epoch": 2, "test_bce": 0.1, "depth": 2}, {"epoch": 3, "test_bce": 0.3, "depth": 3},
             {"epoch": 4, "test_bce": 0.25, "depth": 3}, {"epoch": 5, "test_bce": 0.26, "depth": 3}]
    (tmp_path / metrics.FILE).write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert search.score(str(tmp_path)) == 0.25
    assert metrics.final_network(lines) == lines[3:]
    flat = [{k: v for k, v in r.items() if k != "depth"} for r in lines]
    assert metrics.final_network(flat) == flat  # a model without depths: every epoch counts


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
