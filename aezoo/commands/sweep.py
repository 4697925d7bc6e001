"""Run every experiment of a TOML file, several at once, then compare them.

    aezoo sweep experiments/quick.toml [--out outputs/sweep-quick]
    aezoo sweep FILE --workers 2 --threads 1        # two runs at once on this machine
    aezoo sweep FILE --ray HEAD:6379                # a task a run on a Ray cluster
    aezoo sweep FILE --early-stop asha --grace 2    # stop hopeless runs (Optuna's pruners)
    aezoo sweep search.toml --trials 40             # a [search] table: an Optuna study

The file holds a [defaults] table of options every run shares and one
[runs.NAME] table per run; keys are the option names of config.json's
"config" (model, data, epochs, code_dim, hidden, grow_every, ...):

    [defaults]
    data = "digits"
    epochs = 30

    [runs.simple]          # NAME is the run's folder inside the sweep folder
    model = "simple"

    [runs.deep-grow]
    model = "deep"
    grow_every = 4

A [grid] table crosses lists of values with every run (aezoo/sweeps/file.py); a
[search] table holds ranges instead, and --trials N trials of an Optuna study are its
runs (aezoo/sweeps/space.py, search.py, study.py).
Runs train into OUT/NAME (OUT defaults to
outputs/sweep-<file stem>), without a progress video unless the file sets
video = true: the comparison (aezoo compare) writes its scores, plot and
side-by-side video and report.html into OUT itself; runs on different data sets
are compared data set by data set, in OUT/compare-<data>, and OUT/report.html
shows them all. Started again, a sweep skips finished runs
and resumes an unfinished one from its checkpoint, so an interrupted sweep is
continued by repeating the command. The whole file is checked before anything
trains; a bad file is one line and exit status 2, and no run folder is touched.

Every run is planned before the first trains. With --workers N (default: half the
cores, so each run gets two threads) N runs train at once, each in its own process
with --threads T BLAS threads (default: the cores shared out), their lines in
OUT/logs/NAME.log and one status line a run here; a run's numbers do not depend on N.
A run whose process dies is retried (--retries) from its last checkpoint. Ctrl-C
stops every run at its next epoch; repeating the command resumes them.
"""
import os
import shutil
import sys
import time

from aezoo.commands import COMMANDS
from aezoo.commands.parser import Parser, guarded
from aezoo.config import read_toml
from aezoo.errors import UsageError
from aezoo.results import compared, report
from aezoo.results.comparison import compare, print_table
from aezoo.results.run_videos import render
from aezoo.runs import checkpoints, owner, rundir
from aezoo.sweeps import local, pictures, ray_tasks, search, status, study as studies
from aezoo.sweeps.file import read
from aezoo.sweeps.steps import groups, plan_steps
from aezoo.sweeps.worker import STOP, Job, work

CORES = os.cpu_count() or 1
COMPARED = 8  # a search compares its best trials, not all of them (a video of 40 runs is noise)
GRACE, REDUCTION_FACTOR = 1, 3  # --early-stop's rungs when not given: Ray Tune's defaults


