"""Run every experiment of a TOML file in turn, then compare them.

    aezoo sweep experiments/quick.toml [--out outputs/sweep-quick]

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

Runs train one after the other into OUT/NAME (OUT defaults to
outputs/sweep-<file stem>), without a progress video unless the file sets
video = true: the comparison (aezoo compare) writes its scores, plot and
side-by-side video and report.html into OUT itself; runs on different data sets
are compared data set by data set, in OUT/compare-<data>, and OUT/report.html
shows them all. Started again, a sweep skips finished runs
and resumes an unfinished one from its checkpoint, so an interrupted sweep is
continued by repeating the command. The whole file is checked before anything
trains; a bad file is one line and exit status 2, and no run folder is touched.
"""
import os
import re
import shutil
import sys
from collections import namedtuple

from aezoo.commands import COMMANDS
from aezoo.commands.parser import Parser, guarded
from aezoo.config import RESUMABLE, Config, merge, read_toml
from aezoo.errors import UsageError
from aezoo.models import NAMES
from aezoo.results import report
from aezoo.results.comparison import compare, print_table
from aezoo.results.videos import render
from aezoo.runs import checkpoints, rundir
from aezoo.train.build import configured
from aezoo.train.plan import plan, plan_resume
from aezoo.train.start import start

SET_BY_SWEEP = ("out", "name")  # each run's folder is OUT/NAME
SPLIT = ("data", "data_dir", "test_fraction", "seq_len")  # runs compared together share these
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
RESERVED = ("sweep.toml", "scores.csv", "scores.md", "compare.png", "compare.gif", "compare.mp4",
            "compare.partial.gif", "compare.partial.mp4", "compared.json", "report.html")

# One run of a sweep: what to do with its folder (start, resume, skip), the Plan that
# does it (None for skip) and its resolved Config.
Step = namedtuple("Step", "name folder action plan cfg")


def read(path):
    """{run name: its options (defaults applied)} from a sweep file, checked key by key."""
    table = read_toml(path)
    unknown = sorted(set(table) - {"defaults", "runs"})
    if unknown:
        raise UsageError(f"{path}: unknown top-level key {unknown[0]!r} "
                         f"(a sweep file has [defaults] and [runs.NAME] tables)")
    defaults, runs = table.get("defaults", {}), table.get("runs")
    if not isinstance(defaults, dict):
        raise UsageError(f"{path}: defaults must be a table ([defaults])")
    if not isinstance(runs, dict) or not runs:
        raise UsageError(f"{path}: no runs; add a table per run, "
                         f"e.g. [runs.simple] with model = \"simple\"")
    experiments = {}
    for name, options in runs.items():
        where = f"{path} [runs.{name}]"
        if not isinstance(options, dict):
            raise UsageError(f"{path}: runs.{name} must be a table ([runs.{name}])")
        if not NAME.fullmatch(name):
            raise UsageError(f"{where}: a run name is a folder name: letters, digits, '.', '_', '-'")
        if name in RESERVED or name.startswith("compare-"):
            raise UsageError(f"{where}: {name} is a file the sweep writes; choose another run name")
        options = {**defaults, **options}
        for key in SET_BY_SWEEP:
            if key in options:
                raise UsageError(f"{where}: {key} is set by the sweep "
                                 f"(the run's folder is OUT/{name})")
        merge(Config(), options, where)  # unknown keys and wrong types, named by file and run
        if not options.get("model"):
            raise UsageError(f"{where}: no model; set model = \"deep\" (or another) "
                             f"in it or in [defaults]")
        if options["model"] not in NAMES:
            raise UsageError(f"{where}: model = {options['model']!r}, expected one of "
                             f"{', '.join(NAMES)}")
        experiments[name] = options
    return experiments


def plan_steps(experiments, out, source="sweep"):
    """A Step for every run, in file order; checks everything and writes nothing."""
    steps = []
    for name, options in experiments.items():
        folder = os.path.abspath(os.path.join(out, name))
        try:
            cfg, given = configured(options["model"], (options, source), (
                {"out": folder, "video": options.get("video", False)}, "sweep"))
            fresh = plan(cfg, given, new_folder=False)
        except UsageError as e:
            raise UsageError(f"{source} [runs.{name}]: {e}")
        steps.append(Step(name, folder, *action(name, folder, fresh), fresh.cfg))
    return steps


