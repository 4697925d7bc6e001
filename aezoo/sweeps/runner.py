"""A sweep from a value: planned once, then its runs trained and compared.

    planned = plan_sweep("experiments/quick.toml")              # or the tables as a dict
    outcome = run_sweep(planned, settings(workers=2), say=print)   # Outcome: folders, failures

`plan_sweep` reads and checks the file (or dict) and plans every run before any trains:
a UsageError names the file or the option, and nothing is written. `run_sweep` claims
OUT, records what its runs were asked to be in OUT/sweep.toml, trains the runs that are
not finished (one by one, in N warm local workers or as Ray tasks), renders the videos a
run asks for and compares the runs. A file (or dict) with a [search] table plans no runs:
its runs are the trials of an Optuna study, asked as workers free up (sweeps/search.py). It says what it does through `say`; a Ctrl-C is raised
as Interrupted once every run saved its last epoch; runs that failed are in the Outcome.
`aezoo sweep` (commands/sweep.py) and `aezoo.Sweep` (notebook/sweep.py) are its callers.
"""
import os
import shutil
import signal
import time
from dataclasses import dataclass, field

import tomli_w

from aezoo.errors import UsageError
from aezoo.results import report
from aezoo.results.comparison import compare
from aezoo.runs import checkpoints, owner, rundir
from aezoo.config import read_toml
from aezoo.sweeps import local, pictures, ray_tasks, search, status, study as studies
from aezoo.sweeps.file import LOGS, RESERVED, STOP, parse, read
from aezoo.sweeps.steps import groups, plan_steps
from aezoo.sweeps.worker import Job, work

CORES = os.cpu_count() or 1
GRACE, REDUCTION_FACTOR = 1, 3  # the pruners' rungs when not given: Ray Tune's defaults
COMPARED = 8  # a search compares its best trials, not all of them (a video of 40 runs is noise)
# name -> (lowest, highest) of the whole-number settings of a sweep's run
LIMITS = {"workers": (1, 256), "threads": (1, 1024), "retries": (0, 100), "grace": (1, 10 ** 6),
          "reduction_factor": (2, 100), "trials": (1, 10 ** 6)}


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or a run stopped by it): every run saved its last epoch; `run` names the run
    that was stopped, when one was."""

    def __init__(self, run=None):
        super().__init__(run)
        self.run = run


@dataclass
class Planned:
    """A sweep checked and planned, nothing written: `source` is the file's path, or None
    for tables given as a dict (`tables`, written into OUT/sweep.toml when it runs)."""
    source: str
    tables: dict
    out: str
    steps: list
    search: object = None  # a search.SearchFile when the file has a [search] table (no steps)

    @property
    def name(self):
        """What messages call the sweep: its file, or "sweep" for a dict."""
        return self.source or "sweep"


@dataclass
class Outcome:
    trained: list                                     # run folders holding a checkpoint
    failed: list = field(default_factory=list)        # [(run name, why, its log or None)]
    comparisons: dict = field(default_factory=dict)   # {folder: the files compare wrote}
    report: str = None                                # OUT/report.html over several data sets
    seconds: float = 0.0                              # spent training
    count: int = 0                                    # runs trained (not skipped)
    study: object = None                              # a search's (or pruned grid's) study
    pictures: list = field(default_factory=list)      # a search's plots in OUT


def default_workers():
    """Half the cores (at least one): two threads a run keep small models' BLAS busy, and the
    runs in parallel use the rest. On 2 cores: one run at a time."""
    return max(1, CORES // 2)


def default_out(source):
    """outputs/sweep-<file stem>, or outputs/sweep-<time> for a dict."""
    if isinstance(source, dict):
        return os.path.join("outputs", "sweep-" + time.strftime("%Y%m%d-%H%M%S"))
    return os.path.join("outputs", "sweep-" + os.path.splitext(os.path.basename(source))[0])


def plan_sweep(source, out=None, options=None):
    """The Planned sweep of a sweep file's path or of its tables as a dict; a UsageError,
    naming the file (or "sweep" and the option), when anything is wrong. `options` are set
    for every run of a grid, over the file (aezoo sweep's --tensorboard, --mlflow; a
    search's trials take them from its file)."""
    if out is not None and not isinstance(out, (str, os.PathLike)):
        raise UsageError(f"out = {out!r}: expected the sweep folder's path")
    if isinstance(source, dict):
        path, tables = None, source
        found = search.read("sweep", source) if "search" in source else None
        experiments = None if found else parse(source, "sweep")
    elif isinstance(source, (str, os.PathLike)):
        path, tables = os.fspath(source), None
        table = read_toml(path)
        found = search.read(path, table) if "search" in table else None
        experiments = None if found else read(path)
    else:
        raise UsageError(f"a sweep is a file's path or a dict of defaults, runs and grid, "
                         f"not {source!r}")
    if tables is not None:
        try:  # what OUT/sweep.toml will hold
            tomli_w.dumps(tables)
        except (TypeError, ValueError) as e:
            raise UsageError(f"sweep: {e}")
    out = os.fspath(out) if out is not None else default_out(source)
    owner.check(out, **owned_by_sweep(out))  # a folder of the user's own: refused now
    if found:  # a search's trials are planned as they are asked
        return Planned(path, tables, out, [], found)
    experiments = {name: {**run, **(options or {})} for name, run in experiments.items()}
    return Planned(path, tables, out, plan_steps(experiments, out, path or "sweep"))


def owned_by_sweep(out):
    """owner.check/claim's arguments for a sweep's OUT: its files, its runs' and comparisons'
    folders, the comparison of one data set, the workers' logs, the study and its pictures."""
    entries = owner.sweep_entries(out)
    return dict(command="aezoo sweep", earlier=owner.earlier_sweep,
                ours=lambda name: entries(name) or name in RESERVED
                or name in dict(report.SEARCH_PICTURES))


def checked(name, value):
    """A whole-number setting within LIMITS, or one line naming it."""
    low, high = LIMITS[name]
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or not low <= value <= high):
        raise UsageError(f"--{name.replace('_', '-')} {value!r}: expected a whole number from "
                         f"{low} to {high}")
    return value


