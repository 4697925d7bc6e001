"""What a comparison or a report was made from, as one digest: redo nothing when it is unchanged.

    digest = manifest.of_runs(run_dirs, options)      # compare: the runs and the options
    digest = manifest.of_files(paths, options)        # report: the files it embeds
    manifest.write_marker(out, run_dirs, digest)      # compared.json: runs and digest

A run's part is the content of its small files (config.json, metrics.jsonl,
architecture.json, the checkpoints' names and sizes) and the name, size and
modification time of every snapshot, so a run that trained on, was resumed or was
rendered again changes it; aezoo's version is in every digest. A finished sweep
run again then reuses its comparison and report in seconds instead of minutes.
"""
import hashlib
import json
import os

from aezoo import __version__

SMALL = ("config.json", "metrics.jsonl", "architecture.json")


def _stat(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def run_inputs(run_dir):
    """What of a run folder a comparison reads, as plain JSON values."""
    found = {"dir": os.path.abspath(run_dir)}
    for name in SMALL:
        try:
            with open(os.path.join(run_dir, name), "rb") as f:
                found[name] = hashlib.sha256(f.read()).hexdigest()
        except OSError:
            found[name] = None
    entries = []
    for sub in ("", "recon"):
        folder = os.path.join(run_dir, sub)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and name not in SMALL and not name.startswith("."):
                entries.append([os.path.join(sub, name), *(_stat(path) or [None, None])])
    found["files"] = entries
    return found


def digest(value):
    """sha256 of `value` as canonical JSON, with aezoo's version."""
    text = json.dumps({"aezoo": __version__, "inputs": value}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def of_runs(run_dirs, options):
    return digest({"runs": [run_inputs(d) for d in run_dirs], "options": options})


def of_files(paths, options, root=None):
    """The digest of files by name (relative to `root`, so a folder may move), size and
    modification time (videos: too large to hash)."""
    return digest({"files": [[os.path.relpath(p, root) if root else os.path.abspath(p),
                              _stat(p)] for p in paths], "options": options})
