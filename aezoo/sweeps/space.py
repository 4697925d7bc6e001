"""The [search] table of a sweep file: ranges and choices, in Optuna's suggest_* terms.

    [defaults]
    data = "digits"
    model = "deep"
    epochs = 30

    [search]
    lr = {low = 1e-4, high = 1e-2, log = true}   # trial.suggest_float("lr", 1e-4, 1e-2, log=True)
    grow_every = {low = 2, high = 10}            # suggest_int (both bounds whole; step allowed)
    activation = {choices = ["relu", "elu"]}     # suggest_categorical
    hidden = {choices = ["128,64", "256,128"]}   # a layer list is a choice written as one string
    noise = {low = 0.05, high = 0.3, format = "gaussian:{}"}   # a number inside a text option

    [search.vae]                                 # searched only in trials whose model is vae
    beta = {low = 0.5, high = 4.0}

`model` may be a choice too. A key of [search] itself is searched in every trial, so
every model the search may pick must take it; a table [search.MODEL] holds what only
MODEL takes (the conditional space: Optuna's define-by-run, model first). Everything is
checked when the file is read, each value against each model, before anything trains.
"""
import math
import re
from dataclasses import dataclass

from aezoo.config import OPTIONS
from aezoo.errors import UsageError
from aezoo.models import NAMES
from aezoo.sweeps.file import SET_BY_SWEEP

KEYS = {"low", "high", "log", "step", "choices", "format"}
NOT_SEARCHED = SET_BY_SWEEP + ("epochs",)  # set by the sweep, or the budget the pruners share


@dataclass(frozen=True)
class Range:
    """One option's distribution: choices, or low..high (float or int, log, step)."""
    name: str
    choices: tuple = None
    low: float = None
    high: float = None
    log: bool = False
    step: float = None
    format: str = None  # a text option's value around the number: "gaussian:{}"

    @property
    def whole(self):
        if self.format:
            return isinstance(self.low, int)
        return self.choices is None and OPTIONS[self.name].type is int

    def suggest(self, trial):
        if self.choices is not None:
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.whole:
            return self.value(trial.suggest_int(self.name, self.low, self.high,
                                                step=self.step or 1, log=self.log))
        return self.value(trial.suggest_float(self.name, self.low, self.high, step=self.step,
                                              log=self.log))

    def value(self, number):
        """The option's value for the number Optuna drew (the study keeps the number)."""
        return self.format.format(f"{number:.6g}" if isinstance(number, float) else number) \
            if self.format else number

    def grid(self):
        """Every value, for GridSampler: the choices, or the range in steps."""
        if self.choices is not None:
            return list(self.choices)
        if self.step is None and not self.whole:
            raise UsageError(f"[search] {self.name}: --sampler grid needs its values; give the "
                             f"range a step or write it as choices")
        step = self.step or 1
        count = int(math.floor((self.high - self.low) / step + 1e-9)) + 1
        return [type(self.low)(self.low + i * step) for i in range(count)]  # the study's numbers

    def samples(self):
        """Values that stand for the range when the file is checked: its ends, or every choice."""
        return list(self.choices) if self.choices is not None else \
            [self.value(self.low), self.value(self.high)]


def parse(path, key, spec):
    """A Range from `key = {...}`; a bad one is one line naming the key."""
    where = f"{path} [search] {key}"
    if key not in OPTIONS or key in NOT_SEARCHED:
        why = "is set by the sweep" if key in NOT_SEARCHED else "is not an option"
        raise UsageError(f"{where}: {key} {why}")
    if not isinstance(spec, dict) or not spec or set(spec) - KEYS:
        raise UsageError(f"{where} = {spec!r}: expected {{low = .., high = ..}} (with log or "
                         f"step) or {{choices = [..]}}")
    if "choices" in spec:
        choices = spec["choices"]
        if set(spec) != {"choices"} or not isinstance(choices, list) or not choices:
            raise UsageError(f"{where}: choices = [..] is a non-empty list, alone in its table")
        if not all(isinstance(c, (str, int, float, bool)) for c in choices):
            raise UsageError(f"{where}: a choice is a string, number or boolean (a layer list "
                             f"is one string: \"128,64\")")
        if len({repr(c) for c in choices}) < len(choices):
            raise UsageError(f"{where}: a choice is listed twice")
        return Range(key, choices=tuple(choices))
    kind, form = OPTIONS[key].type, spec.get("format")
    if form is not None:  # a number inside a text option, e.g. noise = "gaussian:{}"
        if kind is not str or not isinstance(form, str) or form.count("{}") != 1 \
                or form.replace("{}", "").count("{") + form.replace("{}", "").count("}"):
            raise UsageError(f"{where}: format = {form!r}: expected a text option's value with "
                             f"one {{}} where the number goes, e.g. \"gaussian:{{}}\"" if kind is str
                             else f"{where}: format is for a text option; {key} is a number")
        kind = int if all(isinstance(spec.get(k), int) and not isinstance(spec.get(k), bool)
                          for k in ("low", "high")) else float
    if kind not in (int, float) or "low" not in spec or "high" not in spec:
        raise UsageError(f"{where}: a range {{low = .., high = ..}} is for a number option; "
                         f"{key} takes choices = [..], or a range with format = \"...{{}}...\""
                         if kind not in (int, float) else
                         f"{where}: a range needs both low and high")
    low, high, log, step = spec["low"], spec["high"], spec.get("log", False), spec.get("step")
    numbers = [v for v in (low, high, step) if v is not None]
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
           for v in numbers):
        raise UsageError(f"{where}: low, high and step are finite numbers")
    if kind is int and not all(isinstance(v, int) for v in numbers):
        raise UsageError(f"{where}: {key} is a whole number; low, high and step must be too")
    if not isinstance(log, bool):
        raise UsageError(f"{where}: log = {log!r}, expected true or false")
    if not low < high:
        raise UsageError(f"{where}: low = {low} and high = {high} is an empty or reversed "
                         f"range; expected low < high")
    if log and low <= 0:
        raise UsageError(f"{where}: log = true needs low > 0 (got low = {low})")
    if step is not None and (step <= 0 or log):
        raise UsageError(f"{where}: step = {step}: expected a positive step, without log")
    if kind is float:
        low, high, step = float(low), float(high), None if step is None else float(step)
    return Range(key, low=low, high=high, log=log, step=step, format=form)


