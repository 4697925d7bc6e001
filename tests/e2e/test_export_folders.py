"""aezoo export writes only into a new or empty folder or one an export made (its .aezoo
marker), never over a user's own forward.py."""
import os

import pytest

import aezoo.run
from aezoo.commands import export
from aezoo.runs import owner
from conftest import tree_state


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    run = tmp_path_factory.mktemp("export") / "run"
    assert aezoo.run.main(["simple", "--data", "digits", "--epochs", "1", "--no-video",
                           "--quiet", "--out", str(run)]) == 0
    return str(run)


def test_a_users_forward_py_is_never_overwritten(run, tmp_path, capsys):
    mine = tmp_path / "f"
    mine.mkdir()
    (mine / "forward.py").write_text("# my own code\n")
    before = tree_state(mine)
    assert export.main([run, str(mine)]) == 2
    err = capsys.readouterr().err.strip()
    assert f"OUT_DIR {mine} holds files that aezoo export did not write" in err
    assert len(err.splitlines()) == 1 and tree_state(mine) == before


def test_an_export_is_redone_in_its_own_folder_and_an_old_one_is_recognized(run, tmp_path,
                                                                           capsys):
    out = tmp_path / "out"
    assert export.main([run, str(out)]) == 0
    assert owner.made_by(str(out)) == "aezoo export"
    assert export.main([run, str(out)]) == 0
    os.remove(out / owner.MARKER)  # as an aezoo from before markers left it
    assert export.main([run, str(out)]) == 0
    assert sorted(os.listdir(out)) == [owner.MARKER, "forward.py", "weights.npz"]
    compared = tmp_path / "cmp"
    compared.mkdir()
    owner.mark(str(compared), "aezoo compare")
    capsys.readouterr()
    assert export.main([run, str(compared)]) == 2
    assert "was made by aezoo compare, not aezoo export" in capsys.readouterr().err
