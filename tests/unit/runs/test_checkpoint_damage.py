"""A damaged checkpoint is one line in every command and is left alone; a checkpoint of
aezoo 0.1 takes its untrained loss from the record."""
import json
import shutil

import numpy as np
import pytest

import aezoo
from aezoo.commands import compare
from aezoo.errors import UsageError
from aezoo.runs import metrics, checkpoints
from aezoo.run import main
from conftest import TINY, tree_state


def damage(path, how):
    raw = path.read_bytes()
    if how == "zero bytes":
        path.write_bytes(b"")
    elif how == "flipped bytes":  # inside the stored arrays, past the zip's own header
        middle = bytearray(raw)
        for i in range(len(raw) // 3, len(raw) // 3 + 200):
            middle[i] ^= 0xFF
        path.write_bytes(bytes(middle))
    elif how == "object array":
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        arrays["meta"] = np.array([{"epoch": 1}], dtype=object)
        np.savez(path, **arrays)


@pytest.mark.parametrize("how", ["zero bytes", "flipped bytes", "object array"])
def test_a_damaged_checkpoint_is_one_line_everywhere(stopped_at_epoch_0, tmp_path, capsys, how):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    damage(run / checkpoints.FILE, how)
    before = tree_state(run)
    capsys.readouterr()
    for command in (lambda: main(["--resume", str(run), "--epochs", "2"]),
                    lambda: compare.main([str(run), "--out", str(tmp_path / "cmp")])):
        assert command() == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert "checkpoint.npz is damaged" in line
    with pytest.raises(UsageError, match="is damaged"):
        aezoo.load(str(run))
    assert tree_state(run) == before


def test_a_checkpoint_of_0_1_takes_its_untrained_loss_from_the_record(tmp_path):
    run = tmp_path / "run"
    assert main(["simple", "--epochs", "1", *TINY, "--out", str(run)]) == 0
    path = run / checkpoints.FILE
    with np.load(path) as npz:
        saved = {k: npz[k] for k in npz.files}
    meta = json.loads(str(saved["meta"]))
    del meta["state"]["untrained_test_loss"]
    saved["meta"] = np.array(json.dumps(meta))
    np.savez(path, **saved)
    assert main(["--resume", str(run), "--epochs", "2"]) == 0
    epoch_0 = metrics.read(run)[0][0]["test_loss"]
    assert checkpoints.read_meta(str(run))["state"]["untrained_test_loss"] == epoch_0
