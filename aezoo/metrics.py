"""metrics.jsonl: one JSON line per evaluated epoch, plus event lines.

An epoch line has "epoch" and the scores; an event line has "event" (for
example "growth") and whatever describes it. Lines are only ever appended,
except that resume drops lines newer than the checkpoint it continues from.
"""
import json
import os

FILE = "metrics.jsonl"


def append(run_dir, record):
    with open(os.path.join(run_dir, FILE), "a") as f:
        f.write(json.dumps(record) + "\n")


def read(run_dir):
    """(epoch lines, event lines) of a run, oldest first."""
    path = os.path.join(run_dir, FILE)
    if not os.path.exists(path):
        return [], []
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    return ([r for r in records if "event" not in r], [r for r in records if "event" in r])


def truncate(run_dir, last_epoch):
    """Keep only records up to `last_epoch` (a run may have died after writing them)."""
    path = os.path.join(run_dir, FILE)
    if not os.path.exists(path):
        return
    with open(path) as f:
        lines = [line for line in f if line.strip() and json.loads(line)["epoch"] <= last_epoch]
    with open(path + ".tmp", "w") as f:
        f.writelines(lines)
    os.replace(path + ".tmp", path)


class MetricsLog:
    """Callback: append the epoch's metrics, with the run's static facts."""

    def __init__(self, run_dir, static):
        self.run_dir, self.static = run_dir, static  # e.g. params, lr

    def __call__(self, trainer):
        append(self.run_dir, {**trainer.metrics, **self.static(trainer)})
