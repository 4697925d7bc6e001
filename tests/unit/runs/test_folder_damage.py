"""Run folders that disagree with themselves or with their data: damaged or inconsistent
files are one line in run, render, compare, load and export, and nothing is touched."""
import json
import shutil

import numpy as np
import pytest

import aezoo
from aezoo.commands import compare, render
from aezoo.errors import UsageError
from aezoo.runs import metrics, rundir
from aezoo.run import main
from conftest import tree_state


def edit_config(run, change):
    record = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps(change(record)))


@pytest.mark.parametrize("case, pattern", [
    ("another model", r"config.json and the checkpoint disagree"),
    ("not an object", r"is not an aezoo run's config"),
    ("no data", r"is not an aezoo run's config"),
    ("metrics missing", r"metrics.jsonl has no line with test_bce for epoch 0"),
    ("metrics corrupt", r"metrics.jsonl line 1 is not valid JSON"),
    ("event without epoch", r"metrics.jsonl line 2 has no whole-number \"epoch\""),
])
def test_a_run_folder_that_disagrees_with_itself_is_one_line(stopped_at_epoch_0, tmp_path, capsys,
                                                             case, pattern):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    log = run / metrics.FILE
    if case == "another model":
        edit_config(run, lambda r: {**r, "config": {**r["config"], "model": "conv"}})
    elif case == "not an object":
        (run / "config.json").write_text("[1, 2]")
    elif case == "no data":
        edit_config(run, lambda r: {k: v for k, v in r.items() if k != "data"})
    elif case == "metrics missing":
        log.unlink()
    elif case == "metrics corrupt":
        log.write_text("{not json\n" + log.read_text())
    elif case == "event without epoch":
        log.write_text(log.read_text() + '{"event": "growth"}\n{"epoch": 0}\n')
    before = tree_state(run)
    capsys.readouterr()
    assert main(["--resume", str(run), "--epochs", "2"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("aezoo run: error: ")
    assert __import__("re").search(pattern, line), line
    assert tree_state(run) == before


@pytest.mark.parametrize("change", ["values", "size"])
def test_data_changed_since_the_run_began_is_refused(tmp_path, capsys, change):
    images = np.random.RandomState(0).randint(0, 256, (50, 6, 6)).astype(np.uint8)
    path = tmp_path / "data.npy"
    np.save(path, images)
    run = tmp_path / "run"
    assert main(["simple", "--data", f"npy:{path}", "--epochs", "1", "--no-video", "--out", str(run)]) == 0
    np.save(path, 255 - images if change == "values" else images[:40])
    before = tree_state(run)
    capsys.readouterr()
    assert main(["--resume", str(run), "--epochs", "2"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"data.npy changed since {run} began" in line
    assert ("values differ" if change == "values" else "32 train / 8 test") in line
    assert compare.main([str(run), "--out", str(tmp_path / "cmp")]) == 2
    assert "changed since" in capsys.readouterr().err
    assert tree_state(run) == before and not (tmp_path / "cmp").exists()


def test_load_and_export_check_the_options_too(stopped_at_epoch_0, tmp_path, capsys):
    from aezoo.commands import export
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    edit_config(run, lambda r: {**r, "config": {**r["config"], "seed": -1}})
    with pytest.raises(UsageError, match="--seed -1"):
        aezoo.load(str(run))
    assert export.main([str(run), str(tmp_path / "out")]) == 2
    assert "--seed -1" in capsys.readouterr().err


@pytest.mark.parametrize("case, message", [
    ("architecture not json", "architecture.json is not valid JSON"),
    ("architecture entries", "architecture.json is not a list of entries"),
    ("snapshot cut", "epoch_0000.npz is damaged"),
    ("snapshot keys", "epoch_0000.npz is damaged: it has no inputs"),
    ("metrics without scores", "the line of epoch 0 has no test_bce"),
    ("data shape", "is not an aezoo run's config"),
    ("no model", "is not an aezoo run's config"),
])
def test_damaged_parts_of_a_run_folder_are_one_line_in_render_and_compare(stopped_at_epoch_0,
                                                                           tmp_path, capsys, case,
                                                                           message):
    run = shutil.copytree(stopped_at_epoch_0, tmp_path / "run")
    snap = run / "recon" / "epoch_0000.npz"
    if case == "architecture not json":
        (run / rundir.ARCHITECTURE).write_text("{bad")
    elif case == "architecture entries":
        (run / rundir.ARCHITECTURE).write_text('[{"epoch": "x"}]')
    elif case == "snapshot cut":
        snap.write_bytes(snap.read_bytes()[:300])
    elif case == "snapshot keys":
        np.savez(snap, other=np.zeros(3))
    elif case == "metrics without scores":
        (run / metrics.FILE).write_text('{"epoch": 0, "test_loss": 0.7}\n')
    elif case == "data shape":
        edit_config(run, lambda r: {**r, "data": {**r["data"], "shape": 5}})
    elif case == "no model":
        edit_config(run, lambda r: {**r, "config": {k: v for k, v in r["config"].items()
                                                    if k != "model"}})
    before = tree_state(run)
    commands = [lambda: compare.main([str(run), "--out", str(tmp_path / "cmp"), "--format", "gif"])]
    if not case.startswith("architecture"):  # render never reads it
        commands.append(lambda: render.main([str(run)]))
    for command in commands:
        capsys.readouterr()
        assert command() == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert message in line, line
    assert tree_state(run) == before
