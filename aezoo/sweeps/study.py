"""A sweep's Optuna study: where it is stored, its sampler and pruner, and whose it is.

    aezoo sweep FILE --trials 40                      # OUT/study.journal, beside the runs
    aezoo sweep FILE --trials 40 --storage postgresql+psycopg://user@db:5432/aezoo

The study lives by default in the sweep folder as Optuna's journal file
(JournalFileBackend: an append-only log under a file lock, which parallel workers
share; SQLite's "database is locked" under parallel writers is the problem it avoids).
--storage takes Optuna's RDB URLs (postgresql://, mysql://, sqlite:///) or the path of
a journal file on a shared disk: every machine that runs the same file with the same
--storage works on one study, each writing its runs into its own --out.

A study remembers the sweep file it was made from (its [defaults] and [search], as
JSON in the study's user attributes): another file's study is refused, never mixed.
Optuna is the extra [search] (pip install 'aezoo[search]').
"""
import json
import os
import socket
import time
from urllib.parse import urlsplit

from aezoo.errors import UsageError
from aezoo.sweeps.file import STUDY

FILE = STUDY  # OUT/study.journal (sweeps/file.py lists what a sweep writes)
REACH_SECONDS = 3  # a database host that does not answer in this long is reported, not waited on


def optuna():
    try:
        import optuna
    except ImportError:
        raise UsageError("a search needs Optuna: pip install 'aezoo[search]'")
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # aezoo prints its own lines
    return optuna


def storage_url(out, given=None):
    """The storage's URL: --storage, or the sweep folder's journal file (absolute)."""
    return given if given else os.path.abspath(os.path.join(out, FILE))


def is_rdb(url):
    return "://" in url


def reachable(url):
    """One line naming host and port when an RDB URL's server does not answer (quickly)."""
    if not is_rdb(url) or url.startswith("sqlite"):
        return
    parts = urlsplit(url)
    ports = {"postgresql": 5432, "mysql": 3306}
    try:
        host, port = parts.hostname, parts.port or ports.get(parts.scheme.split("+")[0])
    except ValueError as e:
        raise UsageError(f"--storage {url}: {e}")
    if not host or not port:
        raise UsageError(f"--storage {url}: expected an URL like "
                         f"postgresql+psycopg://USER@HOST:5432/DB or a journal file's path")
    try:
        socket.create_connection((host, port), timeout=REACH_SECONDS).close()
    except OSError as e:
        raise UsageError(f"--storage: nothing answers at {host}:{port} "
                         f"({e.strerror or e or 'timed out'})")


def storage(url):
    """Optuna's storage object for `url`: RDBStorage, or a JournalStorage on a file."""
    op = optuna()
    if is_rdb(url):
        reachable(url)
        for attempt in range(3):  # two sweeps making the tables of a new database at once:
            try:                  # one of them fails, and finds them made when it tries again
                return op.storages.RDBStorage(url, engine_kwargs=engine_options(url))
            except Exception as e:  # the driver's own (no driver, bad password, no database)
                first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                if attempt == 2 or "already exists" not in str(e):
                    raise UsageError(f"--storage {url}: {first}")
                time.sleep(1)
    from optuna.storages.journal import JournalFileBackend, JournalStorage
    folder = os.path.dirname(os.path.abspath(url))
    if not os.path.isdir(folder):
        raise UsageError(f"--storage {url}: its folder {folder} does not exist")
    return JournalStorage(JournalFileBackend(url))


def engine_options(url):
    """Connect quickly or fail: a server that accepts and then hangs is not waited on."""
    if url.startswith("postgresql"):
        return {"connect_args": {"connect_timeout": REACH_SECONDS}}
    return {}


