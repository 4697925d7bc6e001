"""--distributed over MPI (ChainerMN): two processes train one run as one process would,
stay in sync through growth, write one run folder, and resume with another process count."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from aezoo.runs import metrics
from aezoo.run import main
from aezoo.runs import checkpoints

MPIEXEC = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
try:
    import mpi4py  # noqa: F401
except ImportError:
    mpi4py = None
pytestmark = pytest.mark.skipif(MPIEXEC is None or mpi4py is None,
                                reason="needs mpiexec and mpi4py (pip install 'aezoo[mpi]')")
TINY = ["--data", "digits", "--no-video", "--batch-size", "64", "--quiet"]  # 1438 = 22 x 64 + 30


def command(n):
    found = [MPIEXEC, "--oversubscribe", "-n", str(n)]
    if os.geteuid() == 0:
        found.insert(1, "--allow-run-as-root")  # Open MPI refuses root without it
    return found


def mpiexec(n, argv, **kwargs):
    return subprocess.run(command(n) + [sys.executable] + argv, capture_output=True, text=True,
                          timeout=300, **kwargs)


def long_job(run):
    """A 2-process run of many epochs, once it has saved epoch 2: (the mpiexec job, rank pids).
    SIGINT is left at its default in the ranks, as in a terminal."""
    job = subprocess.Popen(command(2) + [sys.executable, "-m", "aezoo.run", "deep", "--epochs", "500",
                                         *TINY, "--distributed", "--out", run],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while time.time() < deadline and not os.path.exists(os.path.join(run, "recon", "epoch_0002.npz")):
        time.sleep(0.1)
    ranks = subprocess.run(["pgrep", "-f", "--", f"--out {run}"], capture_output=True, text=True)
    return job, sorted(int(p) for p in ranks.stdout.split() if int(p) != job.pid)


def losses(run):
    return [(r["epoch"], r.get("train_loss"), r["test_loss"]) for r in metrics.read(run)[0]]


def test_two_processes_train_the_run_one_process_trains(tmp_path):
    args = ["deep", "--grow-every", "1", "--epochs", "3", *TINY]
    one, two = str(tmp_path / "one" / "run"), str(tmp_path / "two" / "run")
    assert main([*args, "--out", one]) == 0
    spoken = [a for a in args if a != "--quiet"]  # what rank 0 says is checked below
    done = mpiexec(2, ["-m", "aezoo.run", *spoken, "--distributed", "--out", two])
    assert done.returncode == 0, done.stderr
    for (e1, train1, test1), (e2, train2, test2) in zip(losses(one), losses(two)):
        assert e1 == e2 and test2 == pytest.approx(test1, rel=1e-4)
        assert train1 is None or train2 == pytest.approx(train1, rel=1e-4)
    assert len(losses(two)) == 4
    assert done.stderr.splitlines()[0].endswith(f"into {two} with 2 processes")
    assert done.stderr.count("\nsummary\n") == 1  # rank 0 speaks for the run
    assert os.listdir(tmp_path / "two") == ["run"]  # rank 1 wrote nothing anywhere
    events = [e["event"] for e in metrics.read(two)[1]]
    assert events.count("growth") == 2  # logged once, by rank 0


SYNC = """
import sys
import numpy as np
from aezoo.commands.run import configure
from aezoo.train.plan import plan
from aezoo.train.start import prepare
cfg, given, _ = configure(["deep", "--grow-every", "1", "--grow-init", "identity", "--epochs", "3",
                           "--data", "digits", "--batch-size", "64", "--no-video", "--quiet",
                           "--distributed", "--out", sys.argv[1]])
prepared = prepare(plan(cfg, given))
prepared.trainer.run(cfg.epochs)
rank = prepared.trainer.cluster.rank
np.savez(f"{sys.argv[2]}/rank{rank}.npz",
         **{path: p.array for path, p in prepared.trainer.model.namedparams()})
