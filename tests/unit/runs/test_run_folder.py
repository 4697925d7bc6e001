"""The run folder: one writer (an atomic claim, a lock while training, nothing from a process
that is not the main one), the model recorded at the start and after every growth, loading
that keeps the caller's random state, and a full disk that costs no checkpoint."""
import errno
import json
import shutil

import numpy as np
import pytest

import aezoo
from aezoo.errors import UsageError
from aezoo.runs import metrics, rundir, checkpoints
from aezoo.run import main
from aezoo.commands.run import configure
from aezoo.train.plan import plan
from aezoo.train.start import prepare
from conftest import TINY, tree_state


def test_loading_a_run_keeps_the_callers_random_state(tmp_path):
    run = str(tmp_path / "run")
    assert main(["simple", "--epochs", "1", *TINY, "--out", run]) == 0
    np.random.seed(123)
    expected = np.random.rand(3)
    np.random.seed(123)
    aezoo.load(run)
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_the_claim_itself_is_atomic(tmp_path, monkeypatch):
    monkeypatch.setattr(rundir, "check_new", lambda path: None)  # both passed the check
    rundir.create(str(tmp_path / "run"))
    with pytest.raises(UsageError, match="just taken by another run"):
        rundir.create(str(tmp_path / "run"))


def test_a_full_disk_is_one_line_and_the_last_checkpoint_survives(tmp_path, monkeypatch, capsys):
    from aezoo.runs import atomic
    run = tmp_path / "run"
    assert main(["simple", "--epochs", "1", *TINY, "--out", str(run)]) == 0
    saved = (run / checkpoints.FILE).read_bytes()

    class Full:  # a file on a disk that fills up after a few bytes
        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(bytes(data)[:10])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.f.__exit__(*exc)

    def opener(path, mode="r"):
        f = open(path, mode)
        return Full(f) if str(path).endswith(checkpoints.FILE + ".tmp") else f
    monkeypatch.setattr(atomic, "open", opener, raising=False)
    capsys.readouterr()
    assert main(["--resume", str(run), "--epochs", "2"]) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0].startswith("aezoo: resuming from epoch 1") and "Traceback" not in err, lines
    assert [line for line in lines if not line.startswith("epoch ")][1:] == [
        f"aezoo run: error: cannot write or read {run / checkpoints.FILE}: No space left on device"]
    assert (run / checkpoints.FILE).read_bytes() == saved and not (run / "checkpoint.npz.tmp").exists()
    assert checkpoints.read_meta(str(run))["epoch"] == 1


def test_a_folder_being_trained_cannot_be_resumed_at_the_same_time(stopped_at_epoch_0, tmp_path,
                                                                  capsys):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    held = rundir.lock(str(run))  # as another process training it would
    try:
        capsys.readouterr()
        assert main(["--resume", str(run), "--epochs", "2"]) == 2
        assert "is being trained by another process" in capsys.readouterr().err
    finally:
        held.close()
    assert main(["--resume", str(run), "--epochs", "1"]) == 1  # free again: it trains (and
    assert "being trained" not in capsys.readouterr().err      # diverges again, as before)


def test_the_run_folder_records_the_model_at_the_start_and_after_every_growth(tmp_path):
    run = tmp_path / "run"
    assert main(["deep", "--grow-every", "2", "--epochs", "5", "--data", "digits", "--no-video",
                 "--out", str(run)]) == 0
    config = json.loads((run / "config.json").read_text())
    entries = rundir.read_architecture(run)
    assert [e["epoch"] for e in entries] == [0, 3, 5]
    assert config["model"] == {k: v for k, v in entries[0].items() if k != "epoch"}
    assert config["model"]["params"] == (64 * 128 + 128) + (128 * 64 + 64)  # 64-128-64
    codes = [[layer["out"] for layer in e["layers"] if layer.get("code")] for e in entries]
    assert codes == [[[128]], [[64]], [[32]]]
    for entry in entries:
        assert sum(layer["params"] for layer in entry["layers"]) == entry["params"]
    final = metrics.read(run)[0][-1]["params"]
    assert entries[-1]["params"] == aezoo.load(run).model.n_params() == final == 37344


def test_another_process_of_a_run_trains_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "rank0.txt").write_text("the main process's folder")
    before = tree_state(tmp_path)
    cfg, given, _ = configure(["deep", "--grow-every", "1", "--epochs", "2", "--data", "digits",
                               "--no-video", "--out", str(out)])
    prepared = prepare(plan(cfg, given, new_folder=False), is_main=False)
    assert prepared.run_dir is None
    prepared.trainer.run(cfg.epochs)
    assert prepared.trainer.model.depth == 2  # it grew, as the main process would
    assert tree_state(tmp_path) == before
