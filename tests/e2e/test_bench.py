"""aezoo bench: each side (aezoo, stock Chainer, PyTorch) trains in its own process from the
same weights; a machine that stays busy gets the figures without ratios and exit status 3; a
bad thread count or --json file is one line, before anything is measured. The load the bench
waits on is injected (main's `loadavg` and `sleep`) where a test needs it idle or busy."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aezoo.commands import bench

TINY = {"tiny deep": ("deep", {"hidden": [16], "code_dim": 4}, "mnist", 8)}


@pytest.fixture
def tiny(monkeypatch):
    """One tiny workload, and the per-epoch files' run left out (test_bench_command runs it)."""
    monkeypatch.setattr(bench, "WORKLOADS", TINY)
    monkeypatch.setattr(bench, "artifacts", lambda folder, epochs: {"files": 0.05,
                                                                    "terminal": 0.01})


def test_each_side_trains_in_its_own_process_from_the_same_weights(tiny, tmp_path, capsys):
    out = tmp_path / "b.json"
    idle = lambda: (0.0, 0.0, 0.0)  # noqa: E731
    assert bench.main(["--quick", "--threads", "1", "--wait", "0", "--json", str(out)],
                      loadavg=idle) == 0
    found = json.loads(out.read_text())
    r = found["results"]["tiny deep"]
    sides = {"aezoo", "stock"} | ({"torch"} if found["torch"] else set())
    assert set(r["pids"]) == set(r["samples_per_s"]) == set(r["first_loss"]) == sides
    assert len(set(r["pids"].values())) == len(sides) and os.getpid() not in r["pids"].values()
    assert not r["torch_loaded"]["aezoo"] and not r["torch_loaded"]["stock"]  # no PyTorch beside
    for side, loss in r["first_loss"].items():  # the same starting weights in every process
        assert loss == pytest.approx(r["first_loss"]["aezoo"], rel=1e-4), side
    # The same weights and batch: only the loss's float32 summation order differs (aezoo's own
    # loss node against Chainer's graph), a few units in the last place, not a different start.
    assert r["first_loss"]["stock"] == pytest.approx(r["first_loss"]["aezoo"], rel=1e-6)
    assert found["ratios_refused"] is None and found["load"] == 0.0
    stdout = capsys.readouterr().out
    assert "| tiny deep | 1 |" in stdout and "load 0.00 before the bench" in stdout
    if found["torch"]:
        assert set(r["ratio"]) == {"aezoo", "stock"} and r["ratio"]["aezoo"] > 0


def test_a_machine_that_stays_busy_gets_no_ratios_and_exit_status_3(tiny, tmp_path, capsys):
    cores = os.cpu_count()
    loads, slept = iter([5.0 * cores, 4.0 * cores, 3.0 * cores, 2.5 * cores]), []
    out = tmp_path / "b.json"
    status = bench.main(["--quick", "--threads", "1", "--wait", "25", "--json", str(out)],
                        loadavg=lambda: (next(loads), 0.0, 0.0), sleep=slept.append)
    assert status == bench.BUSY == 3
    assert slept == [10.0, 10.0, 5.0]  # a bounded wait, looked at every 10 s
    captured = capsys.readouterr()
    limit = 0.6 * cores
    assert f"waiting up to 25 s for the load to fall below {limit:.1f}" in captured.err
    refusal = [line for line in captured.err.splitlines() if "no ratios" in line]
    assert refusal == [f"aezoo bench: no ratios: the load stayed at {2.5 * cores:.2f}, above "
                       f"{limit:.1f} (0.6 a core), after waiting 25 s; on a busy machine they "
                       f"measure the contention, not the code (exit status 3)"]
    found = json.loads(out.read_text())
    assert found["ratios_refused"].startswith(f"the load stayed at {2.5 * cores:.2f}")
    assert found["load"] == 5.0 * cores and found["load_after_wait"] == 2.5 * cores
    r = found["results"]["tiny deep"]
    assert "ratio" not in r and r["samples_per_s"]["aezoo"] > 0  # the figures, without ratios
    assert "| –× | –× |" in captured.out  # no ratio cells
    assert "a busy machine" in captured.out.splitlines()[-1]


def test_a_load_that_falls_during_the_wait_gives_ratios(tiny, capsys):
    cores = os.cpu_count()
    loads, slept = iter([3.0 * cores, 1.0 * cores, 0.1 * cores]), []
    assert bench.main(["--quick", "--threads", "1"], loadavg=lambda: (next(loads), 0.0, 0.0),
                      sleep=slept.append) == 0
    assert slept == [10.0, 10.0]
    assert f"{0.1 * cores:.2f} after the wait" in capsys.readouterr().out


def test_a_different_first_loss_stops_the_bench():
    with pytest.raises(RuntimeError, match="the torch side's first loss 0.7 differs from aezoo's "
                                           "0.69: not the same model"):
        bench.check_first_losses("w", {"aezoo": 0.69, "stock": 0.69, "torch": 0.7})
    bench.check_first_losses("w", {"aezoo": 0.69, "stock": 0.69, "torch": 0.69000001})


def test_bench_command_runs_every_workload(tmp_path):
    """`aezoo bench --quick` as a user types it, on the machine's real load: ratios and exit
    status 0 on an idle machine, none and exit status 3 on a busy one."""
    done = subprocess.run([str(Path(sys.executable).parent / "aezoo"), "bench", "--quick",
                           "--wait", "0", "--json", "b.json"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=1200)
    assert "Traceback" not in done.stderr
    found = json.loads((tmp_path / "b.json").read_text())
    assert done.returncode == (3 if found["ratios_refused"] else 0), done.stderr
    assert set(found["results"]) == set(bench.WORKLOADS)
    for name, r in found["results"].items():
        assert r["samples_per_s"]["aezoo"] > 0 and r["samples_per_s"]["stock"] > 0
        assert name in done.stdout
        assert ("ratio" in r) == (found["torch"] and not found["ratios_refused"])
    assert 0 < found["artifacts_share"] and found["sgemm_gflops"] > 0
    shares = found["shares"]  # each logger's share, by the cost it declares
    assert shares["files"] == found["artifacts_share"] and shares["loss.png"] > 0
    assert {"terminal", "loss.png"} <= set(shares)
    try:
        import tensorboardX  # noqa: F401
        assert 0 < shares["tensorboard"] < 1 and "tensorboard" in done.stdout.splitlines()[-1]
    except ImportError:
        assert "tensorboard" not in shares
    if not found["torch"]:
        assert "comparison was skipped" in done.stdout


@pytest.mark.parametrize("argv, message", [
    (["--threads", "0"], "--threads 0: expected 1 to 1024"),
    (["--wait", "-1"], "--wait -1: expected 0 to 86400 seconds"),
])
def test_bench_refuses_a_bad_option(argv, message, capsys):
    assert bench.main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("where, message", [
    ("/nonexistent/x.json", "folder /nonexistent does not exist"),
    (".", "is a folder; expected a file name"),
])
def test_a_json_file_that_cannot_be_written_is_refused_before_measuring(where, message, capsys,
                                                                        monkeypatch):
    measured = []
    monkeypatch.setattr(bench, "sgemm_peak", lambda n: measured.append(n) or 1.0)
    assert bench.main(["--quick", "--json", where]) == 2
    err = capsys.readouterr().err.strip()
    assert f"--json {where}" in err and message in err and len(err.splitlines()) == 1
    assert measured == []
