"""A search: the trials of an Optuna study, each trained as a run of the sweep.

    aezoo sweep experiments/search.toml --trials 40 [--sampler tpe] [--early-stop asha]

The sweep asks the study for a trial when a worker is free (Optuna's ask-and-tell),
turns its values into a run, OUT/<number>-<values> (e.g. 0007-lr=0.00123-grow_every=4),
and tells the study the run's score when it ends: the lowest test BCE (else MSE) of its
epochs, what the score table ranks by; pruned when a pruner stopped it, failed when it
failed. --trials N is the study's total, over every machine sharing it: trials that
ran or run count, failed ones do not, so the same command again adds nothing and
a larger N adds the difference. Two machines asking the study's last trial at once: the one with the
higher number marks its trial failed ("surplus") and runs nothing.

Started again (after Ctrl-C, or a lost machine), the sweep first resumes its own
unfinished trials from their checkpoints (or starts them again where they had none).
A finished trial whose folder was deleted runs anew as a new trial with the same values
(Optuna never reopens a finished trial): the old one stays in the study as it was, and
no longer counts toward --trials.
"""
import os
import socket
from dataclasses import dataclass

from aezoo.config import OPTIONS, Config, merge
from aezoo.errors import UsageError
from aezoo.runs import checkpoints, metrics, rundir
from aezoo.sweeps import space as spaces, study as studies
from aezoo.sweeps.file import SET_BY_SWEEP, STOP
from aezoo.sweeps.pruning import Judge, objective_key, pruned
from aezoo.sweeps.steps import Step, action
from aezoo.train.build import configured
from aezoo.train.plan import plan

TABLES = ("defaults", "search")


@dataclass
class SearchFile:
    path: str
    defaults: dict
    space: spaces.Space
    tables: dict     # the file's tables: the study's fingerprint


def read(path, table):
    """The search of a sweep file's tables (read_toml's dict), every range checked."""
    extra = sorted(set(table) - set(TABLES))
    if extra:
        raise UsageError(f"{path}: [{extra[0]}] and [search] cannot be in one file: a search's "
                         f"runs are its trials (put what they share in [defaults])")
    defaults = table.get("defaults", {})
    if not isinstance(defaults, dict):
        raise UsageError(f"{path}: defaults must be a table ([defaults])")
    for key in SET_BY_SWEEP:
        if key in defaults:
            raise UsageError(f"{path} [defaults]: {key} is set by the sweep (a trial's folder "
                             f"is OUT/<number>-<values>)")
    merge(Config(), defaults, f"{path} [defaults]")
    return SearchFile(path, defaults, spaces.read(path, table["search"], defaults),
                      {k: table.get(k) for k in TABLES})


