"""One line a run while a sweep trains: waiting, epoch k of n with its test loss and ETA, done,
failed (its error's first line), stopped early, or stopped.

Read from the run folders themselves (metrics.jsonl, the checkpoint), so it needs no
message from the workers and shows Ray's runs as it shows local ones. In a terminal the
lines are redrawn in place; otherwise a line is printed when a run changes state, and
every tenth of its epochs, but not its start or skip: the sweep said those already
("[1/4] simple: start"), and a second line ("simple: starting") only repeated them.
"""
import os
import sys

from aezoo.errors import UsageError
from aezoo.runs import checkpoints, metrics


def describe(step, result, running, log):
    """(state, the line) of one run."""
    if step.plan is None:
        return "skipped", f"{step.name}: {step.action}"
    if result is None and not running:
        return "waiting", f"{step.name}: waiting"
    try:
        epochs = metrics.read(step.folder)[0]
    except UsageError:
        epochs = []
    last = epochs[-1] if epochs else None
    total = step.cfg.epochs
    if result is None:
        if not last:
            return "starting", f"{step.name}: starting"
        seconds = [r["seconds"] for r in epochs if "seconds" in r]
        eta = (total - last["epoch"]) * sum(seconds) / len(seconds) if seconds else None
        return ("running", f"{step.name}: epoch {last['epoch']} of {total}, test loss "
                f"{last['test_loss']:.4f}" + (f", ETA {clock(eta)}" if eta is not None else ""))
    if result == 0:
        stopped = stopped_early(step.folder)
        done = f"epoch {last['epoch']}, test loss {last['test_loss']:.4f}" if last else "done"
        return ("stopped early", f"{step.name}: stopped early at {done}") if stopped else \
            ("done", f"{step.name}: done, {done}")
    if result == 130:
        return "stopped", f"{step.name}: stopped at epoch {last['epoch'] if last else 0}; repeat the sweep to resume it"
    return "failed", f"{step.name}: failed: {first_error(log)}"


def stopped_early(folder):
    try:
        return checkpoints.read_meta(folder)["state"].get("stopped_early") is not None
    except UsageError:
        return False


def first_error(log):
    """The first error line of a run's log (its one line), or what is known."""
    if log and os.path.exists(log):
        with open(log, errors="replace") as f:
            lines = [line.strip() for line in f if "error:" in line or "Error" in line]
        if lines:
            return lines[0]
    return "see its lines above" if not log else f"see {log}"


def clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


SAID_BEFORE = ("waiting", "starting", "skipped")  # by the sweep's "[i/n] name: action" lines


class Board:
    def __init__(self, steps, logs, stream=None):
        self.steps, self.logs = steps, logs
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.drawn, self.said = 0, {}

    def lines(self, results, running):
        return [describe(s, results.get(s.name), s.name in running, self.logs.get(s.name))
                for s in self.steps]

    def show(self, results, running, note=None):
        states = self.lines(results, running)
        if self.tty:
            if self.drawn:
                self.stream.write(f"\x1b[{self.drawn}F")
            if note:
                self.stream.write(f"\x1b[Kaezoo sweep: {note}\n")
            for _, line in states:
                self.stream.write(f"\x1b[K{line}\n")
            self.drawn = len(states)
            self.stream.flush()
            return
        if note:
            print(f"aezoo sweep: {note}", file=self.stream, flush=True)
        for step, (state, line) in zip(self.steps, states):
            key = (state, self.milestone(step, line) if state == "running" else None)
            if self.said.get(step.name) != key and state not in SAID_BEFORE:
                self.said[step.name] = key
                print(f"aezoo sweep: {line}", file=self.stream, flush=True)

    @staticmethod
    def milestone(step, line):
        """Which tenth of its epochs a running run is in (plain output says each once)."""
        if " epoch " not in line:
            return -1
        epoch = int(line.split(" epoch ")[1].split()[0])
        return epoch * 10 // max(1, step.cfg.epochs)
