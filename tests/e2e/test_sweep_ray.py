"""aezoo sweep --ray: a task a run on a Ray cluster (started here on the loopback only), with the
numbers of --workers 1, a killed task's worker retried from its checkpoint, and --ray local; and a
cluster started by `ray start --head` with Ray's defaults (token authentication), joined with the
token where Ray keeps it, and refused in one line that names the cause."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from aezoo.runs import checkpoints
from aezoo.sweeps import search, study as studies
from search_file import lr_search
from e2e.sweep_helpers import (NAMES, assert_same, run_to_kill, scores, sweep_process,
                               unbroken_sweep, write)

pytestmark = pytest.mark.slow
if os.environ.get("AEZOO_REQUIRE_RAY") != "1":
    pytest.importorskip("ray", reason="the [ray] extra is not installed (pip install 'aezoo[ray]')")
optuna = pytest.importorskip("optuna")

# Every connection stays on 127.0.0.1 (Ray otherwise rewrites it to the machine's own address).
# Token authentication off for head and driver alike: Ray 2.60 turns it on by itself when it
# finds ~/.ray/auth_token (which any `ray.init()` of a local cluster writes), and a head and a
# driver that disagree about it cannot talk.
# A raylet on a busy machine takes longer than Ray's 10 s to register: wait for it.
LOOPBACK = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
            "RAY_AUTH_MODE": "disabled", "RAY_raylet_start_wait_time_s": "120"}
RAY = os.path.join(os.path.dirname(sys.executable), "ray")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_head(env, port):
    """`ray start --head --block` on 127.0.0.1:port in its own session and temp folder (a short
    path: Ray's sockets live there); the process, once the cluster is up. Stopping it (stop_head)
    stops this cluster alone, never another one on the machine (`ray stop` stops them all)."""
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
    log = open(os.path.join(temp, "head.log"), "w+")
    # No drain on SIGTERM: Ray 2.60 waits up to 30 s for a node to drain before it stops (for
    # Ray Serve); these clusters serve nothing once their tests are done.
    env = {**env, "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S": "0"}
    head = subprocess.Popen([RAY, "start", "--head", "--port", str(port), "--num-cpus", "2",
                             "--node-ip-address", "127.0.0.1", "--include-dashboard=false",
                             "--disable-usage-stats", "--temp-dir", temp, "--block"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    head.temp, end = temp, time.time() + 180
    while "Ray runtime started" not in open(log.name).read():
        assert head.poll() is None and time.time() < end, open(log.name).read()
        time.sleep(0.5)
    return head


def stop_head(head):
    os.killpg(head.pid, signal.SIGTERM)  # --block stops the cluster's processes on SIGTERM
    try:
        head.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(head.pid, signal.SIGKILL)
        head.wait()
    shutil.rmtree(head.temp, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    port = free_port()
    head = start_head({**os.environ, **LOOPBACK}, port)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop_head(head)


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
    name, victim = run_to_kill(out, job, ray_workers_running_work)
    os.kill(victim, signal.SIGKILL)  # Ray retries the task
    _, err = job.communicate(timeout=900)
    assert job.returncode == 0, err
    assert f"4 of 4 runs to train on Ray at {cluster}, 1 thread each" in err
    assert "resuming from epoch" in (out / "logs" / f"{name}.log").read_text()
    assert_same(scores(out), expected)


def test_a_search_runs_its_trials_on_the_cluster(cluster, tmp_path):
    path = tmp_path / "search.toml"
    path.write_text(lr_search(epochs=2))
    out = tmp_path / "out"
    job = sweep_process(path, out, "--ray", cluster, "--threads", "1", "--trials", "3",
                        "--early-stop", "median")
    _, err = job.communicate(timeout=900)
    assert job.returncode == 0, err
    assert f"trials of study 'search' (up to 3 in all) to train on Ray at {cluster}" in err
    study = optuna.load_study(study_name="search", storage=studies.storage(str(out / studies.FILE)))
    assert len(study.trials) == 3
    for t in study.trials:  # each trained on the cluster into its own folder, and reported its
        assert t.state.name in ("COMPLETE", "PRUNED")  # epochs to the pruner from there
        assert checkpoints.exists(out / t.user_attrs["run"]) and t.intermediate_values
        if t.state.name == "COMPLETE":
            assert t.value == search.score(str(out / t.user_attrs["run"]))
    assert study.trials[0].state.name == "COMPLETE"  # the median needs 2 trials to judge by


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


# ---- a cluster with Ray's defaults: token authentication ----

def without_ray_auth(home):
    """This process's environment with HOME at `home` and none of Ray's auth settings."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")}
    return {**env, "HOME": str(home), "RAY_USAGE_STATS_ENABLED": "0",
            "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


@pytest.fixture(scope="module")
def token_cluster(tmp_path_factory):
    """`ray start --head` as Ray's docs say, where a token exists (`ray get-auth-token
    --generate` makes ~/.ray/auth_token, as any `ray.init()` does): Ray turns authentication
    on. Yields (address, the home folder holding the token, the token)."""
    home = tmp_path_factory.mktemp("home")
    env = without_ray_auth(home)
    subprocess.run([RAY, "get-auth-token", "--generate"], env=env, check=True,
                   capture_output=True, timeout=120)
    token = (home / ".ray" / "auth_token").read_text().strip()
    port = free_port()
    head = start_head(env, port)
    try:
        log = open(os.path.join(head.temp, "head.log")).read()
        assert "Token authentication is enabled" in log, log
        yield f"127.0.0.1:{port}", home, token
    finally:
        stop_head(head)


def one_run(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text('[defaults]\ndata = "digits"\nepochs = 1\n[runs.a]\nmodel = "simple"\n')
    return path


def sweep_with(env, path, out, address):
    return subprocess.run([sys.executable, "-m", "aezoo", "sweep", str(path), "--out", str(out),
                           "--ray", address, "--threads", "1"], env=env, capture_output=True,
                          text=True, timeout=600)


# (RAY_AUTH_TOKEN itself: Ray reads it as it reads the file; the refusal below finds it)
@pytest.mark.parametrize("where", ["~/.ray/auth_token", "RAY_AUTH_TOKEN_PATH"])
def test_a_sweep_joins_a_cluster_with_token_authentication(token_cluster, tmp_path, where,
                                                          monkeypatch):
    for key in LOOPBACK:
        monkeypatch.delenv(key)
    address, home, token = token_cluster
    if where == "~/.ray/auth_token":
        env = without_ray_auth(home)  # what `ray start --head` made; RAY_AUTH_MODE unset
    else:
        env = without_ray_auth(tmp_path / "empty")
        (tmp_path / "token").write_text(token)
        env[where] = str(tmp_path / "token")
    done = sweep_with(env, one_run(tmp_path), tmp_path / "out", address)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "a" / "checkpoint.npz").exists()


@pytest.mark.parametrize("auth, message", [
    ({}, "the cluster requires token authentication and this machine has no Ray token"),
    ({"RAY_AUTH_TOKEN": "not-the-token"}, "the cluster refused the Ray token from RAY_AUTH_TOKEN"),
    ({"RAY_AUTH_MODE": "disabled"}, "RAY_AUTH_MODE=disabled is set here"),
    ({"RAY_AUTH_MODE": "token"}, "RAY_AUTH_MODE=token but no Ray token was found"),
])
def test_a_refused_token_is_one_line_naming_the_cause_and_nothing_runs(token_cluster, tmp_path,
                                                                       auth, message, monkeypatch):
    for key in LOOPBACK:
        monkeypatch.delenv(key)
    address, home, _ = token_cluster
    # the token's home for RAY_AUTH_MODE=disabled (it must say so, not blame a missing token)
    env = {**without_ray_auth(home if auth.get("RAY_AUTH_MODE") == "disabled"
                              else tmp_path / "empty"), **auth,
           # Ray asks a refusing head 20 times, a second apart, to the same answer: twice here
           "RAY_NUM_REDIS_GET_RETRIES": "2"}
    path = one_run(tmp_path)
    before = path.read_text()
    done = sweep_with(env, path, tmp_path / "out", address)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"aezoo sweep: error: --ray {address}: "), lines
    assert message in lines[0] and "ray get-auth-token" in lines[0]
    assert not (tmp_path / "out").exists() and path.read_text() == before
