"""What a long step shows while it works: a bar in a terminal, a few plain lines otherwise.

    with Steps("aezoo compare", "frames", total=40) as step:
        for frame in ...: step()

In a terminal it is a tqdm bar on stderr; elsewhere (CI, `| tee`, a log file) a line after
the first step and at every quarter, so a long wait never looks like a hang. Nothing is said
before the first step is done: input that fails at once stays one line. `quiet` says
nothing (aezoo run --quiet's video); `bar`, a tqdm class, draws with it wherever it is (the
notebook's tqdm.auto: a widget in Jupyter, even under quiet, which it stands in for).
"""
import sys
import time

from tqdm import tqdm


class Steps:
    def __init__(self, prog, what, total, stream=None, quiet=False, bar=None):
        self.prog, self.what, self.total = prog, what, total
        self.stream = stream or sys.stderr
        self.done, self.began = 0, time.monotonic()
        tty = getattr(self.stream, "isatty", lambda: False)()
        self.bar, self.make_bar, self.quiet = None, bar, quiet and bar is None
        self.tty = (bar is not None or tty and not quiet) and bool(total)
        self.marks = sorted({1} | {-(-total * q // 4) for q in (1, 2, 3, 4)}) if total else []

    def __enter__(self):
        return self

    def __call__(self, n=1):
        before, self.done = self.done, self.done + n
        if self.tty and self.bar is None:  # the bar appears with the first step done
            where = {} if self.make_bar else dict(file=self.stream, dynamic_ncols=True)
            self.bar = (self.make_bar or tqdm)(total=self.total, initial=before, unit="frame",
                                               desc=f"{self.prog}: {self.what}", leave=False,
                                               **where)
        if self.bar is not None:
            self.bar.update(n)
        elif not self.quiet and any(before < mark <= self.done for mark in self.marks):
            self.line(f"{self.what}: {self.done}/{self.total} "
                      f"({time.monotonic() - self.began:.0f} s)")

    def line(self, text):
        print(f"{self.prog}: {text}", file=self.stream, flush=True)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False


def say(prog, text, stream=None):
    """One line about the step starting now."""
    print(f"{prog}: {text}", file=stream or sys.stderr, flush=True)
