"""N runs at once on this machine: N warm worker processes, fed run after run.

    results = run_local(jobs, workers=2, retries=2, out=OUT, poll=status.show, finished=tell)

Each worker is a process started once by "spawn" (a fresh interpreter, so nothing of
the driver's threads, open files or Chainer's globals is inherited) that imports the
trainer while the sweep plans, then trains the runs (picklable Jobs) it is sent, one
after the other: the seconds of imports are paid once a worker, not once a run. A
run's numbers do not depend on what ran before it in that worker: every run seeds
its own generators and numpy's (train/build.py), sets its own threads, and Chainer's
configuration is set per call by the loop.

`jobs` may be a generator: a search asks its study for the next trial only when a
worker is free, and `finished(name, status)` is called as each run ends. A worker that
dies by a signal (kill -9, the out-of-memory killer) is replaced, and its run started
again up to `retries` times: it resumes from its last checkpoint. Ctrl-C asks every
run to stop at its next epoch (OUT/stop). Exit statuses: 0 done, 1 failed, 2 bad
input, 130 stopped.
"""
import collections
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading

from aezoo.sweeps.worker import STOP, serve

POLL = 0.5  # seconds between looks at the workers (and redraws of the status)


class Worker:
    """One warm process and the pipe that feeds it."""

    def __init__(self, context, index):
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs,), name=f"aezoo-worker-{index}")
        with ctrl_c_not_inherited():
            self.process.start()
        theirs.close()
        self.job = None

    def give(self, job):
        self.job = job
        try:
            self.conn.send(job)
        except OSError:  # it died since the check: the loop sees it dead and retries the job
            pass

    def close(self):
        try:
            self.conn.send(None)  # done: the worker returns
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def run_local(jobs, workers, retries, out, poll=lambda results, running, note: None,
              finished=lambda name, status: None):
    """{run name: exit status} of every job, at most `workers` at a time. Ctrl-C asks every
    run to stop at its next epoch (OUT/stop), waits for them, then raises KeyboardInterrupt."""
    context = multiprocessing.get_context("spawn")
    feed, again = iter(jobs), collections.deque()
    results, tries = {}, collections.Counter()
    pool = [Worker(context, i) for i in range(workers)]
    stopping = exhausted = False

    def end(job, status):
        results[job.name] = status
        finished(job.name, status)

    try:
        while True:
            try:
                for i, w in enumerate(pool):
                    if w.job is None and not stopping:
                        job = again.popleft() if again else None if exhausted else next(feed, None)
                        exhausted = exhausted or (job is None and not again)
                        if job is not None:
                            if not w.process.is_alive():  # killed between runs: none was lost
                                w.process.join()
                                pool[i] = w = Worker(context, i)
                            w.give(job)
                for i, w in enumerate(pool):
                    if w.job is None:
                        continue
                    status = answer(w)
                    if status is not None:
                        job, w.job = w.job, None
                        end(job, status)
                    elif not w.process.is_alive():
                        w.process.join()
                        job, code = w.job, w.process.exitcode
                        pool[i] = Worker(context, i)
                        if code < 0 and tries[job.name] < retries and not stopping:  # lost
                            tries[job.name] += 1
                            poll(results, running(pool), f"{job.name}: its process was killed "
                                 f"(signal {-code}); retry {tries[job.name]} of {retries}, "
                                 f"from its checkpoint")
                            again.appendleft(job)
                        elif stopping and code < 0:  # lost while stopping: resumed when repeated
                            end(job, 130)
                        else:
                            end(job, code if code else 1)
                busy = running(pool)
                poll(results, busy, None)
                if not busy and (stopping or (exhausted and not again)):
                    break
                waiting = [w.conn for w in pool if w.job] + [w.process.sentinel for w in pool
                                                             if w.job]
                multiprocessing.connection.wait(waiting, timeout=POLL)
            except KeyboardInterrupt:
                if not stopping:
                    stopping = True
                    open(os.path.join(out, STOP), "w").close()
                    poll(results, running(pool), "stopping every run at its next epoch (Ctrl-C "
                                                 "again waits the same; the sweep resumes them "
                                                 "when repeated)")
    finally:
        for w in pool:
            w.close()
    if stopping:
        raise KeyboardInterrupt
    return results


@contextlib.contextmanager
def ctrl_c_not_inherited():
    """A worker is born ignoring Ctrl-C. A process inherits an ignored signal through exec, and
    Python then installs no KeyboardInterrupt handler, so a Ctrl-C while the worker still
    imports cannot kill it (it did, under load, and its trial was told failed). A Ctrl-C in
    that moment stays pending in the sweep, blocked, and reaches it right after."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread sets handlers; the worker then ignores Ctrl-C from serve()
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def answer(worker):
    """The exit status the worker sent for its run, or None (still training, or it died:
    a dead worker's pipe reads as EOF)."""
    try:
        return worker.conn.recv() if worker.conn.poll() else None
    except (EOFError, OSError):
        worker.process.join(timeout=5)  # it is dying: its exit code tells how
        return None


def running(pool):
    return {w.job.name for w in pool if w.job is not None}