@dataclass(frozen=True)
class Space:
    """Every searched option: `common` in every trial, `only[model]` in that model's trials."""
    common: tuple
    only: dict

    def models(self, defaults):
        """The models a trial may be: the choices of model, or the one of [defaults]."""
        model = next((r for r in self.common if r.name == "model"), None)
        return list(model.choices) if model else [defaults.get("model")]

    def suggest(self, trial, model):
        """{option: value} of one trial, model first (define-by-run: the conditional space);
        `model` is [defaults]' when the model is not searched."""
        values = {r.name: r.suggest(trial) for r in self.common}
        model = values.get("model", model)
        for r in self.only.get(model, ()):
            values[r.name] = r.suggest(trial)
        return values

    def values(self, params):
        """{option: value} of a trial's params as the study keeps them (a formatted range's
        number, put back into its text)."""
        ranges = {r.name: r for r in self.common + sum(self.only.values(), ())}
        return {k: ranges[k].value(v) if k in ranges else v for k, v in params.items()}

    def grid(self):
        if self.only:
            raise UsageError("[search]: --sampler grid needs one space for every trial; "
                             "[search.MODEL] tables make it conditional (use tpe or random)")
        return {r.name: r.grid() for r in self.common}

    def size(self):
        count = 1
        for values in self.grid().values():
            count *= len(values)
        return count


def read(path, table, defaults):
    """The Space of a [search] table; every value checked against every model it may meet."""
    if not isinstance(table, dict) or not table:
        raise UsageError(f"{path}: [search] must be a table of ranges, e.g. "
                         f"lr = {{low = 1e-4, high = 1e-2, log = true}}")
    common, only = [], {}
    for key, spec in table.items():
        if key in NAMES and isinstance(spec, dict) and not set(spec) & KEYS:
            only[key] = tuple(parse(f"{path} [search.{key}]", k, v) for k, v in spec.items())
        else:
            common.append(parse(path, key, spec))
    space = Space(tuple(common), only)
    models = space.models(defaults)
    if "model" in [r.name for r in common]:
        unknown = [m for m in models if m not in NAMES]
        if unknown:
            raise UsageError(f"{path} [search] model: {unknown[0]!r} is not a model "
                             f"(models: {', '.join(NAMES)})")
    if not models[0]:
        raise UsageError(f"{path}: no model; set model = \"deep\" in [defaults] or search it")
    for model in only:
        if model not in models:
            raise UsageError(f"{path} [search.{model}]: the search never picks model {model} "
                             f"(it picks {', '.join(models)})")
    check(path, space, defaults, models)
    return space


def check(path, space, defaults, models):
    """Each value of each range with each model it may meet, planned as a run would be, beside
    the other ranges at their low ends, or else at their high ends (options depend on each
    other: grow_warmup needs a grow_every > 0 and no longer than it)."""
    from aezoo.train.build import configured  # the models' own checks; imported when used
    for model in models:
        ranges = [r for r in space.common + space.only.get(model, ()) if r.name != "model"]
        ends = [{r.name: r.samples()[i] for r in ranges} for i in (0, -1)]
        for r in ranges:
            for value in r.samples():
                errors = []
                for others in ends:
                    try:
                        configured(model, ({**defaults, **others, "model": model, r.name: value},
                                           f"{path} [search]"))
                        break
                    except UsageError as e:
                        errors.append(e)
                else:
                    raise UsageError(f"{path} [search] {r.name} = {value!r} with model {model}: "
                                     f"{str(errors[0]).split(': ', 1)[-1]}")


def label(number, params):
    """A trial's folder name: its number and a short form of its values (a formatted range's
    number, not its text), a valid run name of at most 100 characters: the values that do
    not fit are left out whole, never cut inside (the number alone already names the trial)."""
    name = f"{number:04d}"
    for key, value in params.items():
        shown = f"{value:.3g}" if isinstance(value, float) else str(value).lower() \
            if isinstance(value, bool) else str(value)
        part = f"-{key}={re.sub(r'[^A-Za-z0-9.,_-]+', '_', shown.replace('+', ''))}"
        if len(name) + len(part) > 100:
            break
        name += part
    return name
