"""What the sweep tests share: a 4-run sweep file, its scores, a sweep in its own process."""
import os
import subprocess
import sys
import time

import numpy as np

from aezoo.runs import checkpoints, metrics

FOUR = """
[defaults]
data = "{data}"
epochs = {epochs}
batch_size = {batch}
[runs.simple]
model = "simple"
[runs.deep]
model = "deep"
[grid]
seed = [0, 1]
"""
NAMES = [f"{m}-seed={s}" for m in ("simple", "deep") for s in (0, 1)]


def write(tmp_path, data="digits", epochs=3, name="four.toml", batch=128):
    path = tmp_path / name
    path.write_text(FOUR.format(data=data, epochs=epochs, batch=batch))
    return path


def scores(out):
    """{run: [(epoch, test scores...)]} of every run of a sweep folder."""
    found = {}
    for name in NAMES:
        epochs, _ = metrics.read(out / name)
        found[name] = [(r["epoch"], r["test_loss"], r["test_mse"], r["test_sqerr"]) for r in epochs]
    return found


def assert_same(a, b):
    assert a.keys() == b.keys()
    for name in a:
        assert [r[0] for r in a[name]] == [r[0] for r in b[name]], (name, a[name], b[name])
        np.testing.assert_allclose(np.array(a[name])[:, 1:], np.array(b[name])[:, 1:], rtol=1e-6,
                                   atol=0, err_msg=name)


# Batches this small make an epoch of slow_data last about 0.2 s (simple) to 0.5 s (deep) on
# 2 idle cores: at the default 128 the kernels made it 0.04-0.1 s, and a run could end
# between the test seeing an epoch and its signal landing (a search's Ctrl-C test failed so).
SLOW_BATCH = 16


def slow_data(tmp_path):
    """The digits at 24 x 24, twice over: with SLOW_BATCH, epochs long enough to stop a run in
    the middle."""
    from sklearn.datasets import load_digits
    images = np.kron(load_digits().images, np.ones((3, 3))) / 16.0
    path = tmp_path / "x.npy"
    np.save(path, np.concatenate([images, images[:, ::-1]]).astype(np.float32))
    return f"npy:{path}"


def sweep_process(path, out, *options):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "aezoo", "sweep", str(path), "--out", str(out),
                             *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)


def wait_for_epoch(out, epoch, job, timeout=300):
    """Until some run has finished `epoch` (the sweep still going)."""
    end = time.time() + timeout
    while time.time() < end and job.poll() is None:
        for name in NAMES:
            try:
                if any(r["epoch"] >= epoch for r in metrics.read(out / name)[0]):
                    return name
            except Exception:
                pass
        time.sleep(0.2)
    raise AssertionError(f"no run reached epoch {epoch}; the sweep said {job.communicate()}")


def run_to_kill(out, job, processes, timeout=300):
    """(run, pid): a deep run of the sweep at `out` whose checkpoint holds epoch 1 or 2 (so a
    kill now has its checkpoint to resume from, and epochs left to train: a deep epoch of
    slow_data lasts about 0.5 s), and the process among `processes()` training it: the one
    with the run's log open. Killing whichever worker came first could hit a run that had
    just begun (nothing to resume) or a worker between runs."""
    end = time.time() + timeout
    while time.time() < end and job.poll() is None:
        for name in NAMES[2:]:  # the deep runs, the slower ones
            try:
                saved = checkpoints.read_meta(out / name)["epoch"]
            except Exception:  # not written yet
                continue
            if 1 <= saved <= 2:
                pid = process_with_open(out / "logs" / f"{name}.log", processes())
                if pid is not None:
                    return name, pid
        time.sleep(0.05)
    raise AssertionError(f"no deep run was seen at epoch 1 or 2; the sweep said {job.communicate()}")


def process_with_open(path, pids):
    """The process among `pids` that has `path` open, or None."""
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == os.path.realpath(path) for fd in fds):
                return pid
        except OSError:  # it ended meanwhile
            continue
    return None


def workers_of(pid):
    """The sweep's worker processes (multiprocessing's spawned children, not its tracker)."""
    found = []
    for child in open(f"/proc/{pid}/task/{pid}/children").read().split():
        command = open(f"/proc/{child}/cmdline").read()
        if "multiprocessing.spawn" in command or "spawn_main" in command:
            found.append(int(child))
    return found


def unbroken_sweep(root, epochs):
    """(sweep file, its runs' scores) of a sweep on slow_data run one at a time, from a shell as
    a user runs it: a fresh process, as the workers are."""
    path = write(root, slow_data(root), epochs=epochs, batch=SLOW_BATCH)
    job = sweep_process(path, root / "out", "--workers", "1", "--threads", "1")
    _, err = job.communicate(timeout=900)
    assert job.returncode == 0, err
    return path, scores(root / "out")
