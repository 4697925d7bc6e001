"""aezoo sweep's checks and its tables: a model is a model name, never an option; a folder it
did not make is left alone; compare and sweep print their score table."""
import pytest

from aezoo.commands import compare, sweep
from conftest import tree_state


@pytest.mark.parametrize("model", ["-h", "--config=other.toml"])
def test_a_sweep_model_is_a_model_name_never_an_option(tmp_path, capsys, model):
    path = tmp_path / "s.toml"
    path.write_text(f'[runs.a]\nmodel = "{model}"\ndata = "digits"\n')
    assert sweep.main([str(path), "--out", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"model = '{model}', expected one of simple" in line
    assert not (tmp_path / "out").exists()


def test_a_sweep_never_writes_into_a_folder_it_did_not_make(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "scores.csv").write_text("my own scores")
    before = tree_state(out)
    path = tmp_path / "s.toml"
    path.write_text('[runs.a]\nmodel = "simple"\ndata = "digits"\nepochs = 1\n')
    assert sweep.main([str(path), "--out", str(out)]) == 2
    assert "holds files that aezoo sweep did not write" in capsys.readouterr().err
    assert tree_state(out) == before


def test_compare_and_sweep_print_their_score_table(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[defaults]\ndata = "digits"\nepochs = 1\n[runs.a]\nmodel = "simple"\n')
    assert sweep.main([str(path), "--out", str(tmp_path / "sw")]) == 0
    out = capsys.readouterr().out
    assert "| run | model | epochs |" in out and "| a | simple | 1 |" in out and "| pca-32 |" in out
    assert compare.main([str(tmp_path / "sw" / "a"), "--out", str(tmp_path / "c"),
                         "--format", "gif"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("| run | model |") and "| a | simple | 1 |" in out


def test_a_bad_device_in_a_sweep_is_found_before_any_folder_is_made(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[defaults]\ndata = "digits"\nepochs = 1\n[runs.a]\nmodel = "simple"\n'
                    '[runs.b]\nmodel = "simple"\ndevice = "bogus"\n')
    assert sweep.main([str(path), "--out", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "--device 'bogus': expected cpu or a GPU id such as 0" in line
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def earlier_sweep(tmp_path_factory):
    """A finished one-run sweep: (its file, its folder)."""
    root = tmp_path_factory.mktemp("earlier")
    path = root / "s.toml"
    path.write_text('[defaults]\ndata = "digits"\nepochs = 1\n[runs.r]\nmodel = "simple"\n')
    assert sweep.main([str(path), "--out", str(root / "out"), "--workers", "1"]) == 0
    return path, root / "out"


COLLIDING = ('[defaults]\ndata = "digits"\nepochs = 1\nmodel = "simple"\n[runs.r]\n'
             '[runs."r-data_dir=a"]\n[grid]\ndata_dir = ["a", "a-data_dir=a"]\n')


@pytest.mark.parametrize("text, message", [
    # 4 experiments, 3 names: r with a-data_dir=a, and r-data_dir=a with a
    (COLLIDING, "[grid]: runs.r-data_dir=a with data_dir=a and runs.r with "
                "data_dir=a-data_dir=a are both named r-data_dir=a-data_dir=a; rename one"),
    ('[defaults]\ndata = "digits"\nmodel = "simple"\n[grid]\nseed = [1, "1"]\n',
     "[grid]: [defaults] with seed=1 and [defaults] with seed=1 are both named seed=1"),
    (f'[defaults]\ndata = "digits"\n[runs.{"x" * 300}]\nmodel = "simple"\n',
     "has 300 characters; a run name (a folder name) has at most 200"),
])
def test_a_run_lost_to_its_name_is_refused_when_planning(earlier_sweep, tmp_path, capsys, text,
                                                          message):
    """Two runs of one name would share a folder (the later replacing the earlier), and a name
    too long for a folder failed at start after the sweep folder was made: both are one line,
    and an earlier sweep in OUT is kept as it was."""
    path, out = earlier_sweep
    before, kept = tree_state(out), path.read_text()
    path.write_text(text)
    try:
        capsys.readouterr()
        assert sweep.main([str(path), "--out", str(out)]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("aezoo sweep: error: ") and message in line, line
        assert tree_state(out) == before
        assert sweep.main([str(path), "--out", str(tmp_path / "new")]) == 2
        assert not (tmp_path / "new").exists()
    finally:
        path.write_text(kept)
