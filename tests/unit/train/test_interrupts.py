"""Ctrl-C: before the first checkpoint it frees the folder (or empties the user's own), while
an epoch is saved it lands after all its files, and a process that ignores it keeps ignoring it."""
import os
import signal

from aezoo.runs import metrics, checkpoints
from aezoo.run import main
from aezoo.train.loop import Trainer
from conftest import TINY


def test_ctrl_c_before_the_first_checkpoint_frees_the_folder(tmp_path, monkeypatch, capsys):
    run = tmp_path / "run"

    def interrupted(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(Trainer, "evaluate", interrupted)
    assert main(["simple", "--epochs", "2", *TINY, "--out", str(run)]) == 130
    assert "removed, nothing to resume" in capsys.readouterr().err
    assert not run.exists()
    monkeypatch.undo()
    assert main(["simple", "--epochs", "1", *TINY, "--out", str(run)]) == 0  # the name is free


def test_ctrl_c_while_an_epoch_is_saved_lands_after_all_its_files(tmp_path, monkeypatch, capsys):
    run = tmp_path / "run"
    real = metrics.append

    def append_then_ctrl_c(run_dir, record):
        real(run_dir, record)
        if record.get("epoch") == 2 and "event" not in record:
            os.kill(os.getpid(), signal.SIGINT)  # between the metrics line and the checkpoint
    monkeypatch.setattr(metrics, "append", append_then_ctrl_c)
    assert main(["simple", "--epochs", "4", *TINY, "--out", str(run)]) == 130
    assert "epoch 2 saved" in capsys.readouterr().err
    assert checkpoints.read_meta(str(run))["epoch"] == 2 == metrics.read(run)[0][-1]["epoch"]


def test_a_held_back_ctrl_c_respects_a_process_that_ignores_it():
    from aezoo.train.loop import deferred_interrupt
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as for `cmd &` in a script
    try:
        with deferred_interrupt():
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_an_empty_folder_the_user_made_stays_after_an_early_stop(tmp_path, monkeypatch, capsys):
    run = tmp_path / "mine"
    run.mkdir()

    def interrupted(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(Trainer, "evaluate", interrupted)
    assert main(["simple", "--epochs", "2", *TINY, "--out", str(run)]) == 130
    assert "emptied again" in capsys.readouterr().err
    assert run.is_dir() and list(run.iterdir()) == []
