"""aezoo sweep --workers N: runs at once, each in its own process, with the numbers of one at a
time; a killed worker is retried from its checkpoint; Ctrl-C stops every run at its next epoch
and the sweep resumes; --early-stop asha stops the hopeless runs and never resumes them."""
import csv
import json
import os
import re
import signal
import time

import pytest

from aezoo.commands import sweep
from aezoo.runs import checkpoints, metrics
from aezoo.sweeps import study as studies
from e2e.sweep_helpers import (NAMES, assert_same, run_to_kill, scores, sweep_process,
                               unbroken_sweep, wait_for_epoch, workers_of, write)

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def one_at_a_time(tmp_path_factory):
    root = tmp_path_factory.mktemp("one")
    assert sweep.main([str(write(root)), "--out", str(root / "out"), "--workers", "1",
                       "--threads", "1"]) == 0
    return scores(root / "out")


def test_two_workers_give_every_run_the_numbers_of_one_at_a_time(tmp_path, one_at_a_time, capsys):
    out = tmp_path / "out"
    assert sweep.main([str(write(tmp_path)), "--out", str(out), "--workers", "2",
                       "--threads", "1"]) == 0
    assert_same(scores(out), one_at_a_time)
    err = capsys.readouterr().err
    assert "4 of 4 runs to train on 2 processes, 1 thread each" in err
    for name in NAMES:  # one status line a run, each run's own lines in its log
        assert f"aezoo sweep: {name}: done, epoch 3, test loss" in err
        assert "epoch 3/3" in (out / "logs" / f"{name}.log").read_text()
    # Warm workers: the two processes trained all four runs. Both get a run at the start; the
    # next goes to whichever is free first, so the split is 2 and 2 or, under load, 3 and 1.
    took = [re.search(r"worker (\d+) trains", (out / "logs" / f"{n}.log").read_text()).group(1)
            for n in NAMES]
    assert len(set(took)) == 2, took
    assert len(list(csv.DictReader(open(out / "scores.csv")))) == 4 + 1  # and a PCA row


@pytest.fixture(scope="module")
def unbroken(tmp_path_factory):
    root = tmp_path_factory.mktemp("unbroken")
    return (root, *unbroken_sweep(root, epochs=6))


def test_a_killed_worker_is_retried_from_its_checkpoint_and_the_sweep_is_unchanged(unbroken):
    root, path, expected = unbroken
    out = root / "killed"
    job = sweep_process(path, out, "--workers", "2", "--threads", "1")
    name, victim = run_to_kill(out, job, lambda: workers_of(job.pid))
    os.kill(victim, signal.SIGKILL)
    _, err = job.communicate(timeout=600)
    assert job.returncode == 0, err
    assert f"{name}: its process was killed (signal 9); retry 1 of 2, from its checkpoint" in err
    assert "resuming from epoch" in (out / "logs" / f"{name}.log").read_text()
    assert_same(scores(out), expected)


def test_a_worker_killed_past_its_retries_says_by_which_signal(unbroken):
    root, path, _ = unbroken
    out = root / "killed-for-good"
    job = sweep_process(path, out, "--workers", "2", "--threads", "1", "--retries", "0")
    name, victim = run_to_kill(out, job, lambda: workers_of(job.pid))
    os.kill(victim, signal.SIGKILL)
    _, err = job.communicate(timeout=600)
    assert job.returncode == 1, err
    assert f"1 run(s) failed: {name} (its process was killed by SIGKILL (signal 9))" in err


def test_a_run_killed_after_its_last_checkpoint_counts_as_finished(tmp_path, capsys, monkeypatch):
    """The kill lands after the run wrote its last epoch, before its process exited (the timing
    is made here: the real workers train, then every exit status is a SIGKILL's)."""
    from aezoo.sweeps import local
    real = local.run_local
    monkeypatch.setattr(local, "run_local",
                        lambda *args: {name: -9 for name in real(*args)})
    out = tmp_path / "out"
    assert sweep.main([str(write(tmp_path, epochs=1)), "--out", str(out), "--workers", "2",
                       "--threads", "1"]) == 0
    assert "failed" not in capsys.readouterr().err
    assert len(list(csv.DictReader(open(out / "scores.csv")))) == 4 + 1


def test_a_worker_killed_between_two_runs_is_replaced_and_no_try_is_spent(tmp_path, monkeypatch,
                                                                            capsys):
    """The kill lands after a worker sent its run's status, before it is given the next run
    (the timing is made here: the sweep's `finished` kills it). The sweep gave the next run to
    the dead worker, and its pipe's BrokenPipeError ended the sweep ("cannot write or read
    Broken pipe", exit 1) with runs still to train."""
    from aezoo.sweeps import local
    real, killed = local.run_local, []

    def run_local(jobs, workers, retries, out, poll, finished):
        def kill_its_worker(name, status):
            if not killed:
                log = (tmp_path / "out" / "logs" / f"{name}.log").read_text()
                pid = int(re.search(r"worker (\d+) trains", log).group(1))
                os.kill(pid, signal.SIGKILL)
                while open(f"/proc/{pid}/stat").read().split()[2] != "Z":  # dead, not joined
                    time.sleep(0.01)
                killed.append(name)
            finished(name, status)
        return real(jobs, workers, retries, out, poll, kill_its_worker)

    monkeypatch.setattr(local, "run_local", run_local)
    out = tmp_path / "out"
    assert sweep.main([str(write(tmp_path, epochs=1)), "--out", str(out), "--workers", "2",
                       "--threads", "1", "--retries", "0"]) == 0
    assert killed and "its process was killed" not in capsys.readouterr().err
    assert len(list(csv.DictReader(open(out / "scores.csv")))) == 4 + 1


