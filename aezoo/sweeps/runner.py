"""A sweep from a value: planned once, then its runs trained and compared.

    planned = plan_sweep("experiments/quick.toml")              # or the tables as a dict
    outcome = run_sweep(planned, settings(workers=2), say=print)   # Outcome: folders, failures

`plan_sweep` reads and checks the file (or dict) and plans every run before any trains:
a UsageError names the file or the option, and nothing is written. `run_sweep` claims
OUT, records what its runs were asked to be in OUT/sweep.toml, trains the runs that are
not finished (one by one, in N local processes or as Ray tasks), renders the videos a run
asks for and compares the runs. It says what it does through `say`; a Ctrl-C is raised
as Interrupted once every run saved its last epoch; runs that failed are in the Outcome.
`aezoo sweep` (commands/sweep.py) and `aezoo.Sweep` (notebook/sweep.py) are its callers.
"""
import os
import shutil
import time
from dataclasses import dataclass, field

import tomli_w

from aezoo.errors import UsageError
from aezoo.results import report
from aezoo.results.comparison import compare
from aezoo.runs import checkpoints, owner, rundir
from aezoo.sweeps import ray_tasks, status
from aezoo.sweeps.file import LOGS, RESERVED, STOP, parse, read
from aezoo.sweeps.steps import groups, plan_steps
from aezoo.sweeps.worker import Job, work

CORES = os.cpu_count() or 1
GRACE, REDUCTION_FACTOR = 1, 3  # ASHA's rungs when not given: Ray Tune's defaults
# name -> (lowest, highest) of the whole-number settings of a sweep's run
LIMITS = {"workers": (1, 256), "threads": (1, 1024), "retries": (0, 100), "grace": (1, 10 ** 6),
          "reduction_factor": (2, 100)}


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


