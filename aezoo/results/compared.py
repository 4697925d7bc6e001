"""compared.json: the run folders a comparison shows, written by compare and read by report.

A comparison's folder is recognized by its .aezoo marker (runs/owner.py); compared.json
names its runs. A damaged one (not JSON, not a list of folder names) is one line.
"""
import json
import os

from aezoo.errors import UsageError
from aezoo.runs.files import atomic

FILE = "compared.json"
# Everything aezoo compare writes into its folder (the .partial videos while ffmpeg works).
WRITTEN = (FILE, "scores.csv", "scores.md", "compare.png", "compare.gif", "compare.mp4",
           "compare.partial.gif", "compare.partial.mp4", "report.html")


def write(out, run_dirs):
    with atomic(os.path.join(out, FILE)) as f:
        json.dump([os.path.abspath(d) for d in run_dirs], f, indent=1)


def read(folder):
    """The run folders of the comparison in `folder`, or a UsageError naming what is wrong."""
    path = os.path.join(folder, FILE)
    try:
        with open(path) as f:
            runs = json.load(f)
    except FileNotFoundError:
        raise UsageError(f"{folder} is not a comparison folder (no {FILE})")
    except (OSError, ValueError) as e:  # ValueError: bad JSON, bad UTF-8
        raise UsageError(f"{path} is damaged ({e}); run aezoo compare again")
    if not (isinstance(runs, list) and runs and all(isinstance(r, str) and r for r in runs)):
        raise UsageError(f"{path} is damaged: expected a list of run folders, got "
                         f"{json.dumps(runs)[:60]}; run aezoo compare again")
    return runs


def is_comparison(folder):
    return os.path.isfile(os.path.join(folder, FILE))
