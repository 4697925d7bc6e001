"""The one lock: held while its process lives, seen by another process, gone with it."""
import subprocess
import sys

from aezoo.runs import locks

HOLD = ("import sys, time; from aezoo.runs import locks; f = open(sys.argv[1], 'a'); "
        "assert locks.exclusive(f); print('held', flush=True); time.sleep(60)")


def test_a_lock_another_process_holds_is_seen_and_goes_with_it(tmp_path):
    path = tmp_path / ".lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert locks.held(path)
        with open(path) as f:
            assert not locks.exclusive(f)
    finally:
        holder.kill()
        holder.wait()
    assert not locks.held(path)


def test_looking_takes_no_lock(tmp_path):
    path = tmp_path / ".lock"
    assert not locks.held(path)  # no file: nobody holds it
    path.write_text("")
    assert not locks.held(path)
    assert not locks.held(path)  # the look before left nothing held
    with open(path) as f:
        assert locks.exclusive(f)
