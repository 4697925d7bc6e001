"""The checkpoint writer: an epoch's checkpoint is written and synced while the next one trains.

    writer = Writer()
    writer.submit(job)       # waits for the previous job first; its failure is raised here
    writer.wait()            # at the end of a run, on Ctrl-C: everything on disk, or the error

Writing 30 MB and waiting for fsync took a fifth of an epoch of the deep model on
MNIST-sized data. The caller hands over copies of the arrays (train/serialize.py),
so training may change its own at once. One job at a time, in order: a checkpoint
never overtakes the one before it, and at most one epoch's checkpoint is in
flight. A job that fails (a full disk) keeps its error until the next submit or
wait, which raises it in the training thread: the run stops with it, as it did
when the write was in line. The thread is not a daemon, so even an exit that
skips wait() lets the file land (the rename is atomic either way).
"""
import threading


class Writer:
    def __init__(self):
        self.thread, self.error = None, None

    def submit(self, job):
        """Run `job()` in the background once the previous job is done."""
        self.wait()
        self.thread = threading.Thread(target=self._run, args=(job,), name="aezoo-checkpoint")
        self.thread.start()

    def _run(self, job):
        try:
            job()
        except BaseException as e:  # noqa: B902  handed to the training thread by wait()
            self.error = e

    def busy(self):
        return self.thread is not None and self.thread.is_alive()

    def wait(self):
        """Block until the job in flight is on disk; raise its error, once."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        error, self.error = self.error, None
        if error is not None:
            raise error