def groups(steps, out):
    """{comparison folder: its steps}: the runs on one data split are compared together, in
    OUT itself when all share one, else in OUT/compare-<data> for each data set."""
    by_split = {}
    for step in steps:
        by_split.setdefault(tuple(getattr(step.cfg, key) for key in SPLIT), []).append(step)
    if len(by_split) == 1:
        return {out: steps}
    found = {}
    for split, group in by_split.items():
        name = "compare-" + re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.basename(str(split[0])))
        while os.path.join(out, name) in found:  # one data set, two splits
            name += "+"
        found[os.path.join(out, name)] = group
    return found


def action(name, folder, fresh):
    """(what to do with a run folder, the Plan that does it or None), given the plan of a
    fresh run of what the file asks for."""
    if not os.path.exists(folder) or (os.path.isdir(folder) and not os.listdir(folder)):
        return "start", fresh
    if not checkpoints.exists(folder):
        raise UsageError(f"{folder} holds files but no {checkpoints.FILE} to resume from; "
                         f"delete it to start run {name} again")
    cfg = fresh.cfg
    saved = rundir.read_config(folder)["config"]
    changed = [k for k, v in cfg.to_dict().items()
               if k in saved and k not in RESUMABLE + SET_BY_SWEEP and saved[k] != v]
    if changed:
        k = changed[0]
        raise UsageError(f"{folder} was trained with {k} = {saved.get(k)!r}, the file now says "
                         f"{getattr(cfg, k)!r}; rename run {name} or delete its folder")
    meta = checkpoints.read_meta(folder)
    done = meta["epoch"]
    if done >= cfg.epochs:
        return f"skip (finished, {done} epochs)", None
    if meta["state"].get("stopped_early") == done:  # --patience ended it there
        return f"skip (stopped early, {done} epochs)", None
    return f"resume from epoch {done}", plan_resume(folder, {
        "epochs": cfg.epochs, "device": cfg.device, "fps": cfg.fps, "video": cfg.video})


def train(step):
    """Train one step's run (and render its video when the file asks); its exit status."""
    status = start(step.plan)
    if status == 0 and step.cfg.video:
        render(step.folder, fps=step.cfg.fps)
    return status


def check_out(out):
    """A sweep writes only into a new or empty folder, or one an earlier sweep made."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out} is a file; expected a folder")
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(os.path.join(out, "sweep.toml")):
        raise UsageError(f"--out {out} holds files that aezoo sweep did not write (no sweep.toml); "
                         f"choose a new or empty folder")


def sweep(path, out=None):
    """Run the sweep file at `path`; returns an exit status (0, 1 if a run failed, 130)."""
    experiments = read(path)
    folder_given = out
    out = out or os.path.join("outputs", "sweep-" + os.path.splitext(os.path.basename(path))[0])
    check_out(out)
    steps = plan_steps(experiments, out, path)
    rundir.make_folder(out)
    copy = os.path.join(out, "sweep.toml")  # what the runs were last asked to be
    if not (os.path.exists(copy) and os.path.samefile(path, copy)):
        shutil.copyfile(path, copy)
    failed = []
    for i, step in enumerate(steps, 1):
        print(f"aezoo sweep: [{i}/{len(steps)}] {step.name}: {step.action}", file=sys.stderr)
        if step.plan is None:
            continue
        status = guarded("aezoo run", lambda _: train(step), None)
        if status == 130:
            print(f"aezoo sweep: interrupted in run {step.name}; repeat the command to continue: "
                  f"aezoo sweep {path}" + (f" --out {folder_given}" if folder_given else ""),
                  file=sys.stderr)
            return 130
        if status != 0:
            failed.append(step.name)
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
        print(f"aezoo sweep: {len(failed)} run(s) failed: {', '.join(failed)}"
              + (f"; the others are compared in {out}" if trained else ""), file=sys.stderr)
        return 1
    return 0


def parser():
    p = Parser(prog="aezoo sweep", description=COMMANDS["sweep"])
    p.add_argument("file", metavar="FILE.toml", help="sweep file: [defaults] and [runs.NAME] tables")
    p.add_argument("--out", help="sweep folder (default outputs/sweep-<file stem>)")
    return p


def main(argv=None):
    return guarded("aezoo sweep", _main, argv)


def _main(argv):
    args = parser().parse_args(argv)
    try:
        return sweep(args.file, args.out)
    except KeyboardInterrupt:
        print("aezoo sweep: interrupted; repeat the command to continue", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
