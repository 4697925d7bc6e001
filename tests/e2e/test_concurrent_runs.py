"""Two runs started at once on one folder: one trains, the other is refused in one line."""
import subprocess
import sys

from aezoo.runs import metrics
from conftest import TINY


def test_two_runs_started_at_once_on_one_folder_never_share_it(tmp_path):
    run = str(tmp_path / "shared")
    argv = [sys.executable, "-m", "aezoo.run", "simple", "--epochs", "2", *TINY, "--out", run]
    procs = [subprocess.Popen(argv, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = sorted((p.wait(timeout=120), p.stderr.read()) for p in procs)
    assert [code for code, _ in results] == [0, 2], results
    assert "error: run folder" in results[1][1]
    assert [r["epoch"] for r in metrics.read(run)[0]] == [0, 1, 2]  # one writer
