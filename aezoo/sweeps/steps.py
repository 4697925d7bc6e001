"""Each run of a sweep planned before any trains, and what to do with its folder.

    steps = plan_steps(read(path), out, path)   # every check done, nothing written

A run's folder is OUT/NAME: new or empty, it starts (and starts again when a run was
killed there before its first checkpoint); holding a checkpoint of the
same options, it resumes, or is skipped when finished or stopped early (by
--patience or by ASHA: such a run is never resumed by accident). A folder the file
now asks to be something else is refused, naming the option.
"""
import os
import re
from collections import namedtuple

from aezoo.config import RESUMABLE, SPLIT_OPTIONS
from aezoo.errors import UsageError
from aezoo.runs import checkpoints, rundir
from aezoo.sweeps.file import SET_BY_SWEEP
from aezoo.train.build import configured
from aezoo.train.plan import plan, plan_resume


# One run of a sweep: what to do with its folder (start, resume, skip), the Plan that
# does it (None for skip) and its resolved Config.
Step = namedtuple("Step", "name folder action plan cfg")


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


def action(name, folder, fresh):
    """(what to do with a run folder, the Plan that does it or None), given the plan of a
    fresh run of what the file asks for."""
    if not os.path.exists(folder) or (os.path.isdir(folder) and not os.listdir(folder)):
        return "start", fresh
    if rundir.unstarted(folder):  # killed before its first checkpoint: nothing to resume
        return "start again (no checkpoint yet)", fresh
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
    if meta["state"].get("stopped_early") == done:  # --patience or ASHA ended it there
        return f"skip (stopped early, {done} epochs)", None
    return f"resume from epoch {done}", plan_resume(folder, resume_changes(cfg))


def resume_changes(cfg):
    """The options a resume takes from the sweep file, those that may change on any resume
    (config.RESUMABLE); the others come from the run folder."""
    return {name: getattr(cfg, name) for name in RESUMABLE}


def groups(steps, out):
    """{comparison folder: its steps}: the runs on one data split are compared together, in
    OUT itself when all share one, else in OUT/compare-<data> for each data set."""
    by_split = {}
    for step in steps:
        by_split.setdefault(tuple(getattr(step.cfg, key) for key in SPLIT_OPTIONS), []).append(step)
    if len(by_split) == 1:
        return {out: steps}
    found = {}
    for split, group in by_split.items():
        name = "compare-" + re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.basename(str(split[0])))
        while os.path.join(out, name) in found:  # one data set, two splits
            name += "+"
        found[os.path.join(out, name)] = group
    return found
