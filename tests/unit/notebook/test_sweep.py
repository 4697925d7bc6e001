"""aezoo.Sweep: a file or a dict, checked in full when made (nothing written), run by the
`aezoo sweep` command itself."""
import os

import pytest

import aezoo
from aezoo.notebook.sweep import toml_text
from aezoo.sweeps.file import read

TABLES = {"defaults": {"data": "digits", "epochs": 1, "batch_size": 64},
          "runs": {"simple": {"model": "simple"}, "deep": {"model": "deep", "hidden": [32]}}}


def test_a_dict_is_the_sweep_file_it_spells(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(toml_text(TABLES))
    assert read(str(path)) == {
        "simple": {"data": "digits", "epochs": 1, "batch_size": 64, "model": "simple"},
        "deep": {"data": "digits", "epochs": 1, "batch_size": 64, "model": "deep",
                 "hidden": [32]}}


@pytest.mark.parametrize("tables, message", [
    ({"defaults": {"data": "digits"}, "runs": {"a": {"model": "simple", "epochz": 2}}},
     r"\[runs.a\].*unknown option 'epochz'"),
    ({"runs": {"a": {"model": "simple", "lr": float("nan")}}}, r"runs.a.lr = nan"),
    ({"runs": {"a": {"model": "simple", "data": "digits", "epochs": 0}}}, r"epochs"),
    ("quick", r"a path or a dict"),
])
def test_a_bad_sweep_is_one_line_and_writes_nothing(tables, message, tmp_path):
    out = tmp_path / "sweep"
    with pytest.raises(aezoo.UsageError, match=message) as caught:
        aezoo.Sweep(tables if tables != "quick" else 3, out=str(out))
    assert "\n" not in str(caught.value)
    assert not out.exists()


@pytest.mark.slow
def test_run_trains_every_run_and_compares_them(tmp_path):
    sweep = aezoo.Sweep(TABLES, out=str(tmp_path / "sweep"))
    assert sweep.runs == []
    assert sweep.run(workers=1) is sweep and sweep.status == 0
    assert [r.name for r in sweep.runs] == ["simple", "deep"]
    assert os.path.exists(tmp_path / "sweep" / "scores.csv")
    page = sweep._repr_html_()
    assert "1 of 1" in page and page.count("data:image/png") == 1
    assert {r["run"] for r in sweep.comparison().rows} >= {"simple", "deep"}
