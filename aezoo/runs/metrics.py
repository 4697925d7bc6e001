"""metrics.jsonl: one JSON line per evaluated epoch, plus event lines.

An epoch line has "epoch" and the scores; an event line has "event" (for
example "growth") and the epoch it belongs to. Lines are only ever appended,
except that resume drops lines newer than the checkpoint it continues from.
"""
import json
import os

from aezoo.errors import UsageError
from aezoo.runs.atomic import atomic

FILE = "metrics.jsonl"


def append(run_dir, record):
    with open(os.path.join(run_dir, FILE), "a") as f:
        f.write(json.dumps(record, allow_nan=False) + "\n")


def _records(path):
    """The parsed lines; a torn last line (a run killed mid-write) is dropped.

    Any other line that is not a JSON object with a whole-number "epoch" is a UsageError.
    """
    if not os.path.exists(path):
        return []
    try:
        with open(path) as f:
            lines = [line for line in f if line.strip()]
    except UnicodeDecodeError as e:
        raise UsageError(f"{path} is not text ({e})")
    records = []
    for i, line in enumerate(lines):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                continue
            raise UsageError(f"{path} line {i + 1} is not valid JSON; was it edited?")
        epoch = record.get("epoch") if isinstance(record, dict) else None
        if not isinstance(epoch, int) or isinstance(epoch, bool):
            raise UsageError(f"{path} line {i + 1} has no whole-number \"epoch\"; was it edited?")
        records.append(record)
    return records


def read(run_dir):
    """(epoch lines, event lines) of a run, oldest first."""
    records = _records(os.path.join(run_dir, FILE))
    return ([r for r in records if "event" not in r], [r for r in records if "event" in r])


def truncate(run_dir, last_epoch):
    """Keep only records up to `last_epoch` (a run may have died after writing them)."""
    path = os.path.join(run_dir, FILE)
    kept = [r for r in _records(path) if r["epoch"] <= last_epoch]
    with atomic(path) as f:
        f.writelines(json.dumps(r) + "\n" for r in kept)


def final_network(epochs):
    """The epoch lines of the run's last network: a growing run's wider codes before its last
    growth reconstruct more easily, so its best score is taken once it has its final shape."""
    if not epochs or "depth" not in epochs[-1]:
        return epochs
    return [r for r in epochs if r.get("depth") == epochs[-1]["depth"]]
