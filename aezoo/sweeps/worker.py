"""What a worker does with one run of a sweep: the same in a local process and in a Ray task.

    status = work(job)     # 0 done (or stopped early), 1 failed, 2 bad input, 130 stopped

A Job is plain and picklable: the run's plan, its threads and how the sweep stops it.
The worker looks at the run folder when it begins, so a job that is retried after its
process or node died resumes from the last checkpoint (aezoo makes that exact), and one
that died before its first checkpoint starts again in the folder it had made.
"""
import contextlib
import os
import shutil
import signal
import sys
from dataclasses import dataclass

import threadpoolctl

from aezoo.errors import guarded
from aezoo.runs import checkpoints
from aezoo.sweeps.file import STOP  # OUT/stop: every run stops at its next epoch's start
from aezoo.sweeps.pruning import Pruning
from aezoo.sweeps.steps import resume_changes
from aezoo.train.callbacks import Callback
from aezoo.train.plan import Plan, plan_resume



@dataclass(frozen=True)
class Job:
    name: str
    out: str            # the sweep folder (absolute)
    plan: Plan          # the run as planned (a resume's plan when it continues)
    threads: int        # BLAS and OpenMP threads of this run
    judge: object       # a pruning.Judge (the run is a trial of the sweep's study) or None
    log: str = None     # a file for the run's lines (a worker beside others), or None

    @property
    def folder(self):
        return self.plan.run_dir


class StopAsked(Callback):
    """Ends the run at an epoch's start when OUT/stop exists (the sweep got Ctrl-C): the
    epoch before is saved whole, and the sweep resumes it when repeated."""

    def __init__(self, out):
        self.path = os.path.join(out, STOP)

    def on_epoch_start(self, trainer):
        if os.path.exists(self.path):
            raise KeyboardInterrupt


def current_plan(job):
    """The job's plan as the folder now stands: a retry resumes what its last try saved."""
    if checkpoints.exists(job.folder):
        if job.plan.resume:
            return job.plan
        return plan_resume(job.folder, resume_changes(job.plan.cfg))
    if not job.plan.resume and os.path.isdir(job.folder) and os.listdir(job.folder):
        shutil.rmtree(job.folder)  # a try that died before its first checkpoint: ours to redo
    return job.plan


def work(job):
    """Train the job's run; its exit status. With a log, the run's lines go there."""
    with threadpoolctl.threadpool_limits(limits=job.threads), contextlib.ExitStack() as stack:
        if job.log:
            handle = stack.enter_context(open(job.log, "a", buffering=1))
            stack.enter_context(contextlib.redirect_stdout(handle))
            stack.enter_context(contextlib.redirect_stderr(handle))
        return guarded("aezoo run", lambda _: _train(job), None)


def _train(job):
    from aezoo.train.start import start  # training's parts load where a run trains
    extra = [StopAsked(job.out)]
    if job.judge:
        extra.append(Pruning(job.judge, job.folder, job.plan.cfg))
    start(current_plan(job), extra=extra)  # its errors: the status guarded gives them
    return 0


def serve(conn):
    """A warm local worker (sweeps/local.py): trains the jobs it is sent until it gets None.
    Ctrl-C is the sweep's to handle (it writes OUT/stop), and each run's lines go to its
    log file, not between the other runs' lines."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked while it was born
    while True:  # this module's imports (the trainer's) were paid once, when the worker started
        try:
            job = conn.recv()
        except EOFError:  # the sweep is gone
            return
        if job is None:
            return
        if job.log:  # what libraries write to the file descriptors too
            with open(job.log, "a", buffering=1) as handle:
                os.dup2(handle.fileno(), 1)
                os.dup2(handle.fileno(), 2)
        print(f"aezoo sweep: worker {os.getpid()} trains {job.name}", flush=True)
        status = work(job)
        sys.stdout.flush()
        sys.stderr.flush()
        conn.send(status)
