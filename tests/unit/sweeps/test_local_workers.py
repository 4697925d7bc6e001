"""A warm worker is born ignoring Ctrl-C: the sweep handles Ctrl-C (it asks every run to stop at its
next epoch), so a Ctrl-C that reaches a worker still importing must not kill it. It did, under
load, and the trial that worker held was told failed instead of left to resume."""
import multiprocessing
import os
import signal
import time

import pytest

from aezoo.sweeps.local import Worker, run_local

pytestmark = pytest.mark.slow  # each starts a worker process, which imports the trainer


def test_a_worker_outlives_ctrl_c_while_it_starts_and_the_sweep_keeps_its_handler():
    before = signal.getsignal(signal.SIGINT)
    worker = Worker(multiprocessing.get_context("spawn"), 0)
    assert signal.getsignal(signal.SIGINT) is before  # the sweep still gets its Ctrl-C
    end = time.time() + 3  # from its first instant, through its imports, into serve()
    while time.time() < end and worker.process.is_alive():
        os.kill(worker.process.pid, signal.SIGINT)
        time.sleep(0.005)
    assert worker.process.is_alive()
    worker.conn.send(None)  # done: it returns once its imports are paid (slow on a busy machine)
    worker.process.join(timeout=300)
    assert worker.process.exitcode == 0  # it returned when told it was done, not killed


def test_ctrl_c_in_the_sweep_stops_it_and_writes_the_stop_file(tmp_path):
    def jobs():  # Ctrl-C while the sweep plans its first run (a search asking its study)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)
        yield from ()
    try:
        run_local(jobs(), workers=1, retries=0, out=str(tmp_path))
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("run_local returned after Ctrl-C")
    assert (tmp_path / "stop").exists()
