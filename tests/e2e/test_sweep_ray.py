"""aezoo sweep --ray: a task a run on a Ray cluster (started here on the loopback only), with the
numbers of --workers 1, a killed task's worker retried from its checkpoint, and --ray local."""
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from e2e.sweep_helpers import (NAMES, assert_same, scores, sweep_process, unbroken_sweep,
                               wait_for_epoch, write)

pytestmark = pytest.mark.slow
if os.environ.get("AEZOO_REQUIRE_RAY") != "1":
    pytest.importorskip("ray", reason="the [ray] extra is not installed (pip install 'aezoo[ray]')")

# Every connection stays on 127.0.0.1 (Ray otherwise rewrites it to the machine's own address).
# Token authentication off for head and driver alike: Ray 2.60 turns it on by itself when it
# finds ~/.ray/auth_token (which any `ray.init()` of a local cluster writes), and a head and a
# driver that disagree about it cannot talk.
LOOPBACK = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
            "RAY_AUTH_MODE": "disabled"}
RAY = os.path.join(os.path.dirname(sys.executable), "ray")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    port = free_port()
    env = {**os.environ, **LOOPBACK}
    started = subprocess.run([RAY, "start", "--head", "--port", str(port), "--num-cpus", "2",
                              "--node-ip-address", "127.0.0.1", "--include-dashboard=false",
                              "--disable-usage-stats"], env=env, capture_output=True, text=True,
                             timeout=180)
    assert started.returncode == 0, started.stderr
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)


@pytest.fixture(autouse=True)
def loopback(monkeypatch):
    for key, value in LOOPBACK.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="module")
def one_at_a_time(tmp_path_factory):
    root = tmp_path_factory.mktemp("one")
    return (root, *unbroken_sweep(root, epochs=5))


def ray_workers_running_work():
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                command = open(f"/proc/{pid}/cmdline").read()
            except OSError:
                continue
            if command.startswith("ray::work"):
                found.append(int(pid))
    return found


def test_a_sweep_on_a_ray_cluster_equals_one_at_a_time_even_when_a_task_is_killed(
        cluster, one_at_a_time):
    root, path, expected = one_at_a_time
    out = root / "ray"
    job = sweep_process(path, out, "--ray", cluster, "--threads", "1")
    wait_for_epoch(out, 2, job)
    end = time.time() + 60
    while not ray_workers_running_work() and time.time() < end:
        time.sleep(0.2)
    os.kill(ray_workers_running_work()[0], signal.SIGKILL)  # Ray retries the task
    _, err = job.communicate(timeout=900)
    assert job.returncode == 0, err
    assert f"4 of 4 runs to train on Ray at {cluster}, 1 thread each" in err
    resumed = [n for n in NAMES if "resuming from epoch" in (out / "logs" / f"{n}.log").read_text()]
    assert resumed, "no task was retried from its checkpoint"
    assert_same(scores(out), expected)


def test_ray_local_starts_its_own_cluster_for_the_sweep(tmp_path):
    path = write(tmp_path, epochs=2)
    job = sweep_process(path, tmp_path / "out", "--ray", "local", "--threads", "1")
    _, err = job.communicate(timeout=600)
    assert job.returncode == 0, err
    assert all((tmp_path / "out" / n / "checkpoint.npz").exists() for n in NAMES)


def test_no_cluster_at_the_address_is_one_line_and_nothing_runs(tmp_path):
    path = write(tmp_path, epochs=2)
    done = subprocess.run([sys.executable, "-m", "aezoo", "sweep", str(path), "--out",
                           str(tmp_path / "out"), "--ray", f"127.0.0.1:{free_port()}"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("aezoo sweep: error: --ray 127.0.0.1:") and "ray start --head" in lines[-1]
    assert not (tmp_path / "out").exists()