"""


def test_after_growth_every_parameter_is_the_same_on_every_rank(tmp_path):
    done = mpiexec(2, ["-c", SYNC, str(tmp_path / "run"), str(tmp_path)])
    assert done.returncode == 0, done.stderr
    a, b = (np.load(tmp_path / f"rank{r}.npz") for r in (0, 1))
    assert len(a.files) == 12  # three encoder and three decoder layers, W and b
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_a_two_process_run_resumes_with_one(tmp_path):
    args = ["deep", "--epochs", "3", *TINY]
    unbroken, broken = str(tmp_path / "unbroken"), str(tmp_path / "broken")
    assert main([*args, "--out", unbroken]) == 0
    done = mpiexec(2, ["-m", "aezoo.run", "deep", "--epochs", "2", *TINY, "--distributed",
                       "--out", broken])
    assert done.returncode == 0, done.stderr
    assert main(["--resume", broken, "--epochs", "3", "--no-distributed"]) == 0
    for (e1, _, test1), (e2, _, test2) in zip(losses(unbroken), losses(broken)):
        assert e1 == e2 and test2 == pytest.approx(test1, rel=1e-4)
    config = json.load(open(os.path.join(broken, "config.json")))
    assert len(config["resumed"]) == 1


def test_a_rank_that_dies_ends_the_job_and_keeps_the_last_checkpoint(tmp_path):
    run = str(tmp_path / "run")
    job, pids = long_job(run)
    os.kill(pids[-1], signal.SIGKILL)  # one of the ranks
    start = time.time()
    _, err = job.communicate(timeout=120)  # the job ends: no rank waits forever in an allreduce
    assert job.returncode != 0 and time.time() - start < 30
    saved = checkpoints.read_meta(run)["epoch"]  # the last finished epoch is intact
    assert saved >= 1
    ours = [line for line in err.splitlines() if line.startswith("aezoo run")]
    assert ours == [f"aezoo run: error: mpiexec stopped the run (a process of it ended, or it was "
                    f"interrupted); epoch {saved} kept in {run}. Continue with: aezoo run "
                    f"--resume {run}"]


def test_ctrl_c_reaching_the_ranks_stops_them_together_with_the_resume_line(tmp_path):
    run = str(tmp_path / "run")
    job, pids = long_job(run)
    for pid in pids:
        os.kill(pid, signal.SIGINT)  # each rank, at its own moment of its epoch
    _, err = job.communicate(timeout=120)
    saved = checkpoints.read_meta(run)["epoch"]
    assert f"aezoo run: interrupted; epoch {saved} saved. Continue with:" in err
    assert metrics.read(run)[0][-1]["epoch"] == saved  # the files agree
    assert "Traceback" not in err


def final_weights(run):
    with np.load(os.path.join(run, checkpoints.FILE)) as npz:
        return {k: npz[k] for k in npz.files if k.startswith("model/")}


@pytest.mark.parametrize("args", [["vae", "--code-dim", "2"],
                                  ["simple", "--noise", "gaussian:0.3"],
                                  ["simple", "--noise", "mask:0.3"]],
                         ids=["vae", "gaussian-noise", "mask-noise"])
def test_two_processes_draw_the_random_numbers_one_process_draws(tmp_path, args):
    """Each process draws for the whole batch and keeps its share: z, noise and the generator's
    state after them are the one-process run's."""
    args = [*args, "--epochs", "2", *TINY]
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    assert main([*args, "--out", one]) == 0
    done = mpiexec(2, ["-m", "aezoo.run", *args, "--distributed", "--out", two])
    assert done.returncode == 0, done.stderr
    for (e1, train1, test1), (e2, train2, test2) in zip(losses(one), losses(two)):
        # float32 sums in another order (the allreduce): what deep's runs differ by too
        assert e1 == e2 and test2 == pytest.approx(test1, rel=1e-4)
        assert train1 is None or train2 == pytest.approx(train1, rel=1e-4)
    untrained = (losses(one)[0][2], losses(two)[0][2])
    assert untrained[1] == pytest.approx(untrained[0], rel=1e-6)  # the same draws, no update yet


def test_a_two_process_vae_resumed_on_two_equals_the_unbroken_run(tmp_path):
    args = ["vae", "--code-dim", "2", *TINY, "--distributed"]
    unbroken, broken = str(tmp_path / "unbroken"), str(tmp_path / "broken")
    for argv in ([*args, "--epochs", "3", "--out", unbroken],
                 [*args, "--epochs", "2", "--out", broken],
                 ["--resume", broken, "--epochs", "3"]):
        done = mpiexec(2, ["-m", "aezoo.run", *argv])
        assert done.returncode == 0, done.stderr
    for (e1, train1, test1), (e2, train2, test2) in zip(losses(unbroken), losses(broken)):
        assert e1 == e2 and test2 == pytest.approx(test1, rel=1e-6)
        assert train1 is None or train2 == pytest.approx(train1, rel=1e-6)
    a, b = final_weights(unbroken), final_weights(broken)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], atol=1e-6, err_msg=key)
