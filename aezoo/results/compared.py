"""compared.json: the run folders a comparison shows and the digest of what it was made from,
written by compare and read by compare (to reuse a comparison) and report.

A comparison's folder is recognized by its .aezoo marker (runs/owner.py); compared.json
names its runs ({"runs": [...], "inputs": digest}; aezoo 0.2 wrote a bare list). A damaged
one (not JSON, not a list of folder names) is one line.
"""
import json
import os

from aezoo.errors import UsageError
from aezoo.runs.atomic import atomic

FILE = "compared.json"
# Everything aezoo compare writes into its folder (the .partial videos while ffmpeg works).
WRITTEN = (FILE, "scores.csv", "scores.md", "compare.png", "compare.gif", "compare.mp4",
           "compare.partial.gif", "compare.partial.mp4", "report.html",
           # a comparison of a search's trials shows the search (sweeps/pictures.py)
           "search-history.png", "search-importances.png", "search-parallel.png",
           "search-epochs.png")


def write(out, run_dirs, inputs=None):
    """Written without a digest first, with it once the comparison is whole (manifest.py)."""
    with atomic(os.path.join(out, FILE)) as f:
        json.dump({"runs": [os.path.abspath(d) for d in run_dirs], "inputs": inputs}, f, indent=1)


def read(folder):
    """(run folders, the digest of the inputs or None) of the comparison in `folder`, or a
    UsageError naming what is wrong."""
    path = os.path.join(folder, FILE)
    try:
        with open(path) as f:
            found = json.load(f)
    except FileNotFoundError:
        raise UsageError(f"{folder} is not a comparison folder (no {FILE})")
    except (OSError, ValueError) as e:  # ValueError: bad JSON, bad UTF-8
        raise UsageError(f"{path} is damaged ({e}); run aezoo compare again")
    runs, inputs = (found, None) if isinstance(found, list) else (
        found.get("runs"), found.get("inputs")) if isinstance(found, dict) else (found, None)
    if not (isinstance(runs, list) and runs and all(isinstance(r, str) and r for r in runs)):
        raise UsageError(f"{path} is damaged: expected a list of run folders, got "
                         f"{json.dumps(found)[:60]}; run aezoo compare again")
    return runs, inputs


def is_comparison(folder):
    return os.path.isfile(os.path.join(folder, FILE))
