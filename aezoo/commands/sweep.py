"""Run every experiment of a TOML file, several at once, then compare them.

    aezoo sweep experiments/quick.toml [--out outputs/sweep-quick]
    aezoo sweep FILE --workers 2 --threads 1        # two runs at once on this machine
    aezoo sweep FILE --ray HEAD:6379                # each run a task on a Ray cluster
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
import argparse
import sys

from aezoo.commands import COMMANDS
from aezoo.commands.parser import Parser, guarded
from aezoo.config import flag
from aezoo.loggers import run_options as logger_options
from aezoo.results.comparison import print_table
from aezoo.sweeps import status, study as studies
from aezoo.sweeps.runner import (GRACE, REDUCTION_FACTOR, Interrupted, default_workers,
                                 plan_sweep, run_sweep, settings)

PROG = "aezoo sweep"


def say(line):
    print(f"{PROG}: {line}", file=sys.stderr)


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
    p.add_argument("--sampler", choices=tuple(studies.SAMPLERS),
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
    # None when not given, so _main can tell "--grace 1" from nothing (the defaults are below)
    p.add_argument("--grace", type=int, metavar="EPOCHS",
                   help=f"the first epoch a run may be stopped at (asha's and hyperband's "
                        f"min_resource, median's warm-up; default {GRACE})")
    p.add_argument("--reduction-factor", type=int, metavar="F",
                   help=f"asha and hyperband: rungs at grace x F^k epochs; 1/F of the runs go on "
                        f"(default {REDUCTION_FACTOR})")
    for name, option in logger_options().items():  # --tensorboard, --mlflow: the loggers'
        if option.type is bool:
            p.add_argument(flag(name), action=argparse.BooleanOptionalAction,
                           default=argparse.SUPPRESS, help=f"{option.help}: every run of the "
                           f"sweep, over its file")
    return p


def main(argv=None):
    return guarded("aezoo sweep", _main, argv)


def _main(argv):
    args = parser().parse_args(argv)
    loggers = {name: getattr(args, name) for name in logger_options() if hasattr(args, name)}
    hint = f"{PROG} {args.file}" + (f" --out {args.out}" if args.out else "") + "".join(
        f" {flag(name) if on else '--no-' + flag(name)[2:]}" for name, on in loggers.items())
    how = settings(args.workers, args.threads, args.ray, args.retries, args.early_stop,
                   args.grace, args.reduction_factor, args.trials, args.sampler, args.storage,
                   args.study)
    try:
        planned = plan_sweep(args.file, args.out, loggers)
        outcome = run_sweep(planned, how, say=say)
    except Interrupted as e:
        if e.run:
            say(f"interrupted in run {e.run}; repeat the command to continue: {hint}")
        else:
            say(f"interrupted; every run saved its last epoch. Repeat the command to continue: "
                f"{hint}")
        return 130
    except KeyboardInterrupt:
        say("interrupted; repeat the command to continue")
        return 130
    if outcome.count:
        say(f"trained {outcome.count} run(s) in {status.clock(outcome.seconds)}")
    for path in outcome.pictures:
        print(path)
    for written in outcome.comparisons.values():
        print_table(written[1])
        for path in written:
            print(path)
    if outcome.report:
        print(outcome.report)
    if outcome.failed:
        say(f"{len(outcome.failed)} run(s) failed: "
            + "; ".join(f"{name} ({why})" if why else name for name, why, _ in outcome.failed)
            + (f"; the others are compared in {planned.out}" if outcome.trained else ""))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
