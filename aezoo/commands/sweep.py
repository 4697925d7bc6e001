"""Run every experiment of a TOML file, several at once, then compare them.

    aezoo sweep experiments/quick.toml [--out outputs/sweep-quick]
    aezoo sweep FILE --workers 2 --threads 1        # two runs at once on this machine
    aezoo sweep FILE --ray HEAD:6379                # a task a run on a Ray cluster
    aezoo sweep FILE --early-stop asha --grace 2    # stop hopeless runs at rungs of epochs

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

A [grid] table crosses lists of values with every run (aezoo/sweeps/file.py).
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
from aezoo.errors import UsageError
from aezoo.results import compared, report
from aezoo.results.comparison import compare, print_table
from aezoo.results.run_videos import render
from aezoo.runs import checkpoints, owner, rundir
from aezoo.sweeps import asha, local, ray_tasks, status
from aezoo.sweeps.file import read
from aezoo.sweeps.steps import groups, plan_steps
from aezoo.sweeps.worker import STOP, Job, work

CORES = os.cpu_count() or 1
GRACE, REDUCTION_FACTOR = 1, 3  # --early-stop asha's rungs when not given: Ray Tune's defaults


def default_workers():
    """Half the cores (at least one): two threads a run keep small models' BLAS busy, and the
    runs in parallel use the rest. On 2 cores: one run at a time, as before."""
    return max(1, CORES // 2)


def sweep(path, out=None, workers=None, threads=None, ray=None, retries=2, early_stop=()):
    """Run the sweep file at `path`; returns an exit status (0, 1 if a run failed, 130)."""
    experiments = read(path)
    folder_given = out
    out = out or os.path.join("outputs", "sweep-" + os.path.splitext(os.path.basename(path))[0])
    owned = dict(command="aezoo sweep", ours=sweep_owns(out), earlier=owner.earlier_sweep)
    owner.check(out, **owned)  # a folder of the user's own is refused before anything runs
    steps = plan_steps(experiments, out, path)
    workers = workers or default_workers()
    threads = threads or max(1, CORES // workers)
    cluster = ray_tasks.connect(ray) if ray else None
    with owner.claim(out, **owned):  # made, marked and locked: one sweep writes here at a time
        return run_steps(path, out, folder_given, steps, workers, threads, cluster, ray, retries,
                         early_stop)


def sweep_owns(out):
    """What a sweep writes into OUT: its files, its runs' and comparisons' folders, the
    comparison of one data set, the workers' logs and ASHA's record."""
    runs_and_files = owner.sweep_entries(out)
    return lambda name: runs_and_files(name) or name in compared.WRITTEN or name in (
        "logs", asha.FILE, STOP)


def run_steps(path, out, folder_given, steps, workers, threads, cluster, ray, retries,
              early_stop):
    if cluster:
        ray_tasks.check_shared(cluster, out)
    copy = os.path.join(out, "sweep.toml")  # what the runs were last asked to be
    if not (os.path.exists(copy) and os.path.samefile(path, copy)):
        shutil.copyfile(path, copy)
    if os.path.exists(os.path.join(out, STOP)):  # an earlier Ctrl-C's request is done
        os.remove(os.path.join(out, STOP))
    parallel = bool(cluster) or workers > 1
    logs = {s.name: os.path.join(os.path.abspath(out), "logs", f"{s.name}.log")
            for s in steps} if parallel else {}
    if logs:
        rundir.make_folder(os.path.join(out, "logs"))
    jobs = [Job(s.name, os.path.abspath(out), s.plan, threads, early_stop, logs.get(s.name))
            for s in steps if s.plan is not None]
    hint = f"aezoo sweep {path}" + (f" --out {folder_given}" if folder_given else "")
    if parallel:
        where = f"Ray at {ray}" if cluster else f"{workers} processes"
        print(f"aezoo sweep: {len(jobs)} of {len(steps)} runs to train on {where}, {threads} "
              f"thread{'s' if threads > 1 else ''} each; their lines in {os.path.join(out, 'logs')}",
              file=sys.stderr)
        for i, step in enumerate(steps, 1):
            print(f"aezoo sweep: [{i}/{len(steps)}] {step.name}: {step.action}", file=sys.stderr)
    began = time.monotonic()
    try:
        if cluster:
            results = ray_tasks.run_ray(cluster, jobs, retries, status.Board(steps, logs).show)
        elif parallel:
            results = local.run_local(jobs, workers, retries, status.Board(steps, logs).show)
        else:
            results = one_by_one(steps, jobs)
    except KeyboardInterrupt:
        print(f"aezoo sweep: interrupted; every run saved its last epoch. Repeat the command to "
              f"continue: {hint}", file=sys.stderr)
        return 130
    if jobs:
        print(f"aezoo sweep: trained {len(jobs)} run(s) in {status.clock(time.monotonic() - began)}",
              file=sys.stderr)
    if 130 in results.values():
        print(f"aezoo sweep: interrupted in run {next(n for n, c in results.items() if c == 130)}; "
              f"repeat the command to continue: {hint}", file=sys.stderr)
        return 130
    for step in steps:
        if results.get(step.name) == 0 and step.cfg.video:
            render(step.folder, fps=step.cfg.fps)
    failed = [(n, logs.get(n)) for n, c in results.items() if c != 0]
    trained = [s.folder for s in steps if checkpoints.exists(s.folder)]
    compared = groups(steps, out)
    for folder, group in compared.items():
        done = [s.folder for s in group if s.folder in trained]
        if done:
            written = compare(done, folder, fps=group[0].cfg.fps, owned=True)
            print_table(written[1])
            for path in written:
                print(path)
    if out not in compared and any(os.path.isdir(folder) for folder in compared):
        print(report.write(out))  # one page for the data sets' comparisons together
    if failed:
        print(f"aezoo sweep: {len(failed)} run(s) failed: "
              + "; ".join(f"{n} ({status.first_error(log)})" if log else n for n, log in failed)
              + (f"; the others are compared in {out}" if trained else ""), file=sys.stderr)
        return 1
    return 0


def one_by_one(steps, jobs):
    """The runs in this process, one after the other, each printing its own lines."""
    by_name, results = {job.name: job for job in jobs}, {}
    for i, step in enumerate(steps, 1):
        print(f"aezoo sweep: [{i}/{len(steps)}] {step.name}: {step.action}", file=sys.stderr)
        if step.name in by_name:
            results[step.name] = work(by_name[step.name])
            if results[step.name] == 130:
                break
    return results


def parser():
    p = Parser(prog="aezoo sweep", description=COMMANDS["sweep"])
    p.add_argument("file", metavar="FILE.toml",
                   help="sweep file: [defaults], [runs.NAME] and [grid] tables")
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
    p.add_argument("--early-stop", choices=("asha",),
                   help="stop hopeless runs: asha, asynchronous successive halving (Ray Tune's rule)")
    # None when not given, so _main can tell "--grace 1" from nothing (the defaults are below)
    p.add_argument("--grace", type=int, metavar="EPOCHS",
                   help=f"asha: the first rung, in epochs (default {GRACE}, as Ray's grace_period)")
    p.add_argument("--reduction-factor", type=int, metavar="F",
                   help=f"asha: rungs at grace x F^k epochs; 1/F of the runs go on "
                        f"(default {REDUCTION_FACTOR})")
    return p


def main(argv=None):
    return guarded("aezoo sweep", _main, argv)


def _main(argv):
    args = parser().parse_args(argv)
    checks = [("workers", args.workers, 1, 256), ("threads", args.threads, 1, 1024),
              ("retries", args.retries, 0, 100), ("grace", args.grace, 1, 10 ** 6),
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
        raise UsageError("--grace and --reduction-factor only apply with --early-stop asha")
    early = ("asha", GRACE if args.grace is None else args.grace,
             REDUCTION_FACTOR if args.reduction_factor is None else args.reduction_factor
             ) if args.early_stop else ()
    try:
        return sweep(args.file, args.out, args.workers, args.threads, args.ray, args.retries, early)
    except KeyboardInterrupt:
        print("aezoo sweep: interrupted; repeat the command to continue", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
