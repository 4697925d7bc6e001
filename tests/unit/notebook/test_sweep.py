"""aezoo.Sweep: a file or a dict, checked in full when made (nothing written), planned once and
run by the sweeps library (no command line, no hand-written TOML)."""
import os
import tomllib

import pytest

import aezoo
from aezoo.sweeps import runner
from aezoo.sweeps.file import parse, read

TABLES = {"defaults": {"data": "digits", "epochs": 1, "batch_size": 64},
          "runs": {"simple": {"model": "simple"}, "deep": {"model": "deep", "hidden": [32]}}}


def test_a_dict_is_parsed_as_the_file_that_spells_it(tmp_path):
    import tomli_w
    path = tmp_path / "s.toml"
    path.write_bytes(tomli_w.dumps(TABLES).encode())
    assert parse(TABLES) == read(str(path)) == {
        "simple": {"data": "digits", "epochs": 1, "batch_size": 64, "model": "simple"},
        "deep": {"data": "digits", "epochs": 1, "batch_size": 64, "model": "deep",
                 "hidden": [32]}}


@pytest.mark.parametrize("tables, out, message", [
    ({"defaults": {"data": "digits"}, "runs": {"a": {"model": "simple", "epochz": 2}}}, "sweep",
     r"^sweep \[runs.a\].*unknown option 'epochz'"),
    ({"runs": {"a": {"model": "simple", "data": "digits", "lr": float("nan")}}}, "sweep",
     r"^sweep \[runs.a\]: lr = nan is not a valid float"),
    ({"runs": {"a": {"model": "simple", "data": "digits", "epochs": 0}}}, "sweep", r"epochs"),
    # an emoji is the option's value, not a temporary file's fault
    ({"runs": {"a": {"model": "simple", "data": "digits\U0001F600"}}}, "sweep",
     "^sweep \\[runs.a\\]: --data 'digits\U0001F600'"),
    ({"runs": {"a\U0001F600": {"model": "simple"}}}, "sweep", r"^sweep \[runs.a.*a run name"),
    ({"runs": {1: {"model": "simple"}}}, "sweep", r"^sweep: run name 1: expected a string"),
    (3, "sweep", r"a file's path or a dict"),
    (TABLES, 123, r"^out = 123: expected the sweep folder's path$"),
])
def test_a_bad_sweep_is_one_line_and_writes_nothing(tables, out, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(aezoo.UsageError, match=message) as caught:
        aezoo.Sweep(tables, out=str(tmp_path / out) if isinstance(out, str) else out)
    assert "\n" not in str(caught.value) and "tmp" not in str(caught.value).replace(str(tmp_path), "")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("settings, message", [
    ({"workers": 0}, r"^--workers 0: expected a whole number from 1 to 256$"),
    ({"threads": "2"}, r"^--threads '2': expected a whole number"),
    ({"ray": "", "workers": None}, r"^--ray '': expected a Ray address"),
    ({"early_stop": "sha"}, r"^--early-stop 'sha': expected one of asha, hyperband, median$"),
    ({"trials": 0}, r"^--trials 0: expected a whole number from 1 to"),
    ({"trials": 2}, r"^--trials, --sampler, --storage and --study are for a sweep file with"),
])
def test_bad_settings_raise_their_own_line_before_anything_is_written(settings, message, tmp_path):
    sweep = aezoo.Sweep(TABLES, out=str(tmp_path / "sweep"))
    with pytest.raises(aezoo.UsageError, match=message):
        sweep.run(**settings)
    assert not (tmp_path / "sweep").exists()


@pytest.mark.slow
def test_run_trains_the_plan_made_once_and_compares(tmp_path, monkeypatch):
    planned = []
    real = runner.plan_steps
    monkeypatch.setattr(runner, "plan_steps", lambda *a: planned.append(a) or real(*a))
    sweep = aezoo.Sweep(TABLES, out=str(tmp_path / "sweep"))
    assert sweep.runs == []
    assert sweep.run(workers=1) is sweep and sweep.outcome.failed == []
    assert len(planned) == 1  # the plan made by Sweep() is the one that trained
    assert [r.name for r in sweep.runs] == ["simple", "deep"]
    assert os.path.exists(tmp_path / "sweep" / "scores.csv")
    with open(tmp_path / "sweep" / "sweep.toml", "rb") as f:  # the dict, as TOML: rerunnable
        assert tomllib.load(f) == TABLES
    page = sweep._repr_html_()
    assert "1 of 1" in page and page.count("data:image/png") == 1
    assert {r["run"] for r in sweep.comparison().rows} >= {"simple", "deep"}
    sweep.run(workers=1)  # again: planned anew, every run finished and skipped
    assert len(planned) == 2 and all(s.plan is None for s in sweep.steps)
