"""A diverging loss: said once when it rises, a stop far above the untrained model's loss
with the last good epoch kept, and a free folder when nothing was saved yet."""
import pytest

from aezoo.runs import metrics, checkpoints
from aezoo.run import main
from aezoo.train.callbacks import TrainState
from aezoo.train.loop import Diverged, Trainer
from conftest import TINY


def test_a_loss_far_above_the_untrained_models_stops_the_run_and_keeps_the_last_good_epoch(
        tmp_path, capsys):
    run = str(tmp_path / "run")
    assert main(["simple", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "3", *TINY,
                 "--out", run]) == 1
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "times the untrained model's" in line and "training diverged" in line
    assert "try a smaller --lr" in line
    assert checkpoints.read_meta(run)["epoch"] == 0 and len(metrics.read(run)[0]) == 1


def test_a_rising_loss_is_said_once_and_a_diverged_one_stops():
    said = []
    trainer = Trainer.__new__(Trainer)
    trainer.state, trainer.epoch, trainer.warn = TrainState(), 0, said.append
    trainer.check_divergence(0.5)  # the untrained model
    for trainer.epoch, loss in ((1, 0.4), (2, 1.2), (3, 1.5)):
        trainer.check_divergence(loss)
    assert len(said) == 1 and "2.4 times the untrained model's 0.5" in said[0]
    with pytest.raises(Diverged, match="is 12 times"):
        trainer.check_divergence(6.0)


def test_a_run_that_diverges_before_its_first_checkpoint_frees_its_folder(tmp_path, capsys,
                                                                          monkeypatch):
    def untrained_model_gives_nan(self):  # (a weight large enough to do it is refused at once)
        raise Diverged(f"test loss became nan after epoch {self.epoch}")
    monkeypatch.setattr(Trainer, "evaluate", untrained_model_gives_nan)
    run = tmp_path / "run"
    assert main(["simple", "--epochs", "1", *TINY, "--out", str(run)]) == 1
    assert "stopped before the first checkpoint" in capsys.readouterr().err
    assert not run.exists()