def startup_trials(trials):
    """TPE's random trials before it models: Optuna's 10 would leave an 8-trial search
    nothing but random trials, so a quarter of the budget, from 2 to 10."""
    return max(2, min(10, trials // 4))


def grid_sampler(op, space, seed):
    class Grid(op.samplers.GridSampler):
        """GridSampler that leaves stopping to the sweep (--trials, capped at the grid's size),
        which asks and tells outside study.optimize, where GridSampler's study.stop() raises."""
        def after_trial(self, study, trial, state, values):
            pass
    return Grid(space.grid(), seed=seed)


# --sampler NAME: (optuna, --trials, the Space, seed) -> the sampler. A new one is a line here.
SAMPLERS = {
    "tpe": lambda op, trials, space, seed: op.samplers.TPESampler(
        n_startup_trials=startup_trials(trials), seed=seed,
        constant_liar=True),  # parallel trials spread out instead of asking the same point
    "random": lambda op, trials, space, seed: op.samplers.RandomSampler(seed=seed),
    "cmaes": lambda op, trials, space, seed: op.samplers.CmaEsSampler(
        seed=seed, warn_independent_sampling=False),
    "grid": lambda op, trials, space, seed: grid_sampler(op, space, seed),
}

# --early-stop NAME: (optuna, --grace, --reduction-factor, the runs' epochs) -> the pruner.
PRUNERS = {
    # asynchronous successive halving: rungs at grace x F^k epochs, the best 1/F go on
    "asha": lambda op, grace, factor, epochs: op.pruners.SuccessiveHalvingPruner(
        min_resource=grace, reduction_factor=factor),
    # brackets of successive halving, from grace epochs up to the runs' own
    "hyperband": lambda op, grace, factor, epochs: op.pruners.HyperbandPruner(
        min_resource=grace, max_resource=max(epochs, grace + 1), reduction_factor=factor),
    # behind the median of the earlier trials at the same epoch (after 2 trials, grace epochs)
    "median": lambda op, grace, factor, epochs: op.pruners.MedianPruner(
        n_startup_trials=2, n_warmup_steps=grace),
}


def sampler(name, trials, space, seed=None):
    if name not in SAMPLERS:
        raise UsageError(f"--sampler {name}: expected one of {', '.join(SAMPLERS)}")
    return SAMPLERS[name](optuna(), trials, space, seed)


def pruner(name, grace, factor, epochs):
    if name not in PRUNERS:
        raise UsageError(f"--early-stop {name}: expected one of {', '.join(PRUNERS)}")
    return PRUNERS[name](optuna(), grace, factor, epochs)


def fingerprint(tables):
    """What makes a study one sweep's: the file's tables as canonical JSON."""
    return json.dumps(tables, sort_keys=True, default=str)


def open_study(url, name, tables, sampler_=None, pruner_=None):
    """The study `name` in the storage at `url`, made if new; one made from another search
    file (`tables`: its [defaults] and [search]) is refused, never mixed."""
    op = optuna()
    store = storage(url)
    try:  # loaded first: creating writes a record even when the study exists
        study = op.load_study(study_name=name, storage=store, sampler=sampler_, pruner=pruner_)
    except KeyError:
        study = op.create_study(study_name=name, storage=store, direction="minimize",
                                sampler=sampler_, pruner=pruner_, load_if_exists=True)
    if tables is None:  # a grid's runs: each is checked against its own folder (sweeps/steps.py)
        return study
    mine = fingerprint(tables)
    theirs = study.user_attrs.get("aezoo_sweep")
    if theirs is None:
        study.set_user_attr("aezoo_sweep", mine)
    elif theirs != mine:
        raise UsageError(f"study {name!r} in {url} was made from a different sweep file "
                         f"({differs(json.loads(theirs), tables)}); give --study NEW_NAME to "
                         f"start another study there, or use another --out")
    return study


def of_runs(run_dirs):
    """(the study, its trial numbers) when some of `run_dirs` are trials of a study kept in
    their sweep folder (OUT/study.journal: a run of a search is OUT/<number>-<values>), else
    None. Runs of two studies: the one that holds the most of them."""
    names_by_folder = {}
    for run_dir in run_dirs:
        path = os.path.abspath(run_dir)
        names_by_folder.setdefault(os.path.dirname(path), set()).add(os.path.basename(path))
    by_study = []
    for folder, names in names_by_folder.items():  # each journal read once
        journal = os.path.join(folder, FILE)
        if not os.path.isfile(journal):
            continue
        store = storage(journal)
        for summary in optuna().get_all_study_summaries(store, include_best_trial=False):
            study = optuna().load_study(study_name=summary.study_name, storage=store)
            trials = [t.number for t in study.get_trials(deepcopy=False)
                      if t.user_attrs.get("out") == folder and t.user_attrs.get("run") in names]
            if trials:
                by_study.append((study, trials))
    return max(by_study, key=lambda found: len(found[1])) if by_study else None


def differs(theirs, mine):
    """The first table key whose value differs between two sweep files' tables."""
    for table in sorted(set(theirs) | set(mine)):
        a, b = theirs.get(table) or {}, mine.get(table) or {}
        for key in sorted(set(a) | set(b), key=str):
            if json.dumps(a.get(key), sort_keys=True, default=str) != \
                    json.dumps(b.get(key), sort_keys=True, default=str):
                return f"[{table}] {key}: {a.get(key)!r} there, {b.get(key)!r} here"
    return "its tables differ"
