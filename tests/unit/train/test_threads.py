"""--threads: a run's OpenBLAS threads and its numba kernels' (train/threads.py), set together;
without it numba follows whatever the BLAS was limited to (a sweep's worker, the bench)."""
import json
import subprocess
import sys

import pytest
import threadpoolctl

from conftest import TINY
from aezoo.commands.run import main
from aezoo.models import jit
from aezoo.train import threads


@pytest.fixture
def restored(monkeypatch):
    """The process's BLAS threads and numba's count as they were, after the test."""
    with threadpoolctl.threadpool_limits(limits=None):
        monkeypatch.setattr(jit, "_threads", jit._threads)
        before = jit.threads()
        yield
        jit.set_threads(before)


def test_run_threads_sets_the_blas_and_the_kernels(tmp_path, restored):
    out = tmp_path / "run"
    assert main(["simple", "--epochs", "1", "--threads", "1", "--out", str(out), *TINY]) == 0
    assert threads.blas_threads() == 1 and jit.threads() == 1
    assert json.loads((out / "config.json").read_text())["config"]["threads"] == 1


def test_without_threads_numba_follows_the_blas_limit(restored):
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):  # as a sweep's worker does
        threads.apply(None)
        assert jit.threads() == 1


def test_bad_threads_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "aezoo.run", "simple", "--threads", "0",
                           "--out", str(out), *TINY], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--threads" in done.stderr and "0" in done.stderr
    assert not out.exists()
