"""Memory running out after the model is built (here while the checkpoint is copied for its writer) is one
line and exit status 1: before the first checkpoint the folder is freed, so the same command
works again; after it, the last checkpoint is kept and the run resumes."""
import os

import numpy as np

from aezoo.run import main
from aezoo.runs import checkpoints
from aezoo.train import serialize
from conftest import TINY


def memory_runs_out_saving_at(monkeypatch, epoch):
    """Copying the epoch's arrays for the checkpoint writer runs out of memory."""
    real = serialize.contents

    def contents(trainer, version):
        if trainer.epoch == epoch:
            raise MemoryError
        return real(trainer, version)
    monkeypatch.setattr(serialize, "contents", contents)
    return real


def test_out_of_memory_before_the_first_checkpoint_frees_the_folder(tmp_path, monkeypatch,
                                                                     capsys):
    run = tmp_path / "run"
    real = memory_runs_out_saving_at(monkeypatch, 0)  # the untrained epoch
    assert main(["simple", *TINY, "--epochs", "2", "--out", str(run)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.splitlines()[-1] == (f"aezoo run: error: out of memory in epoch 0; stopped before "
                                    f"the first checkpoint, so {run} removed, nothing to resume "
                                    f"(try a smaller --batch-size or model, or free memory)")
    assert "Traceback" not in err and not run.exists()
    monkeypatch.setattr(serialize, "contents", real)
    assert main(["simple", *TINY, "--epochs", "2", "--out", str(run)]) == 0


def test_out_of_memory_later_keeps_the_last_checkpoint_and_resumes(tmp_path, monkeypatch,
                                                                    capsys):
    run, whole = tmp_path / "run", tmp_path / "whole"
    assert main(["simple", *TINY, "--epochs", "3", "--out", str(whole)]) == 0
    real = memory_runs_out_saving_at(monkeypatch, 2)
    assert main(["simple", *TINY, "--epochs", "3", "--out", str(run)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.splitlines()[-1].startswith("aezoo run: error: out of memory in epoch 2; "
                                           "stopped, epoch 1 kept")
    assert err.endswith(f"Continue with: aezoo run --resume {run}")
    monkeypatch.setattr(serialize, "contents", real)
    assert main(["--resume", str(run)]) == 0
    with np.load(run / checkpoints.FILE) as a, np.load(whole / checkpoints.FILE) as b:
        for key in a.files:
            if key.startswith("model/"):
                np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)
    assert os.path.exists(run / checkpoints.BEST)


def test_out_of_memory_in_any_command_is_one_line(capsys):
    from aezoo.commands.parser import guarded

    def body(argv):
        raise MemoryError
    assert guarded("aezoo compare", body, []) == 1
    assert capsys.readouterr().err == "aezoo compare: error: out of memory\n"
