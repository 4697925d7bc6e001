"""Two `aezoo sweep --storage postgresql+psycopg://...` processes share one study on a PostgreSQL
that the test starts on 127.0.0.1 in a temporary data folder: no trial is lost or run twice, and
both see the same best trial.

initdb refuses to run as root, and CI runs as root: there the server runs as the `postgres`
user (runuser). Without PostgreSQL's binaries (`make test` installs them as root) or the
driver (the search extra) the test is skipped, and says why; under AEZOO_REQUIRE_POSTGRES=1,
which CI (.ci/run) sets, it fails instead.
"""
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest

from search_file import lr_search

pytestmark = pytest.mark.slow

SEARCH = lr_search(epochs=2, low="1e-4", high="1e-1")
TRIALS = 6


def missing(why):
    if os.environ.get("AEZOO_REQUIRE_POSTGRES") == "1":  # CI: never skipped silently
        pytest.fail(f"AEZOO_REQUIRE_POSTGRES=1 but {why}")
    pytest.skip(why)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """The URL of a database on a PostgreSQL server of our own, stopped at the end."""
    try:
        import psycopg  # noqa: F401
        import optuna  # noqa: F401
    except ImportError as e:
        missing(f"the search extra is not installed ({e}): pip install 'aezoo[search]'")
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or \
        [p for p in [shutil.which("initdb")] if p]
    if not found:
        missing("no PostgreSQL binaries (initdb); `make test` installs them as root "
                "(apt-get install postgresql)")
    bin_dir = os.path.dirname(found[-1])
    folder = tempfile.mkdtemp(prefix="aezoo-pg-")
    as_user = []
    if os.geteuid() == 0:  # initdb refuses root: the server is the postgres user's
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(folder, 0o755)
        shutil.chown(folder, "postgres", "postgres")
    data, port = os.path.join(folder, "data"), free_port()

    def run(*command):
        subprocess.run([*as_user, *command], check=True, capture_output=True, text=True)

    run(os.path.join(bin_dir, "initdb"), "-D", data, "-U", "postgres", "--auth=trust")
    run(os.path.join(bin_dir, "pg_ctl"), "-D", data, "-w", "-l", os.path.join(folder, "log"), "-o",
        f"-h 127.0.0.1 -p {port} -k {folder}", "start")
    try:
        run(os.path.join(bin_dir, "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
            "aezoo")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/aezoo"
    finally:
        run(os.path.join(bin_dir, "pg_ctl"), "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def sweep(path, out, url):
    return subprocess.Popen([sys.executable, "-m", "aezoo", "sweep", str(path), "--out", str(out),
                             "--trials", str(TRIALS), "--storage", url, "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def best_line(err):
    return re.search(r"best trial (\d+): ([\d.]+)", err).groups()


def test_two_sweeps_share_one_postgresql_study_without_losing_or_repeating_a_trial(tmp_path,
                                                                                  postgres):
    import optuna
    path = tmp_path / "search.toml"
    path.write_text(SEARCH)
    outs = [tmp_path / "a", tmp_path / "b"]
    jobs = [sweep(path, out, postgres) for out in outs]  # at once, on one study
    for job in jobs:
        _, err = job.communicate(timeout=900)
        assert job.returncode == 0, err
    study = optuna.load_study(study_name="search", storage=postgres)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(done) == TRIALS  # the study's total, not each process's
    others = [t for t in study.trials if t.state != optuna.trial.TrialState.COMPLETE]
    assert all("surplus" in t.user_attrs for t in others), others  # only a race's asks, unrun
    # Every trial ran once, in one of the two folders, and every run folder is one trial.
    folders = sorted(os.path.join(t.user_attrs["out"], t.user_attrs["run"]) for t in done)
    ran = sorted(str(out / name) for out in outs for name in os.listdir(out)
                 if os.path.isfile(out / name / "config.json"))
    assert folders == ran
    assert all(any(str(out) == t.user_attrs["out"] for out in outs) for t in done)
    # The same command again adds nothing, and each process sees the same best trial.
    seen = []
    for out in outs:
        again = subprocess.run([sys.executable, "-m", "aezoo", "sweep", str(path), "--out", str(out),
                                "--trials", str(TRIALS), "--storage", postgres, "--workers", "1"],
                               capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stderr
        assert "trained" not in again.stderr
        seen.append(best_line(again.stderr))
    assert seen[0] == seen[1] and int(seen[0][0]) == study.best_trial.number
    assert len(optuna.load_study(study_name="search", storage=postgres).trials) == len(study.trials)


def test_an_unreachable_storage_is_one_line_naming_host_and_port_quickly(tmp_path):
    pytest.importorskip("optuna")
    path = tmp_path / "search.toml"
    path.write_text(SEARCH)
    port = free_port()  # nothing listens there
    done = subprocess.run([sys.executable, "-m", "aezoo", "sweep", str(path), "--out",
                           str(tmp_path / "out"), "--trials", "2", "--storage",
                           f"postgresql+psycopg://u@127.0.0.1:{port}/db"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"aezoo sweep: error: --storage: nothing answers at "
                                        f"127.0.0.1:{port} (Connection refused)"]
    assert not (tmp_path / "out").exists()