@dataclass(frozen=True)
class Settings:
    """How a sweep's runs are trained, checked (settings() makes it)."""
    workers: int        # runs at once on this machine
    threads: int        # BLAS threads of each run
    ray: str = None     # a Ray address: each run a task there instead
    retries: int = 2    # times a run whose process or node died is started again
    early_stop: tuple = ()  # () or (pruner, grace, reduction factor): studies.PRUNERS
    trials: int = None  # a search: the study's total of trials
    sampler: str = "tpe"  # a search: studies.SAMPLERS
    storage: str = None  # the study's storage URL (default OUT/study.journal)
    study: str = None  # the study's name (default the file's stem)


def settings(workers=None, threads=None, ray=None, retries=2, early_stop=None, grace=None,
             reduction_factor=None, trials=None, sampler=None, storage=None, study=None):
    """Settings with every value checked (each range first, then how they combine) and the
    defaults filled in: half the cores' workers, the cores shared out as threads, the
    pruners' rungs as Ray Tune has them."""
    for name, value in (("workers", workers), ("threads", threads), ("retries", retries),
                        ("grace", grace), ("reduction_factor", reduction_factor),
                        ("trials", trials)):
        checked(name, value)
    if ray is not None and (not isinstance(ray, str) or not ray.strip()):
        raise UsageError(f"--ray {ray!r}: expected a Ray address (host:port, auto or local)")
    if early_stop is not None and early_stop not in studies.PRUNERS:
        raise UsageError(f"--early-stop {early_stop!r}: expected one of "
                         f"{', '.join(studies.PRUNERS)}")
    if sampler is not None and sampler not in studies.SAMPLERS:
        raise UsageError(f"--sampler {sampler!r}: expected one of {', '.join(studies.SAMPLERS)}")
    for name, value in (("storage", storage), ("study", study)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise UsageError(f"--{name} {value!r}: expected a non-empty string")
    if ray is not None and workers:
        raise UsageError("--workers is for this machine; with --ray, Ray places the runs "
                         "(give one or the other)")
    if not early_stop and (grace is not None or reduction_factor is not None):
        raise UsageError("--grace and --reduction-factor only apply with --early-stop")
    rule = (early_stop, GRACE if grace is None else grace,
            REDUCTION_FACTOR if reduction_factor is None else reduction_factor) if early_stop else ()
    workers = workers or default_workers()
    return Settings(workers, threads or max(1, CORES // workers), ray, retries, rule, trials,
                    sampler or "tpe", storage, study)


def run_sweep(planned, how=None, say=lambda line: None):
    """Train the runs of `planned` that are not finished (`how`: Settings, the defaults when
    None), render the videos they ask for and compare them; the Outcome. Raises Interrupted
    on Ctrl-C."""
    how = how or settings()
    found = planned.search
    if found and not how.trials:
        raise UsageError(f"{planned.name} has a [search] table: give --trials N, the study's "
                         f"total")
    if not found and (how.trials or how.sampler != "tpe" or how.storage or how.study):
        raise UsageError("--trials, --sampler, --storage and --study are for a sweep file with "
                         "a [search] table")
    trials = how.trials
    sampler = studies.sampler(how.sampler, trials, found.space) if found else None
    if found and how.sampler == "grid" and trials > found.space.size():
        say(f"--sampler grid: the grid has {found.space.size()} points; {found.space.size()} "
            f"trials, not {trials}")
        trials = found.space.size()
    if how.storage:
        studies.reachable(how.storage)  # host and port named at once, before anything is written
    cluster = ray_tasks.connect(how.ray) if how.ray else None
    with owner.claim(planned.out, **owned_by_sweep(planned.out)):  # one sweep writes here
        the_study = None
        if found or how.early_stop:
            url = studies.storage_url(planned.out, how.storage)
            name = how.study or (os.path.splitext(os.path.basename(planned.source))[0]
                                 if planned.source else "sweep")
            epochs = max([s.cfg.epochs for s in planned.steps]
                         or [found.defaults.get("epochs", 20) if found else 20])
            pruner = studies.pruner(*how.early_stop, epochs) if how.early_stop else None
            tables = found.tables if found else None  # a grid may gain runs: no fingerprint
            the_study = search.Search(found, planned.out, studies.open_study(
                url, name, tables, sampler, pruner), trials, how.early_stop, url)
        return _run(planned, how, cluster, say, the_study)


def _run(planned, how, cluster, say, trials=None):
    out, steps = planned.out, planned.steps
    workers, threads, retries = how.workers, how.threads, how.retries
    if cluster:
        ray_tasks.check_shared(cluster, out)
    record(planned)
    if os.path.exists(os.path.join(out, STOP)):  # an earlier Ctrl-C's request is done
        os.remove(os.path.join(out, STOP))
    parallel = bool(cluster) or workers > 1
    logs = {}
    if parallel:
        rundir.make_folder(os.path.join(out, LOGS))

    def job(name, plan, judge=None):
        if parallel:
            logs[name] = os.path.join(os.path.abspath(out), LOGS, f"{name}.log")
        return Job(name, os.path.abspath(out), plan, threads, judge, logs.get(name))

    searching = trials is not None and trials.file is not None
    if trials:
        trials.make_job, trials.say = job, say
        jobs = trials.jobs() if searching else trials.grid_jobs(steps)
        shown = trials.steps if searching else steps
    else:
        jobs = [job(s.name, s.plan) for s in steps if s.plan is not None]
        shown = steps
    finished = trials.tell if trials else (lambda name, code: None)
    if parallel:
        where = f"Ray at {how.ray}" if cluster else f"{workers} processes"
        what = (f"trials of study {trials.study.study_name!r} (up to {trials.trials} in all)"
                if searching else f"{sum(s.plan is not None for s in steps)} of {len(steps)} runs")
        say(f"{what} to train on {where}, {threads} thread{'s' if threads > 1 else ''} each; "
            f"their lines in {os.path.join(out, LOGS)}")
        for i, step in enumerate(steps, 1):
            say(f"[{i}/{len(steps)}] {step.name}: {step.action}")
        if searching:  # the status lines show no action: say each trial's as it is handed out
            jobs = announced(jobs, shown, say)
    began = time.monotonic()
    try:
        board = status.Board(shown, logs).show
        if cluster:
            results = ray_tasks.run_ray(cluster, jobs, retries, out, board, finished)
        elif parallel:
            results = local.run_local(jobs, workers, retries, os.path.abspath(out), board,
                                      finished)
        else:
            results = one_by_one(shown, jobs, say, finished)
    except KeyboardInterrupt:  # the workers stopped at their next epoch, each saved
        raise Interrupted() from None
    outcome = Outcome([], seconds=time.monotonic() - began, count=len(results))
    stopped = [name for name, code in results.items() if code == 130]
    if stopped:
        raise Interrupted(stopped[0])
    for step in steps:  # killed after its last epoch's checkpoint: it finished
        if results.get(step.name) not in (0, 2, None) and trained_to_the_end(step):
            results[step.name] = 0
    if trials:
        outcome.study = trials.study
    if searching:
        steps = trials.finished_steps(COMPARED)
        trials.summary()
        outcome.pictures = pictures.draw(trials.study, out, say)
    for step in steps:
        if results.get(step.name) == 0:
            from aezoo.results.run_videos import after_training
            after_training(step.cfg, step.folder, say=False)
    outcome.failed = [(n, why_failed(c, logs.get(n), retries), logs.get(n))
                      for n, c in results.items() if c != 0]
    outcome.trained = [s.folder for s in steps if checkpoints.exists(s.folder)]
    folders = groups(steps, out)
    for folder, group in folders.items():
        done = [s.folder for s in group if s.folder in outcome.trained]
        if done:
            outcome.comparisons[folder] = compare(done, folder, fps=group[0].cfg.fps, owned=True)
    if out not in folders and any(os.path.isdir(folder) for folder in folders):
        outcome.report = report.write(out)  # one page for the data sets' comparisons together
    return outcome


def trained_to_the_end(step):
    """Whether the run's last checkpoint holds every epoch it was asked for."""
    return (checkpoints.exists(step.folder)
            and checkpoints.read_meta(step.folder)["epoch"] >= step.cfg.epochs)


def why_failed(code, log, retries):
    """A failed run's reason: the signal that killed its process (past its retries), or the
    first error line of its log."""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return (f"its process was killed by {name} (signal {-code})"
                + (f", {retries} retries used" if retries else ""))
    return status.first_error(log) if log else None


def record(planned):
    """OUT/sweep.toml: what the runs were last asked to be (the file, or the dict as TOML)."""
    copy = os.path.join(planned.out, "sweep.toml")
    if planned.source is None:
        with open(copy, "wb") as f:
            tomli_w.dump(planned.tables, f)
    elif not (os.path.exists(copy) and os.path.samefile(planned.source, copy)):
        shutil.copyfile(planned.source, copy)


def announced(jobs, steps, say):
    """The jobs, each said as it is handed out: the trial's run and what is done with it."""
    for job in jobs:
        step = next(s for s in reversed(steps) if s.name == job.name)
        say(f"{step.name}: {step.action}")
        yield job


def one_by_one(steps, jobs, say, finished):
    """The runs in this process, one after the other, each printing its own lines (a
    search's steps grow as its trials are asked)."""
    results, said = {}, 0

    def say_upto(upto):
        nonlocal said
        for i in range(said, upto):
            say(f"[{i + 1}/{len(steps)}] {steps[i].name}: {steps[i].action}")
        said = max(said, upto)

    for job in jobs:
        say_upto(next(i for i, s in enumerate(steps) if s.name == job.name) + 1)
        results[job.name] = work(job)
        finished(job.name, results[job.name])
        if results[job.name] == 130:
            return results
    say_upto(len(steps))
    return results