def test_ctrl_c_stops_every_run_at_its_next_epoch_and_repeating_resumes_them(unbroken):
    root, path, expected = unbroken
    out = root / "stopped"
    job = sweep_process(path, out, "--workers", "2", "--threads", "1")
    wait_for_epoch(out, 1, job)
    os.killpg(job.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: the whole group
    _, err = job.communicate(timeout=600)
    assert job.returncode == 130, err
    assert "interrupted; every run saved its last epoch. Repeat the command to continue" in err
    saved = {n: checkpoints.read_meta(out / n)["epoch"] for n in NAMES if checkpoints.exists(out / n)}
    assert saved and all(0 <= e < 6 for e in saved.values())
    for name, epoch in saved.items():  # the files agree with the checkpoint
        assert metrics.read(out / name)[0][-1]["epoch"] == epoch
    assert not (out / "scores.csv").exists()
    again = sweep_process(path, out, "--workers", "2", "--threads", "1")
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert "resume from epoch" in err
    assert_same(scores(out), expected)


LR = """
[defaults]
data = "digits"
model = "simple"
epochs = 9
[grid]
lr = [0.01, 0.001, 0.0001, 0.00001]
"""


def test_asha_stops_the_hopeless_runs_marks_them_and_a_repeat_never_resumes_them(tmp_path, capsys):
    optuna = pytest.importorskip("optuna")
    path, out = tmp_path / "lr.toml", tmp_path / "out"
    path.write_text(LR)
    # One worker: the runs reach the rungs in file order, so the decisions are known.
    assert sweep.main([str(path), "--out", str(out), "--workers", "1", "--early-stop", "asha",
                       "--grace", "1"]) == 0
    study = optuna.load_study(study_name="lr", storage=studies.storage(str(out / studies.FILE)))
    state = {t.user_attrs["run"]: t.state.name for t in study.trials}
    # Optuna's successive halving: the first trial at a rung goes on; each later one is
    # behind the best 1/3 of those there (learning rates falling), so it is pruned there.
    assert state == {"lr=0.01": "COMPLETE", "lr=0.001": "PRUNED", "lr=0.0001": "PRUNED",
                     "lr=1e-05": "PRUNED"}
    stopped = {run for run, s in state.items() if s == "PRUNED"}
    assert checkpoints.read_meta(out / "lr=0.01")["epoch"] == 9
    for run in stopped:
        assert checkpoints.read_meta(out / run)["state"]["stopped_early"] == 1
        event = [e for e in metrics.read(out / run)[1] if e["event"] == "stopped_early"]
        assert event and event[0]["by"] == "asha" and event[0]["judged_epoch"] == 1
        trial = next(t for t in study.trials if t.user_attrs["run"] == run)
        assert trial.intermediate_values == {1: event[0]["test_bce"]}  # what the pruner saw
    rows = {r["run"]: r for r in csv.DictReader(open(out / "scores.csv"))}
    assert rows["lr=1e-05"]["stopped_early"] == "1" and rows["lr=0.01"]["stopped_early"] == ""
    assert "| 1 (stopped early) |" in (out / "scores.md").read_text()
    assert "stopped early at" in (out / "report.html").read_text()
    assert not (out / "asha.jsonl").exists()  # the one record is the study
    capsys.readouterr()
    assert sweep.main([str(path), "--out", str(out), "--workers", "1", "--early-stop", "asha",
                       "--grace", "1"]) == 0
    err = capsys.readouterr().err
    assert "lr=1e-05: skip (stopped early, 1 epochs)" in err
    assert "lr=0.01: skip (finished, 9 epochs)" in err
    assert len(optuna.load_study(study_name="lr", storage=studies.storage(
        str(out / studies.FILE))).trials) == 4  # nothing asked again


@pytest.mark.parametrize("options, message", [
    (["--workers", "0"], "--workers 0: expected a whole number from 1 to 256"),
    (["--threads", "-1"], "--threads -1: expected a whole number from 1 to 1024"),
    (["--grace", "2"], "--grace and --reduction-factor only apply with --early-stop"),
    (["--grace=2"], "--grace and --reduction-factor only apply with --early-stop"),
    (["--reduction-factor=3"], "--grace and --reduction-factor only apply with --early-stop"),
    (["--grace", "1"], "--grace and --reduction-factor only apply with --early-stop"),
    (["--ray", ""], "--ray '': expected a Ray address"),
    (["--ray=  "], "--ray '  ': expected a Ray address"),
    (["--ray", "local", "--workers", "2"], "with --ray, Ray places the runs"),
    (["--early-stop", "successive"], "invalid choice: 'successive'"),
    (["--trials", "3"], "--trials, --sampler, --storage and --study are for a sweep file with"),
    (["--early-stop", "asha", "--reduction-factor", "1"], "--reduction-factor 1: expected"),
])
def test_bad_sweep_options_are_one_line_and_write_nothing(tmp_path, capsys, options, message):
    path = write(tmp_path)
    assert sweep.main([str(path), "--out", str(tmp_path / "out"), *options]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("aezoo sweep: error: ") and message in err
    assert not (tmp_path / "out").exists()
