"""Run folders: outputs/<model>-<timestamp>[-name], config.json first, never overwritten.

config.json keeps the options and the model as the run started; architecture.json
keeps the model's layers as they were at the start and after every growth. The
entry at the checkpoint's epoch, or the last before it, is the model the
checkpoint holds (a run stopped within a growth epoch has one entry more, which
its resume replaces).
"""
import json
import os
import platform
import shutil
import subprocess
import time

from aezoo.errors import UsageError
from aezoo.runs import checkpoints, locks
from aezoo.runs.atomic import atomic

CONFIG = "config.json"
ARCHITECTURE = "architecture.json"
LOCK = ".lock"  # held (flock) by the one process that trains the folder


def choose(cfg, root="outputs"):
    if cfg.name and (os.sep in cfg.name or cfg.name in (".", "..")):
        raise UsageError(f"--name {cfg.name!r}: expected a plain name without {os.sep!r}; "
                         f"use --out for a folder elsewhere")
    if cfg.out:
        return cfg.out
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return os.path.join(root, f"{cfg.model}-{stamp}" + (f"-{cfg.name}" if cfg.name else ""))


def check_new(path):
    """A run never writes into a folder that already holds something, except a run that
    aezoo began and that saved no epoch (unstarted)."""
    if (os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path))
            and not unstarted(path)):
        raise UsageError(f"run folder {path} already exists and is not empty; "
                         f"choose another --out/--name, or continue it with --resume {path}")


def unstarted(path):
    """Whether `path` is a run that aezoo began and that saved no epoch: its config.json
    written, no checkpoint, and no process training it (one killed before its first
    checkpoint, by kill -9 or a power cut). It holds nothing to keep: a run starts there again."""
    if not os.path.isdir(path) or checkpoints.exists(path):
        return False
    try:
        read_config(path)  # written only once the run holds the lock: not one being claimed now
    except UsageError:
        return False
    return not locked(path)


def create(path):
    """Make the run folder and claim it: of two runs started at once, one gets it."""
    check_new(path)
    if os.path.isdir(path) and os.listdir(path) and unstarted(path):  # aezoo's, nothing to keep
        shutil.rmtree(path)
    make_folder(path)
    try:  # O_EXCL: only one process can create config.json; it is written in full later
        os.close(os.open(os.path.join(path, CONFIG), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        raise UsageError(f"run folder {path} was just taken by another run; choose another "
                         f"--out/--name")
    return path


def lock(path):
    """Hold the run folder for this process (released when it exits, however it exits);
    a second process that trains the same folder, a resume included, is refused."""
    handle = open(os.path.join(path, LOCK), "a")
    if not locks.exclusive(handle):
        handle.close()
        raise UsageError(f"run folder {path} is being trained by another process")
    return handle


def locked(path):
    """Whether a process holds the run folder's lock now (trains it)."""
    return locks.held(os.path.join(path, LOCK))


def make_folder(path):
    """os.makedirs, with a file in the way or no permission as a UsageError."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise UsageError(f"folder {path}: cannot create it ({e.strerror or e})")
    return path


def versions():
    import chainer
    import numpy
    from aezoo import __version__
    found = {"aezoo": __version__, "chainer": chainer.__version__, "numpy": numpy.__version__,
             "python": platform.python_version()}
    try:
        import cupy
        found["cupy"] = cupy.__version__
    except ImportError:
        pass
    return found


def git_commit():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def write_config(path, record):
    with atomic(os.path.join(path, CONFIG)) as f:
        json.dump(record, f, indent=2)


def read_config(path):
    file = os.path.join(path, CONFIG)
    try:
        with open(file) as f:
            record = json.load(f)
    except (FileNotFoundError, NotADirectoryError):
        raise UsageError(f"{path} is not a run folder (no {CONFIG})")
    except OSError as e:
        raise UsageError(f"{file} cannot be read ({e.strerror or e})")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"{file} is not valid JSON ({e})")
    data = record.get("data") if isinstance(record, dict) else None
    config = record.get("config") if isinstance(record, dict) else None
    if not (isinstance(config, dict) and isinstance(config.get("model"), str)
            and isinstance(config.get("data"), str) and isinstance(data, dict)
            and isinstance(data.get("name"), str) and isinstance(data.get("shape"), list)
            and all(isinstance(v, int) and v > 0 for v in data["shape"])
            and isinstance(data.get("n_train"), int) and isinstance(data.get("n_test"), int)):
        raise UsageError(f"{file} is not an aezoo run's config (it needs \"config\" and \"data\" "
                         f"objects); was it edited?")
    return record


def read_architecture(path):
    """The entries of architecture.json, oldest first ([] before the first is written)."""
    file = os.path.join(path, ARCHITECTURE)
    if not os.path.exists(file):
        return []
    try:
        with open(file) as f:
            entries = json.load(f)
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError is a ValueError
        raise UsageError(f"{file} is not valid JSON ({e})")
    if not (isinstance(entries, list) and all(
            isinstance(e, dict) and isinstance(e.get("epoch"), int)
            and isinstance(e.get("layers"), list) for e in entries)):
        raise UsageError(f"{file} is not a list of entries with an epoch and layers; was it edited?")
    return entries


def architecture_at(path, epoch):
    """The entry describing the model at the end of `epoch`, or None."""
    entries = [e for e in read_architecture(path) if e["epoch"] <= epoch]
    return entries[-1] if entries else None


def write_architecture(path, epoch, description):
    """Record the model as it is from `epoch` on (a dict: arch, params, layers).

    An entry for `epoch` or later is replaced: a resumed run grows again at the
    epoch where the interrupted one grew.
    """
    _write_architecture(path, [e for e in read_architecture(path) if e["epoch"] < epoch]
                        + [{"epoch": epoch, **description}])


def truncate_architecture(path, last_epoch):
    """Drop entries after `last_epoch` (growth the checkpoint does not hold)."""
    _write_architecture(path, [e for e in read_architecture(path) if e["epoch"] <= last_epoch])


def _write_architecture(path, entries):
    with atomic(os.path.join(path, ARCHITECTURE)) as f:
        json.dump(entries, f, indent=1)
