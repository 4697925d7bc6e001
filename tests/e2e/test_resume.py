"""Stopped and resumed, a run equals the unbroken run: after kill -9, and across a growth."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from aezoo.runs import metrics, rundir, checkpoints
from aezoo.run import main
from conftest import TINY, comparable, growth_events, weights


def test_kill_9_mid_run_then_resume_equals_the_unbroken_run(tmp_path):
    args = ["deep", "--grow-every", "2", "--noise", "mask:0.2", "--seed", "4", *TINY]
    unbroken = str(tmp_path / "unbroken")
    assert main([*args, "--epochs", "5", "--out", unbroken]) == 0
    run = str(tmp_path / "killed")
    proc = subprocess.Popen([sys.executable, "-m", "aezoo.run", *args, "--epochs", "5", "--out", run],
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not os.path.exists(os.path.join(run, "recon", "epoch_0002.npz")):
        time.sleep(0.01)
    proc.kill()  # SIGKILL: no handler runs
    assert proc.wait(timeout=30) == -signal.SIGKILL  # it was still training
    assert checkpoints.read_meta(run)["epoch"] < 5
    assert main(["--resume", run, "--epochs", "5"]) == 0
    a, b = (np.load(os.path.join(r, checkpoints.FILE)) for r in (unbroken, run))
    for key in a.files:
        if key != "meta":
            np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)
    strip = lambda r: [{k: v for k, v in x.items() if k != "seconds"}  # noqa: E731
                       for x in sum(metrics.read(r), [])]
    assert strip(unbroken) == strip(run)
    assert rundir.read_architecture(unbroken) == rundir.read_architecture(run)


@pytest.mark.parametrize("options", [
    ["--fade-in", "2", "--freeze-old", "1"],
    ["--grow-init", "identity"],
])
@pytest.mark.parametrize("stop", [2, 3])  # the checkpoint just before / just after a growth
def test_resume_across_a_growth_equals_an_unbroken_run(tmp_path, options, stop):
    args = ["deep", "--grow-every", "2", *options, "--seed", "1"]
    unbroken = str(tmp_path / "unbroken")
    broken = str(tmp_path / "broken")
    assert main([*args, "--epochs", "5", *TINY, "--out", unbroken]) == 0
    assert main([*args, "--epochs", str(stop), *TINY, "--out", broken]) == 0
    assert main(["--resume", broken, "--epochs", "5"]) == 0
    assert [e["epoch"] for e in growth_events(unbroken)] == [3, 5]
    a, b = weights(unbroken), weights(broken)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)
    assert comparable(unbroken) == comparable(broken)  # growth_batches lines included
    # The model as it grew, and as it started (config.json keeps the initial one).
    assert rundir.read_architecture(unbroken) == rundir.read_architecture(broken)
    assert rundir.read_config(unbroken)["model"] == rundir.read_config(broken)["model"]
