"""The background checkpoint writer: a checkpoint in flight lands before the run returns (Ctrl-C
too), a failed write is the run's error and keeps the last whole checkpoint, jobs run in order,
and the best checkpoint is the same bytes as the last (a hard link, or a copy without links)."""
import errno
import os
import signal
import threading
import time

import numpy as np
import pytest

from aezoo.run import main
from aezoo.runs import atomic, checkpoints, metrics
from aezoo.train import serialize
from aezoo.train.writer import Writer
from conftest import TINY


def slow_writes(monkeypatch, seconds=0.3):
    """Each checkpoint takes `seconds` longer to write, in the writer's thread."""
    real, threads = serialize.write, []

    def write(*args, **kwargs):
        threads.append(threading.current_thread())
        time.sleep(seconds)
        return real(*args, **kwargs)
    monkeypatch.setattr(serialize, "write", write)
    return threads


def test_the_last_checkpoint_is_on_disk_when_the_run_returns(tmp_path, monkeypatch):
    threads = slow_writes(monkeypatch)
    run = tmp_path / "run"
    assert main(["simple", "--epochs", "2", *TINY, "--out", str(run)]) == 0
    assert checkpoints.read_meta(str(run))["epoch"] == 2
    assert threads and threading.main_thread() not in threads  # written in the background
    assert not [name for name in os.listdir(run) if name.endswith(".tmp")]


def test_ctrl_c_waits_for_the_checkpoint_in_flight(tmp_path, monkeypatch, capsys):
    slow_writes(monkeypatch)
    real = metrics.append

    def append_then_ctrl_c(run_dir, record):
        real(run_dir, record)
        if record.get("epoch") == 2 and "event" not in record:
            os.kill(os.getpid(), signal.SIGINT)
    monkeypatch.setattr(metrics, "append", append_then_ctrl_c)
    run = tmp_path / "run"
    assert main(["simple", "--epochs", "4", *TINY, "--out", str(run)]) == 130
    assert "epoch 2 saved" in capsys.readouterr().err
    assert checkpoints.read_meta(str(run))["epoch"] == 2 == metrics.read(run)[0][-1]["epoch"]


def test_a_failed_write_stops_the_run_and_keeps_the_last_checkpoint(tmp_path, monkeypatch,
                                                                    capsys):
    real = serialize.write

    def write(run_dir, arrays, best=False):
        if "epoch\": 2," in str(arrays["meta"]):
            raise OSError(errno.ENOSPC, "No space left on device", os.path.join(run_dir, "x"))
        return real(run_dir, arrays, best)
    monkeypatch.setattr(serialize, "write", write)
    run = tmp_path / "run"
    assert main(["simple", "--epochs", "6", *TINY, "--out", str(run)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == f"aezoo run: error: cannot write or read {run / 'x'}: " \
                                   f"No space left on device"
    assert checkpoints.read_meta(str(run))["epoch"] == 1  # whole, and the run went no further
    assert metrics.read(run)[0][-1]["epoch"] <= 3  # raised at the next epoch's end


def test_jobs_run_in_order_one_at_a_time_and_an_error_is_raised_once():
    done, writer = [], Writer()
    for i in range(3):
        writer.submit(lambda i=i: (time.sleep(0.05 * (3 - i)), done.append(i)))
    writer.wait()
    assert done == [0, 1, 2]
    writer.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        writer.wait()
    writer.wait()  # once only
    writer.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        writer.submit(lambda: done.append("never"))  # the next submit raises it
    assert "never" not in done


def test_the_best_checkpoint_is_a_link_to_the_same_bytes(tmp_path):
    arrays = {"meta": np.array('{"epoch": 1}'), "model/W": np.arange(6, dtype=np.float32)}
    serialize.write(str(tmp_path), arrays, best=True)
    best, last = tmp_path / checkpoints.BEST, tmp_path / checkpoints.FILE
    assert os.path.samefile(best, last)
    kept = best.read_bytes()
    serialize.write(str(tmp_path), {**arrays, "meta": np.array('{"epoch": 2}')})
    assert not os.path.samefile(best, last) and best.read_bytes() == kept
    assert last.read_bytes() != kept


def test_without_hard_links_the_best_checkpoint_is_a_copy(tmp_path, monkeypatch):
    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted")
    monkeypatch.setattr(atomic.os, "link", no_links)
    arrays = {"meta": np.array('{"epoch": 1}'), "model/W": np.arange(6, dtype=np.float32)}
    serialize.write(str(tmp_path), arrays, best=True)
    best, last = tmp_path / checkpoints.BEST, tmp_path / checkpoints.FILE
    assert not os.path.samefile(best, last) and best.read_bytes() == last.read_bytes()
    assert sorted(os.listdir(tmp_path)) == [checkpoints.BEST, checkpoints.FILE]
