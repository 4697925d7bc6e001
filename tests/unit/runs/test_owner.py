"""runs/owner.py: a folder is a command's by its marker, never by the names in it; an unmarked
one from an earlier aezoo only when all of it is the command's; one writer at a time."""
import os

import pytest

from aezoo.errors import UsageError
from aezoo.runs import owner


def sweep_check(folder):
    owner.check(str(folder), "aezoo sweep", owner.sweep_entries(str(folder)), owner.earlier_sweep)


def test_a_users_sweep_file_and_notes_are_not_a_sweep_folder(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "sweep.toml").write_text("[runs.a]\n")
    with pytest.raises(UsageError, match="did not write"):
        sweep_check(mine)  # a sweep.toml alone: no run beside it
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match=r"aezoo sweep did not write \(notes.txt\)"):
        sweep_check(mine)


def test_an_earlier_sweep_folder_and_a_marked_one_are_accepted(tmp_path):
    old = tmp_path / "old"
    (old / "a").mkdir(parents=True)
    (old / "a" / "config.json").write_text("{}")
    (old / "compare-digits").mkdir()
    (old / "sweep.toml").write_text("[runs.a]\n")
    sweep_check(old)
    (old / "notes").mkdir()  # a folder that is no run
    with pytest.raises(UsageError, match=r"\(notes\)"):
        sweep_check(old)
    owner.mark(str(old), "aezoo sweep")
    sweep_check(old)  # marked: its own, whatever else the user put in it
    with pytest.raises(UsageError, match="made by aezoo sweep, not aezoo compare"):
        owner.check(str(old), "aezoo compare", lambda name: True)


def test_claim_locks_marks_and_frees_what_it_made(tmp_path):
    out = tmp_path / "out"
    with owner.claim(str(out), "aezoo compare", lambda name: False) as folder:
        assert owner.made_by(folder) == "aezoo compare"
        with pytest.raises(UsageError, match="is being written by another process"):
            with owner.claim(str(out), "aezoo compare", lambda name: False):
                pass
        (out / "scores.csv").write_text("x")
    with pytest.raises(RuntimeError):
        with owner.claim(str(tmp_path / "new"), "aezoo compare", lambda name: False):
            raise RuntimeError("failed before writing anything")
    assert not os.path.exists(tmp_path / "new")  # the folder it made goes again
    with owner.claim(str(out), "aezoo compare", lambda name: False):
        pass  # released: the next one may
