"""A run killed (kill -9) before its first checkpoint leaves a folder that aezoo made and that
holds nothing to resume: repeating the command starts it again there, for `aezoo run --out`,
`aezoo run --resume` and a sweep; a folder being trained, or one aezoo did not make, is still
refused and kept."""
import fcntl
import json
import os
import signal
import subprocess
import sys

import pytest

from aezoo.commands import main
from aezoo.runs import checkpoints, metrics
from conftest import TINY, tree_state

# Runs an aezoo command line in a new process that kills itself (SIGKILL: no cleanup, no
# finally) as it is about to write its first checkpoint (the untrained epoch 0's): after
# config.json, metrics.jsonl and the epoch's pictures.
KILLED_AT_FIRST_CHECKPOINT = """
import os, signal, sys
from aezoo.train import serialize
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
serialize.write = killed
from aezoo.commands import main
sys.exit(main(sys.argv[1:]))
"""


def killed(*argv, cwd):
    done = subprocess.run([sys.executable, "-c", KILLED_AT_FIRST_CHECKPOINT, *map(str, argv)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr


def assert_killed_before_its_checkpoint(folder):
    assert (folder / "config.json").is_file() and (folder / "metrics.jsonl").is_file()
    assert not checkpoints.exists(folder)


def assert_trained_once(folder, epochs):
    assert [r["epoch"] for r in metrics.read(folder)[0]] == list(range(epochs + 1))
    assert checkpoints.read_meta(folder)["epoch"] == epochs


@pytest.mark.parametrize("again", ["--out", "--resume"])
def test_a_run_killed_before_its_first_checkpoint_starts_again(tmp_path, capsys, again):
    run = tmp_path / "run"
    options = ["simple", *TINY, "--epochs", "2", "--out", run]
    killed("run", *options, cwd=tmp_path)
    assert_killed_before_its_checkpoint(run)
    argv = ["run", *map(str, options)] if again == "--out" else ["run", "--resume", str(run)]
    assert main(argv) == 0, capsys.readouterr().err
    assert_trained_once(run, 2)
    assert json.loads((run / "config.json").read_text())["config"]["epochs"] == 2


def test_a_sweep_killed_before_a_runs_first_checkpoint_starts_it_again(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[defaults]\ndata = "digits"\nepochs = 2\nbatch_size = 64\n'
                    '[runs.a]\nmodel = "simple"\n')
    killed("sweep", path, "--out", tmp_path / "out", "--workers", "1", cwd=tmp_path)
    assert_killed_before_its_checkpoint(tmp_path / "out" / "a")
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    assert "a: start again (no checkpoint yet)" in capsys.readouterr().err
    assert_trained_once(tmp_path / "out" / "a", 2)


@pytest.fixture
def unstarted(tmp_path):
    run = tmp_path / "run"
    killed("run", "simple", *TINY, "--epochs", "1", "--out", run, cwd=tmp_path)
    return run


def test_a_folder_being_trained_is_never_started_again(unstarted, capsys):
    before = tree_state(unstarted)
    with open(unstarted / ".lock") as held:  # as the process training it holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        assert main(["run", "simple", *TINY, "--epochs", "1", "--out", str(unstarted)]) == 2
        assert "already exists and is not empty" in capsys.readouterr().err
    assert tree_state(unstarted) == before


def test_a_folder_with_files_aezoo_did_not_write_is_kept(unstarted, capsys):
    (unstarted / "config.json").write_text('{"mine": true}')  # not a run's config any more
    before = tree_state(unstarted)
    assert main(["run", "simple", *TINY, "--epochs", "1", "--out", str(unstarted)]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert tree_state(unstarted) == before