class Search:
    """The study's trials of this sweep folder as jobs; tells the study how each ended."""

    def __init__(self, file, out, study, trials, early_stop, storage_url):
        """`file`: the SearchFile, or None for a grid's runs (each a trial, for the pruners)."""
        self.file, self.out, self.study, self.trials = file, os.path.abspath(out), study, trials
        self.early_stop, self.url = early_stop, storage_url
        self.make_job = None  # (name, plan, judge) -> a Job: the sweep's, set before jobs()
        self.say = lambda line: None  # the sweep's way of saying what it does
        self.model = file.defaults.get("model") if file else None
        self.steps, self.ids, self.failures = [], {}, 0
        self.op = studies.optuna()

    # What counts toward --trials, over the whole study (every machine's trials).
    def replaced(self, trials):
        return {t.user_attrs["replaces"] for t in trials if "replaces" in t.user_attrs}

    def counted(self, trials, below=None):
        """Trials that ran or run and stand for themselves (a waiting one is not yet counted:
        the next ask takes it)."""
        done = self.replaced(trials)
        states = (self.op.trial.TrialState.COMPLETE, self.op.trial.TrialState.PRUNED,
                  self.op.trial.TrialState.RUNNING)
        return sum(1 for t in trials if t.state in states and t.number not in done
                   and (below is None or t.number < below))

    def mine(self, trials):
        return [t for t in trials if t.user_attrs.get("out") == self.out]

    def folder(self, trial):
        return os.path.join(self.out, trial.user_attrs["run"])

    def jobs(self):
        """Jobs, asked one at a time as workers free up: this folder's unfinished trials first,
        then new ones until the study holds --trials."""
        State = self.op.trial.TrialState
        trials = self.study.get_trials(deepcopy=False)
        done = self.replaced(trials)  # trials that a new one already stands for
        for trial in self.mine(trials):  # a finished trial whose folder the user deleted
            if trial.state in (State.COMPLETE, State.PRUNED) and trial.number not in done \
                    and not os.path.isdir(self.folder(trial)):
                self.study.enqueue_trial(trial.params, user_attrs={"replaces": trial.number})
                self.say(f"trial {trial.number}'s folder is gone: its values run again as a "
                         f"new trial")
        for trial in self.mine(self.study.get_trials(deepcopy=False, states=(State.RUNNING,))):
            job = self.job(trial.number, trial._trial_id, trial.user_attrs["run"],
                           self.file.space.values(trial.params))
            if job:
                yield job
        while True:
            if self.counted(self.study.get_trials(deepcopy=False)) >= self.trials or \
                    self.failures >= self.trials or self.stop_asked():
                return
            trial = self.study.ask()
            if self.counted(self.study.get_trials(deepcopy=False), below=trial.number) >= self.trials:
                trial.set_user_attr("surplus", "another process asked the study's last trial")
                self.study.tell(trial, state=State.FAIL)  # asked at the same time as another's
                return
            values = self.file.space.suggest(trial, self.model)
            name = spaces.label(trial.number, trial.params)
            for key, value in (("out", self.out), ("run", name), ("host", socket.gethostname())):
                trial.set_user_attr(key, value)
            job = self.job(trial.number, trial._trial_id, name, values)
            if job:
                yield job

    def stop_asked(self):
        """OUT/stop stops every run at its next epoch (Ctrl-C, or a hand): a new trial would
        stop at its first, so none is asked."""
        return os.path.exists(os.path.join(self.out, STOP))

    def grid_jobs(self, steps):
        """A job a planned run (a [runs.NAME] or [grid] sweep with --early-stop), each the trial
        of the study that carries its name: its own again when resumed."""
        State = self.op.trial.TrialState
        open_trials = {t.user_attrs.get("run"): t for t in self.mine(self.study.get_trials(
            deepcopy=False, states=(State.RUNNING,)))}
        for step in steps:
            if step.plan is None:
                continue
            trial = open_trials.get(step.name)
            if trial is None:
                trial = self.study.ask()
                for key, value in (("out", self.out), ("run", step.name),
                                   ("host", socket.gethostname())):
                    trial.set_user_attr(key, value)
            self.ids[step.name] = trial.number
            yield self.make_job(step.name, step.plan, Judge(
                self.url, self.study.study_name, trial._trial_id, *self.early_stop))

    def job(self, number, trial_id, name, values):
        """The trial's run as a job (None when it needs no training: told from its folder)."""
        folder = os.path.join(self.out, name)
        options = {**self.file.defaults, **values}
        try:
            cfg, given = configured(options.get("model") or self.model,
                                    (options, f"{self.file.path} trial {number}"),
                                    ({"out": folder, "video": options.get("video", False)}, "sweep"))
            fresh = plan(cfg, given, new_folder=False)
            if checkpoints.exists(folder):
                what, the_plan = action(name, folder, fresh)
            else:  # new, or a try that died before its first checkpoint (the worker clears it)
                what, the_plan = "start", fresh
        except UsageError as e:  # this trial's values cannot work together: the next one may
            self.say(f"trial {number} ({name}) cannot run: {e}")
            self.study.tell(number, state=self.op.trial.TrialState.FAIL)
            self.failures += 1
            return None
        self.steps.append(Step(name, folder, what, the_plan, fresh.cfg))
        self.ids[name] = number
        if the_plan is None:
            self.tell(name, 0)
            return None
        judge = Judge(self.url, self.study.study_name, trial_id, *self.early_stop) \
            if self.early_stop else None
        return self.make_job(name, the_plan, judge)

    def tell(self, name, code):
        """Tell the study how the trial of run `name` ended (a stopped one stays running)."""
        State = self.op.trial.TrialState
        number, folder = self.ids[name], os.path.join(self.out, name)
        if code == 130:
            return
        if code != 0:
            self.failures += 1
            self.study.tell(number, state=State.FAIL)
        elif pruned(folder):
            self.study.tell(number, state=State.PRUNED)
        else:
            self.study.tell(number, score(folder))

    def best(self):
        """(number, value, params, run) of the study's best trial, or None."""
        try:
            t = self.study.best_trial
        except ValueError:
            return None
        params = self.file.space.values(t.params) if self.file else t.params  # a grid's: its own
        return t.number, t.value, params, t.user_attrs.get("out"), t.user_attrs.get("run")

    def summary(self):
        """The study's best trial and the pictures of the search, in OUT."""
        best = self.best()
        State = self.op.trial.TrialState
        trials = self.study.get_trials(deepcopy=False)
        counts = {s: sum(t.state == s for t in trials) for s in (State.COMPLETE, State.PRUNED,
                                                                 State.FAIL, State.RUNNING)}
        self.say(f"study {self.study.study_name!r}: {len(trials)} trials, "
            f"{counts[State.COMPLETE]} complete, {counts[State.PRUNED]} pruned (stopped early), "
            f"{counts[State.FAIL]} failed, {counts[State.RUNNING]} running elsewhere")
        if best:
            number, value, params, out, run = best
            self.say(f"best trial {number}: {value:.4f} with "
                + ", ".join(f"{k}={v}" for k, v in params.items())
                + (f" ({os.path.join(out, run)})" if out and run else ""))

    def finished_steps(self, limit=None):
        """The Steps of this folder's trials that trained, best first (`limit` of them)."""
        State = self.op.trial.TrialState
        told = [t for t in self.mine(self.study.get_trials(deepcopy=False))
                if t.state in (State.COMPLETE, State.PRUNED) and checkpoints.exists(self.folder(t))]
        told.sort(key=lambda t: (t.state != State.COMPLETE, t.value if t.value is not None
                                 else float("inf"), t.number))
        return [self.step_of(t) for t in told[:limit]]

    def step_of(self, trial):
        folder = self.folder(trial)
        saved = rundir.read_config(folder)["config"]
        return Step(trial.user_attrs["run"], folder, "done", None,
                    merge(Config(), {k: v for k, v in saved.items() if k in OPTIONS}, folder))


def score(folder):
    """The run's objective: the lowest test BCE (else MSE) over its epochs, a growing run's
    at its final depth (metrics.final_network)."""
    epochs = [r for r in metrics.read(folder)[0] if r["epoch"] >= 1] or metrics.read(folder)[0]
    epochs = metrics.final_network(epochs)
    key = objective_key(epochs[-1])
    values = [r[key] for r in epochs if isinstance(r.get(key), (int, float))]
    return min(values)