def default_workers():
    """Half the cores (at least one): two threads a run keep small models' BLAS busy, and the
    runs in parallel use the rest. On 2 cores: one run at a time."""
    return max(1, CORES // 2)


def default_out(source):
    """outputs/sweep-<file stem>, or outputs/sweep-<time> for a dict."""
    if isinstance(source, dict):
        return os.path.join("outputs", "sweep-" + time.strftime("%Y%m%d-%H%M%S"))
    return os.path.join("outputs", "sweep-" + os.path.splitext(os.path.basename(source))[0])


def plan_sweep(source, out=None):
    """The Planned sweep of a sweep file's path or of its tables as a dict; a UsageError,
    naming the file (or "sweep" and the option), when anything is wrong."""
    if out is not None and not isinstance(out, (str, os.PathLike)):
        raise UsageError(f"out = {out!r}: expected the sweep folder's path")
    if isinstance(source, dict):
        path, tables, experiments = None, source, parse(source, "sweep")
    elif isinstance(source, (str, os.PathLike)):
        path, tables = os.fspath(source), None
        experiments = read(path)
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
    return Planned(path, tables, out, plan_steps(experiments, out, path or "sweep"))


def owned_by_sweep(out):
    """owner.check/claim's arguments for a sweep's OUT: its files, its runs' and comparisons'
    folders, the comparison of one data set, the workers' logs and ASHA's record."""
    entries = owner.sweep_entries(out)
    return dict(command="aezoo sweep", earlier=owner.earlier_sweep,
                ours=lambda name: entries(name) or name in RESERVED)


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
    ray: str = None     # a Ray address: a task a run there instead
    retries: int = 2    # times a run whose process or node died is started again
    early_stop: tuple = ()  # () or ("asha", grace, reduction factor)


def settings(workers=None, threads=None, ray=None, retries=2, early_stop=None, grace=None,
             reduction_factor=None):
    """Settings with every value checked (each range first, then how they combine) and the
    defaults filled in: half the cores' workers, the cores shared out as threads, ASHA's
    rungs as Ray Tune has them."""
    for name, value in (("workers", workers), ("threads", threads), ("retries", retries),
                        ("grace", grace), ("reduction_factor", reduction_factor)):
        checked(name, value)
    if ray is not None and (not isinstance(ray, str) or not ray.strip()):
        raise UsageError(f"--ray {ray!r}: expected a Ray address (host:port, auto or local)")
    if early_stop not in (None, "asha"):
        raise UsageError(f"--early-stop {early_stop!r}: expected asha")
    if ray is not None and workers:
        raise UsageError("--workers is for this machine; with --ray, Ray places the runs "
                         "(give one or the other)")
    if not early_stop and (grace is not None or reduction_factor is not None):
        raise UsageError("--grace and --reduction-factor only apply with --early-stop asha")
    rule = ("asha", GRACE if grace is None else grace,
            REDUCTION_FACTOR if reduction_factor is None else reduction_factor) if early_stop else ()
    workers = workers or default_workers()
    return Settings(workers, threads or max(1, CORES // workers), ray, retries, rule)


def run_sweep(planned, how=None, say=lambda line: None):
    """Train the runs of `planned` that are not finished (`how`: Settings, the defaults when
    None), render the videos they ask for and compare them; the Outcome. Raises Interrupted
    on Ctrl-C."""
    how = how or settings()
    cluster = ray_tasks.connect(how.ray) if how.ray else None
    with owner.claim(planned.out, **owned_by_sweep(planned.out)):  # one sweep writes here
        return _run(planned, how, cluster, say)


def _run(planned, how, cluster, say):
    out, steps = planned.out, planned.steps
    workers, threads, retries = how.workers, how.threads, how.retries
    if cluster:
        ray_tasks.check_shared(cluster, out)
    record(planned)
    if os.path.exists(os.path.join(out, STOP)):  # an earlier Ctrl-C's request is done
        os.remove(os.path.join(out, STOP))
    parallel = bool(cluster) or workers > 1
    logs = {s.name: os.path.join(os.path.abspath(out), LOGS, f"{s.name}.log")
            for s in steps} if parallel else {}
    if logs:
        rundir.make_folder(os.path.join(out, LOGS))
    jobs = [Job(s.name, os.path.abspath(out), s.plan, threads, how.early_stop, logs.get(s.name))
            for s in steps if s.plan is not None]
    if parallel:
        where = f"Ray at {how.ray}" if cluster else f"{workers} processes"
        say(f"{len(jobs)} of {len(steps)} runs to train on {where}, {threads} "
            f"thread{'s' if threads > 1 else ''} each; their lines in {os.path.join(out, LOGS)}")
        for i, step in enumerate(steps, 1):
            say(f"[{i}/{len(steps)}] {step.name}: {step.action}")
    began = time.monotonic()
    try:
        if cluster:
            results = ray_tasks.run_ray(cluster, jobs, retries, status.Board(steps, logs).show)
        elif parallel:
            from aezoo.sweeps import local  # the worker processes' machinery, when there are some
            results = local.run_local(jobs, workers, retries, status.Board(steps, logs).show)
        else:
            results = one_by_one(steps, jobs, say)
    except KeyboardInterrupt:  # the workers stopped at their next epoch, each saved
        raise Interrupted() from None
    outcome = Outcome([], seconds=time.monotonic() - began, count=len(jobs))
    stopped = [name for name, code in results.items() if code == 130]
    if stopped:
        raise Interrupted(stopped[0])
    for step in steps:
        if results.get(step.name) == 0 and step.cfg.video:
            from aezoo.results.run_videos import render
            render(step.folder, fps=step.cfg.fps)
    outcome.failed = [(n, status.first_error(logs[n]) if n in logs else None, logs.get(n))
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


def record(planned):
    """OUT/sweep.toml: what the runs were last asked to be (the file, or the dict as TOML)."""
    copy = os.path.join(planned.out, "sweep.toml")
    if planned.source is None:
        with open(copy, "wb") as f:
            tomli_w.dump(planned.tables, f)
    elif not (os.path.exists(copy) and os.path.samefile(planned.source, copy)):
        shutil.copyfile(planned.source, copy)


def one_by_one(steps, jobs, say):
    """The runs in this process, one after the other, each printing its own lines."""
    by_name, results = {job.name: job for job in jobs}, {}
    for i, step in enumerate(steps, 1):
        say(f"[{i}/{len(steps)}] {step.name}: {step.action}")
        if step.name in by_name:
            results[step.name] = work(by_name[step.name])
            if results[step.name] == 130:
                break
    return results
