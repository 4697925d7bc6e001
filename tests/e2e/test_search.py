"""aezoo sweep FILE --trials N on a [search] table: trials are runs named by number and values, a
conditional space by model, pruning, the study's total (again adds nothing, more adds the
difference), Ctrl-C and the same command continue the study, a deleted trial runs again as a
new trial with its values, the pictures in the report, and the notebook's .study."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

import aezoo
from aezoo.commands import sweep
from aezoo.runs import checkpoints, metrics
from aezoo.sweeps import study as studies
from e2e.sweep_helpers import SLOW_BATCH, slow_data

pytestmark = pytest.mark.slow
optuna = pytest.importorskip("optuna")

SEARCH = """
[defaults]
data = "{data}"
epochs = {epochs}
batch_size = {batch}
[search]
model = {{choices = ["simple", "deep"]}}
lr = {{low = 1e-3, high = 3e-2, log = true}}
[search.deep]                       # only in the trials whose model is deep
grow_every = {{low = 1, high = 2}}
"""


def write(tmp_path, data="digits", epochs=3, batch=128):
    path = tmp_path / "search.toml"
    path.write_text(SEARCH.format(data=data, epochs=epochs, batch=batch))
    return path


def load(out, name="search"):
    return optuna.load_study(study_name=name, storage=studies.storage(str(out / studies.FILE)))


def states(study):
    return [t.state.name for t in study.trials]


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    path, out = write(root), root / "out"
    assert sweep.main([str(path), "--out", str(out), "--trials", "4", "--workers", "1",
                       "--early-stop", "median"]) == 0
    return path, out


def test_trials_are_runs_named_by_number_and_values_in_a_conditional_space(searched):
    path, out = searched
    study = load(out)
    assert len(study.trials) == 4 and set(states(study)) <= {"COMPLETE", "PRUNED"}
    for t in study.trials:
        folder = out / t.user_attrs["run"]
        assert t.user_attrs["run"].startswith(f"{t.number:04d}-model={t.params['model']}-lr=")
        assert checkpoints.exists(folder)
        assert ("grow_every" in t.params) == (t.params["model"] == "deep")  # conditional
        config = __import__("json").loads((folder / "config.json").read_text())["config"]
        assert config["lr"] == pytest.approx(t.params["lr"])
        if t.state.name == "COMPLETE":  # the study's value is the run's best test BCE,
            # a growing run's at its final depth (the sampler is unseeded: some trials grow)
            trained = [r for r in metrics.read(folder)[0] if r["epoch"] >= 1]
            best = min(r["test_bce"] for r in metrics.final_network(trained))
            assert t.value == pytest.approx(best)
        else:
            assert checkpoints.read_meta(folder)["state"]["stopped_early"] == t.last_step
    for name in ("search-history.png", "search-importances.png", "search-parallel.png",
                 "search-epochs.png"):
        assert (out / name).stat().st_size > 1000
    page = (out / "report.html").read_text()
    assert "<h2>the search</h2>" in page
    assert 'alt="how much each searched option mattered (fANOVA)"' in page


def test_the_same_command_adds_nothing_and_a_larger_total_adds_the_difference(searched, capsys):
    path, out = searched
    capsys.readouterr()
    assert sweep.main([str(path), "--out", str(out), "--trials", "4", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "trained" not in err and len(load(out).trials) == 4
    assert "aezoo sweep: study 'search': 4 trials" in err
    assert sweep.main([str(path), "--out", str(out), "--trials", "5", "--workers", "1"]) == 0
    assert "trained 1 run(s)" in capsys.readouterr().err
    assert len(load(out).trials) == 5


PICTURES = ["search-epochs.png", "search-history.png", "search-importances.png",
            "search-parallel.png"]


def test_compare_of_a_searchs_trials_shows_the_search_in_every_form(searched, tmp_path):
    _, out = searched
    trials = sorted(str(out / t.user_attrs["run"]) for t in load(out).trials
                    if checkpoints.exists(out / t.user_attrs["run"]))[:2]
    exe = os.path.join(os.path.dirname(sys.executable), "aezoo")
    forms = {"cli": [exe, "compare"], "module": [sys.executable, "-m", "aezoo.compare"]}
    for form, command in forms.items():
        done = subprocess.run(command + trials + ["--out", str(tmp_path / form), "--format", "gif"],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert "2 of the runs are trials of study 'search'" in done.stderr
    aezoo.Comparison(*trials).write(str(tmp_path / "api"), formats="gif")
    for form in ("cli", "module", "api"):
        assert sorted(p for p in os.listdir(tmp_path / form) if p.startswith("search-")) == PICTURES
        page = (tmp_path / form / "report.html").read_text()
        assert "<h2>the search</h2>" in page and "fANOVA" in page
    # The same runs, no longer in their sweep folder: no study, no search pictures
    alone = tmp_path / "alone"
    for t in trials:
        shutil.copytree(t, alone / os.path.basename(t))
    copies = [str(alone / os.path.basename(t)) for t in trials]
    done = subprocess.run(forms["cli"] + copies + ["--out", str(tmp_path / "plain"), "--format",
                                                   "gif"], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert "trials of study" not in done.stderr
    assert not [p for p in os.listdir(tmp_path / "plain") if p.startswith("search-")]
    assert "the search" not in (tmp_path / "plain" / "report.html").read_text()


def test_a_deleted_trial_runs_again_as_a_new_trial_with_its_values(tmp_path, capsys):
    path, out = write(tmp_path, epochs=2), tmp_path / "out"
    assert sweep.main([str(path), "--out", str(out), "--trials", "2", "--workers", "1"]) == 0
    gone = load(out).trials[0]
    shutil.rmtree(out / gone.user_attrs["run"])
    capsys.readouterr()
    assert sweep.main([str(path), "--out", str(out), "--trials", "2", "--workers", "1"]) == 0
    assert f"trial {gone.number}'s folder is gone: its values run again as a new trial" in \
        capsys.readouterr().err
    study = load(out)  # loads: not corrupted
    assert len(study.trials) == 3 and states(study)[0] == gone.state.name  # as it was
    again = study.trials[2]
    assert again.params == gone.params and again.user_attrs["replaces"] == gone.number
    assert checkpoints.exists(out / again.user_attrs["run"])


def test_ctrl_c_then_the_same_command_continues_the_study(tmp_path):
    path = write(tmp_path, data=slow_data(tmp_path), epochs=6, batch=SLOW_BATCH)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "aezoo.sweep", str(path), "--out", str(out), "--trials", "3",
               "--workers", "2", "--threads", "1"]
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    end = time.time() + 300
    while time.time() < end and job.poll() is None:  # until a trial has saved an epoch
        if any(checkpoints.exists(out / n) for n in os.listdir(out)) if out.exists() else False:
            break
        time.sleep(0.2)
    os.killpg(job.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole group
    _, err = job.communicate(timeout=600)
    assert job.returncode == 130, err
    study = load(out)
    unfinished = [t for t in study.trials if t.state.name == "RUNNING"]
    assert unfinished and "FAIL" not in states(study)
    again = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    assert "resume from epoch" in again.stderr
    study = load(out)
    assert states(study) == ["COMPLETE"] * 3  # the stopped trials went on; none asked twice
    for t in unfinished:
        assert metrics.read(out / t.user_attrs["run"])[0][-1]["epoch"] == 6


def test_the_notebook_sweep_runs_a_search_and_gives_its_study(tmp_path):
    path = write(tmp_path, epochs=1)
    search = aezoo.Sweep(str(path), out=str(tmp_path / "nb")).run(trials=2, workers=1)
    assert search.outcome.failed == []
    assert isinstance(search.study, optuna.Study) and len(search.study.trials) == 2
    assert len(search.runs) == 2 and search.study.best_trial.number in (0, 1)
