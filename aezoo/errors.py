"""The errors the user sees, and the guard that prints each as one line.

Every part raises UsageError (a missing file, a bad option, a run folder in the
way); only `guarded` (around every command, and around each run of a sweep's
workers) turns it into the line and exit status 2. From Python it is a
ValueError, so `except ValueError` catches it.

Also one line, never a traceback: a run that stopped early (RunFailed: diverged or out
of memory, exit 1; RunInterrupted: Ctrl-C, exit 130: training raises them and says why),
a file that cannot be written (a read-only or full disk: exit 1, the last complete files
stay, as every write is atomic) and Ctrl-C outside training (exit 130).
"""
import errno
import sys



class UsageError(ValueError):
    """Bad input from the user: printed as one line, exit status 2."""


class RunStopped:
    """What a run that ended before its last epoch raises: why, in one line. `run_dir` is its
    folder; `resumable` when its checkpoint continues it; `silent` in a process that does
    not speak for the run (a second process of a distributed run)."""
    status = 1

    def __init__(self, message, run_dir, resumable=False, silent=False):
        super().__init__(message)
        self.run_dir, self.resumable, self.silent = run_dir, resumable, silent

    def line(self, name):
        """The line a command prints: the reason and, when it can go on, how."""
        go_on = f". Continue with: aezoo run --resume {self.run_dir}" if self.resumable else ""
        return f"{name}: {'' if self.status == 130 else 'error: '}{self}{go_on}"


class RunFailed(RunStopped, RuntimeError):
    """Training could not go on: the loss diverged, or memory ran out. Exit status 1."""


class RunInterrupted(RunStopped, KeyboardInterrupt):
    """Ctrl-C (or a sweep's stop request) ended the run. Exit status 130."""
    status = 130


# A folder or file the user named that cannot be used: their input, so exit 2.
BAD_PATH = {errno.EACCES, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENOENT,
            errno.EPERM, errno.ENAMETOOLONG}


def guarded(name, body, argv):
    """body(argv) -> exit status, with a UsageError turned into one line and status 2."""
    try:
        return body(argv)
    except (RunFailed, RunInterrupted) as e:  # training said why; the process that speaks for the run prints it
        if not e.silent:
            print(e.line(name), file=sys.stderr)
        return e.status
    except UsageError as e:
        print(f"{name}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        print(f"{name}: error: cannot write or read {where}{e.strerror or e}", file=sys.stderr)
        return 2 if e.errno in BAD_PATH else 1
    except MemoryError:  # anywhere else: one line, not a traceback that may fail itself
        print(f"{name}: error: out of memory", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
