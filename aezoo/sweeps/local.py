"""N runs at once on this machine, each in its own process; a lost process is retried.

    results = run_local(jobs, workers=2, retries=2, poll=status.show)

Processes start by "spawn": a fresh interpreter that imports aezoo and takes the
job (a picklable Plan), so nothing of the driver's state (threads, open files,
Chainer's globals) leaks into a run. A run whose process dies by a signal (kill -9,
the out-of-memory killer) is started again up to `retries` times; it resumes from
its last checkpoint. Exit statuses: 0 done, 1 failed, 2 bad input, 130 stopped.
"""
import collections
import multiprocessing
import os
import time

from aezoo.sweeps.worker import STOP, process_main

POLL = 0.5  # seconds between looks at the processes (and redraws of the status)


def run_local(jobs, workers, retries, poll=lambda results, running, note: None):
    """{run name: exit status} of every job, at most `workers` at a time. Ctrl-C asks every
    run to stop at its next epoch (OUT/stop), waits for them, then raises KeyboardInterrupt."""
    context = multiprocessing.get_context("spawn")
    pending, running, results = collections.deque(jobs), {}, {}
    tries = collections.Counter()
    stopping = False
    while pending or running:
        try:
            while pending and len(running) < workers and not stopping:
                job = pending.popleft()
                process = context.Process(target=process_main, args=(job,), name=job.name)
                process.start()
                running[job.name] = (process, job)
            for name, (process, job) in list(running.items()):
                if process.is_alive():
                    continue
                process.join()
                del running[name]
                code = process.exitcode
                if code < 0 and tries[name] < retries and not stopping:  # lost, not failed
                    tries[name] += 1
                    poll(results, running, f"{name}: its process was killed (signal {-code}); "
                                           f"retry {tries[name]} of {retries}, from its checkpoint")
                    pending.appendleft(job)
                else:
                    results[name] = code
            if stopping and not running:
                break
            poll(results, running, None)
            time.sleep(POLL)
        except KeyboardInterrupt:
            if not stopping:
                stopping = True
                open(os.path.join(jobs[0].out, STOP), "w").close()
                poll(results, running, "stopping every run at its next epoch (Ctrl-C again "
                                       "waits the same; the sweep resumes them when repeated)")
    if stopping:
        raise KeyboardInterrupt
    return results