def default_workers():
    """Half the cores (at least one): two threads a run keep small models' BLAS busy, and the
    runs in parallel use the rest. On 2 cores: one run at a time, as before."""
    return max(1, CORES // 2)


def sweep(path, out=None, workers=None, threads=None, ray=None, retries=2, early_stop=(),
          trials=None, sampler="tpe", storage=None, study=None):
    """Run the sweep file at `path`; returns an exit status (0, 1 if a run failed, 130).
    early_stop: () or (pruner, grace, reduction factor)."""
    table = read_toml(path)
    found = search.read(path, table) if "search" in table else None
    if found and not trials:
        raise UsageError(f"{path} has a [search] table: give --trials N, the study's total")
    if not found and (trials or sampler != "tpe" or storage or study):
        raise UsageError("--trials, --sampler, --storage and --study are for a sweep file with "
                         "a [search] table")
    steps = [] if found else plan_steps(read(path), out or default_out(path), path)
    sampler_ = studies.sampler(sampler, trials, found.space) if found else None
    if found and sampler == "grid":
        size = found.space.size()
        if trials > size:
            print(f"aezoo sweep: --sampler grid: the grid has {size} points; {size} trials, "
                  f"not {trials}", file=sys.stderr)
            trials = size
    if storage:
        studies.reachable(storage)  # host and port named at once, before anything is written
    folder_given = out
    out = out or default_out(path)
    owned = dict(command="aezoo sweep", ours=sweep_owns(out), earlier=owner.earlier_sweep)
    owner.check(out, **owned)  # a folder of the user's own is refused before anything runs
    workers = workers or default_workers()
    threads = threads or max(1, CORES // workers)
    cluster = ray_tasks.connect(ray) if ray else None
    with owner.claim(out, **owned):  # made, marked and locked: one sweep writes here at a time
        trials_of = None
        if found or early_stop:
            url = studies.storage_url(out, storage)
            name = study or os.path.splitext(os.path.basename(path))[0]
            pruner = studies.pruner(*early_stop, max([s.cfg.epochs for s in steps] or [
                found.defaults.get("epochs", 20) if found else 20])) if early_stop else None
            tables = found.tables if found else None  # a grid may gain runs: no fingerprint
            trials_of = search.Search(found, out, studies.open_study(url, name, tables, sampler_,
                                                                     pruner),
                                      trials, early_stop, url)
        return run_steps(path, out, folder_given, steps, workers, threads, cluster, ray, retries,
                         trials_of)


def default_out(path):
    return os.path.join("outputs", "sweep-" + os.path.splitext(os.path.basename(path))[0])


def sweep_owns(out):
    """What a sweep writes into OUT: its files, its runs' and comparisons' folders, the
    comparison of one data set, the workers' logs and the study's journal."""
    runs_and_files = owner.sweep_entries(out)
    return lambda name: runs_and_files(name) or name in compared.WRITTEN or name in (
        "logs", studies.FILE, STOP) or name in dict(report.SEARCH_PICTURES)


def run_steps(path, out, folder_given, steps, workers, threads, cluster, ray, retries, trials):
    """Train the runs (a search's trials as they are asked), then compare them."""
    if cluster:
        ray_tasks.check_shared(cluster, out)
    copy = os.path.join(out, "sweep.toml")  # what the runs were last asked to be
    if not (os.path.exists(copy) and os.path.samefile(path, copy)):
        shutil.copyfile(path, copy)
    if os.path.exists(os.path.join(out, STOP)):  # an earlier Ctrl-C's request is done
        os.remove(os.path.join(out, STOP))
    parallel = bool(cluster) or workers > 1
    logs = {}
    if parallel:
        rundir.make_folder(os.path.join(out, "logs"))

    def job(name, plan, judge=None):
        if parallel:
            logs[name] = os.path.join(os.path.abspath(out), "logs", f"{name}.log")
        return Job(name, os.path.abspath(out), plan, threads, judge, logs.get(name))

    searching = trials is not None and trials.file is not None
    if trials:
        trials.make_job = job
        jobs = trials.jobs() if searching else trials.grid_jobs(steps)
        shown = trials.steps if searching else steps
    else:
        jobs = [job(s.name, s.plan) for s in steps if s.plan is not None]
        shown = steps
    if searching and parallel:  # the status lines show no action: say each trial's
        jobs = announced(jobs, shown)
    finished = trials.tell if trials else (lambda name, code: None)
    hint = f"aezoo sweep {path}" + (f" --out {folder_given}" if folder_given else "")
    if parallel:
        where = f"Ray at {ray}" if cluster else f"{workers} processes"
        what = (f"trials of study {trials.study.study_name!r} (up to {trials.trials} in all)"
                if searching else f"{sum(s.plan is not None for s in steps)} of {len(steps)} runs")
        print(f"aezoo sweep: {what} to train on {where}, {threads} "
              f"thread{'s' if threads > 1 else ''} each; their lines in {os.path.join(out, 'logs')}",
              file=sys.stderr)
        for i, step in enumerate(steps, 1):
            print(f"aezoo sweep: [{i}/{len(steps)}] {step.name}: {step.action}", file=sys.stderr)
    began = time.monotonic()
    try:
        board = status.Board(shown, logs).show
        if cluster:
            results = ray_tasks.run_ray(cluster, jobs, retries, out, board, finished)
        elif parallel:
            results = local.run_local(jobs, workers, retries, os.path.abspath(out), board, finished)
        else:
            results = one_by_one(shown, jobs, finished)
    except KeyboardInterrupt:
        print(f"aezoo sweep: interrupted; every run saved its last epoch. Repeat the command to "
              f"continue: {hint}", file=sys.stderr)
        return 130
    if results:
        print(f"aezoo sweep: trained {len(results)} run(s) in "
              f"{status.clock(time.monotonic() - began)}", file=sys.stderr)
    if 130 in results.values():
        print(f"aezoo sweep: interrupted in run {next(n for n, c in results.items() if c == 130)}; "
              f"repeat the command to continue: {hint}", file=sys.stderr)
        return 130
    if searching:
        steps = trials.finished_steps(COMPARED)
        trials.summary()
        for picture in pictures.draw(trials.study, out):
            print(picture)
    for step in steps:
        if results.get(step.name) == 0 and step.cfg.video:
            render(step.folder, fps=step.cfg.fps)
    failed = [(n, logs.get(n)) for n, c in results.items() if c != 0]
    trained = [s.folder for s in steps if checkpoints.exists(s.folder)]
    by_data = groups(steps, out) if steps else {}
    for folder, group in by_data.items():
        done = [s.folder for s in group if s.folder in trained]
        if done:
            written = compare(done, folder, fps=group[0].cfg.fps, owned=True)
            print_table(written[1])
            for path in written:
                print(path)
    if out not in by_data and any(os.path.isdir(folder) for folder in by_data):
        print(report.write(out))  # one page for the data sets' comparisons together
    if failed:
        print(f"aezoo sweep: {len(failed)} run(s) failed: "
              + "; ".join(f"{n} ({status.first_error(log)})" if log else n for n, log in failed)
              + (f"; the others are compared in {out}" if trained else ""), file=sys.stderr)
        return 1
    return 0


def announced(jobs, steps):
    """The jobs, each said as it is handed out: the trial's run and what is done with it."""
    for job in jobs:
        step = next(s for s in reversed(steps) if s.name == job.name)
        print(f"aezoo sweep: {step.name}: {step.action}", file=sys.stderr)
        yield job


def one_by_one(steps, jobs, finished):
    """The runs in this process, one after the other, each printing its own lines (a
    search's steps grow as its trials are asked)."""
    results, said = {}, 0

    def say(upto):
        nonlocal said
        for i in range(said, upto):
            print(f"aezoo sweep: [{i + 1}/{len(steps)}] {steps[i].name}: {steps[i].action}",
                  file=sys.stderr)
        said = max(said, upto)

    for job in jobs:
        say(next(i for i, s in enumerate(steps) if s.name == job.name) + 1)
        results[job.name] = work(job)
        finished(job.name, results[job.name])
        if results[job.name] == 130:
            return results
    say(len(steps))
    return results


def parser():
    p = Parser(prog="aezoo sweep", description=COMMANDS["sweep"])
    p.add_argument("file", metavar="FILE.toml",
                   help="sweep file: [defaults] with [runs.NAME] and [grid] tables, or with a "
                        "[search] table")
    p.add_argument("--out", help="sweep folder (default outputs/sweep-<file stem>)")
    p.add_argument("--workers", type=int, metavar="N",
                   help=f"runs at once on this machine, each in its own process (default: half "
                        f"the cores, here {default_workers()})")
    p.add_argument("--threads", type=int, metavar="T",
                   help="BLAS threads of each run (default: the cores shared out among the workers)")
    p.add_argument("--ray", metavar="ADDRESS",
                   help="run each run as a task on the Ray cluster at ADDRESS (host:port, or auto); "
                        "local starts one on this machine")
    p.add_argument("--retries", type=int, default=2, metavar="R",
                   help="times a run whose process or node died is started again (default 2)")
    p.add_argument("--trials", type=int, metavar="N",
                   help="a [search] file: the study's total of trials (the same command again "
                        "adds nothing; a larger N adds the difference)")
    p.add_argument("--sampler", choices=tuple(studies.SAMPLERS), default="tpe",
                   help="how a search picks each trial's values (Optuna's samplers; default tpe)")
    p.add_argument("--storage", metavar="URL",
                   help="the study's storage: an RDB URL (postgresql+psycopg://..., mysql://..., "
                        "sqlite:///...) or a journal file on a shared disk (default "
                        f"OUT/{studies.FILE})")
    p.add_argument("--study", metavar="NAME",
                   help="the study's name in the storage (default: the sweep file's stem)")
    p.add_argument("--early-stop", choices=tuple(studies.PRUNERS),
                   help="stop hopeless runs with Optuna's pruner: asha (successive halving), "
                        "hyperband or median")
    # None when not given, so _main can tell "--grace 1" from nothing (the defaults are above)
    p.add_argument("--grace", type=int, metavar="EPOCHS",
                   help=f"the first epoch a run may be stopped at (asha's and hyperband's "
                        f"min_resource, median's warm-up; default {GRACE})")
    p.add_argument("--reduction-factor", type=int, metavar="F",
                   help=f"asha and hyperband: rungs at grace x F^k epochs; 1/F of the runs go on "
                        f"(default {REDUCTION_FACTOR})")
    return p


def main(argv=None):
    return guarded("aezoo sweep", _main, argv)


def _main(argv):
    args = parser().parse_args(argv)
    checks = [("workers", args.workers, 1, 256), ("threads", args.threads, 1, 1024),
              ("retries", args.retries, 0, 100), ("grace", args.grace, 1, 10 ** 6),
              ("trials", args.trials, 1, 10 ** 6),
              ("reduction-factor", args.reduction_factor, 2, 100)]
    for name, value, low, high in checks:
        if value is not None and not low <= value <= high:
            raise UsageError(f"--{name} {value}: expected a whole number from {low} to {high}")
    if args.ray and args.workers:
        raise UsageError("--workers is for this machine; with --ray, Ray places the runs "
                         "(give one or the other)")
    if args.ray is not None and not args.ray.strip():
        raise UsageError(f"--ray {args.ray!r}: expected a Ray address (host:port, auto or local)")
    if not args.early_stop and (args.grace is not None or args.reduction_factor is not None):
        raise UsageError("--grace and --reduction-factor only apply with --early-stop")
    early = (args.early_stop, GRACE if args.grace is None else args.grace,
             REDUCTION_FACTOR if args.reduction_factor is None else args.reduction_factor
             ) if args.early_stop else ()
    try:
        return sweep(args.file, args.out, args.workers, args.threads, args.ray, args.retries, early,
                     args.trials, args.sampler, args.storage, args.study)
    except KeyboardInterrupt:
        print("aezoo sweep: interrupted; repeat the command to continue", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
